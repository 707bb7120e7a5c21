/**
 * A relay's handling of a setup onion (docs/protocol.md §6.5): peel one layer with its onion key —
 * or, for the last layer, with one of its own one-time addresses' keys — then extend to the
 * neighbour its pointer names, or end the circuit here as the destination.
 */
import { TokumeiError, describeError } from '../../errors.js';
import type { Neighbour } from '../../overlay/overlay-types.js';
import { CircuitCommand, type Cell } from '../../wire/cell.js';
import { openPointer } from '../formats/pointer.js';
import { RelayHopCrypto } from '../formats/relay-crypto.js';
import { peelOnion } from '../formats/sphinx.js';
import type { CircuitEndpoint } from './circuit-table.js';
import { RelayCircuit, type DeliveryHandler } from './relay-circuit.js';
import type { CircuitOwner, OwnAddress, RoutingContext } from './routing-context.js';
import type { IntroPoint } from './intro-point.js';

export interface OnionEnd extends DeliveryHandler {
  /** A circuit now ends here, at one of our addresses. */
  onCircuitBuilt(circuit: RelayCircuit): void;
}

export interface CreateHooks {
  /** Last-layer keys to try: recent one-time addresses, then served ones (BOUNDED by the caller). */
  keysToTry(): Iterable<OwnAddress>;
  destination: OnionEnd;
  /** This node as an introduction relay (ESTABLISH and INTRODUCE end onions here). */
  intro: IntroPoint;
}

export function handleCreate(ctx: RoutingContext, n: Neighbour, cell: Cell, hooks: CreateHooks): void {
  const epoch = ctx.epoch();
  const refuse = (why: string): void => {
    ctx.counters.onionsRejected++;
    ctx.logger.log('debug', 'routing.create-refused', { from: n.id, reason: why });
    ctx.sendCell(n.link, cell.circId, CircuitCommand.DESTROY, new Uint8Array(0));
  };
  let peeled: ReturnType<typeof peelOnion> | undefined;
  let address: OwnAddress | undefined;
  try {
    peeled = peelOnion(cell.payload, ctx.identity.onionPrivateKey, epoch, ctx.replay);
  } catch (e) {
    if (!(e instanceof TokumeiError) || e.code !== 'ONION_BAD_MAC') return refuse(describeError(e));
    // Not for our onion key: maybe the last layer, for one of our one-time addresses.
    for (const a of hooks.keysToTry()) {
      try {
        peeled = peelOnion(cell.payload, a.privateKey, epoch, ctx.replay);
        address = a;
        break;
      } catch (e2) {
        if (!(e2 instanceof TokumeiError) || e2.code !== 'ONION_BAD_MAC') return refuse(describeError(e2));
      }
    }
    if (!peeled) return refuse('no key of ours opens this onion');
  }
  const crypto = new RelayHopCrypto(peeled.keys);
  if (peeled.cmd === 'establish' || peeled.cmd === 'introduce') {
    // An onion that ends at this relay as an introduction relay (§6.10): under our onion key only.
    if (address) return refuse(`${peeled.cmd.toUpperCase()} under an address key`);
    const handler = peeled.cmd === 'establish' ? hooks.intro.destinationSide : hooks.intro.senderSide;
    const circuit = new RelayCircuit(ctx, undefined, crypto, 'destination', undefined, handler);
    try {
      circuit.prev = ctx.circuits.register(n.link, cell.circId, circuit, 'prev');
    } catch (e) {
      return refuse(describeError(e));
    }
    ctx.counters.circuitsCreated++;
    if (peeled.cmd === 'establish') return handler.onCircuitBuilt(circuit);
    if (!hooks.intro.introduce(circuit, peeled.next)) {
      ctx.circuits.remove(circuit.prev);
      return refuse('no destination registered under that cookie');
    }
    return;
  }
  if (peeled.cmd === 'deliver') {
    if (!address) return refuse('DELIVER under the onion key');
    const circuit = new RelayCircuit(ctx, undefined, crypto, 'destination', address, hooks.destination);
    try {
      circuit.prev = ctx.circuits.register(n.link, cell.circId, circuit, 'prev');
    } catch (e) {
      return refuse(describeError(e));
    }
    ctx.counters.circuitsCreated++;
    hooks.destination.onCircuitBuilt(circuit);
    return;
  }
  const nextSerial = peeled.next ? openPointer(peeled.next, ctx.rpKeys, epoch, ctx.overlay.neighbourList().map((x) => x.id)) : undefined;
  const next = nextSerial ? ctx.overlay.neighbour(nextSerial) : undefined;
  if (!next || !peeled.inner) {
    // Our next hop is not (or no longer) a neighbour: the route breaks here, before it was built.
    ctx.counters.onionsRejected++;
    ctx.sendCell(n.link, cell.circId, CircuitCommand.BACKTRACK, new Uint8Array(0));
    return;
  }
  const circuit = new RelayCircuit(ctx, undefined, crypto, 'relay', undefined, undefined);
  let prev: CircuitEndpoint<CircuitOwner>;
  try {
    prev = ctx.circuits.register(n.link, cell.circId, circuit, 'prev');
  } catch (e) {
    return refuse(describeError(e));
  }
  circuit.prev = prev;
  try {
    circuit.extend(ctx.circuits.allocate(next.link, circuit, 'next', ctx.runtime.random), peeled.inner);
  } catch (e) {
    ctx.circuits.remove(prev);
    return refuse(describeError(e));
  }
  ctx.counters.circuitsCreated++;
}

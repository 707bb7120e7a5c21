/**
 * A circuit as one onion router sees it (docs/protocol.md §6.6–6.7): its previous hop, its next
 * hop, its own layer keys and the alternatives the proxy gave it. It never learns its position,
 * the route length, or who is at either end. When its next hop is gone it backtracks: tries its
 * alternatives best first, and with none left reports back to its previous hop.
 */
import { CircuitCommand, type Cell } from '../../wire/cell.js';
import { Reader } from '../../wire/codec.js';
import type { CircuitEndpoint, CircuitTable } from './circuit-table.js';
import type { CircuitOwner, OwnAddress, RoutingContext } from './routing-context.js';
import { RelayCommand, decodeRelayBody, encodeRelayBody } from '../formats/relay-body.js';
import { RELAY_PAYLOAD, type RelayHopCrypto } from '../formats/relay-crypto.js';
import { ONION_SIZE } from '../formats/sphinx.js';
import { POINTER_SIZE, openPointer } from '../formats/pointer.js';

/** BOUNDED: alternatives one relay keeps per circuit. */
export const MAX_ALTERNATIVES = 4;

export interface Alternative {
  index: number;
  /** This relay's own pointer to the alternative's first hop (§6.3), resolved when needed. */
  next: Uint8Array;
  packet: Uint8Array;
}

/** What a destination does with the circuits that end at it (see destination.ts). */
export interface DeliveryHandler {
  onCircuitBuilt(circuit: RelayCircuit): void;
  onCircuitData(circuit: RelayCircuit, cmd: number, data: Uint8Array): void;
  onCircuitGone(circuit: RelayCircuit): void;
}

type Ep = CircuitEndpoint<CircuitOwner>;

export class RelayCircuit implements CircuitOwner {
  next: Ep | undefined;
  lastActive: number;
  private alternatives: Alternative[] = []; // BOUNDED(MAX_ALTERNATIVES)
  private waitingResume = false;
  private closed = false;

  constructor(
    private readonly ctx: RoutingContext,
    public prev: Ep | undefined,
    private readonly crypto: RelayHopCrypto,
    readonly role: 'relay' | 'destination',
    /** For a destination circuit: the address whose key opened the last layer. */
    readonly address: OwnAddress | undefined,
    private readonly delivery: DeliveryHandler | undefined,
  ) {
    this.lastActive = ctx.runtime.clock.now();
  }

  /** The member serials this relay's state holds (for audits of what a relay knows). */
  knownPeers(): string[] {
    return [this.prev?.link.peerId, this.next?.link.peerId].filter((x): x is string => x !== undefined);
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** The neighbour this circuit came from. */
  get previousHopId(): string {
    return this.prev?.link.peerId ?? 'unknown';
  }

  onCell(ep: Ep, cell: Cell): void {
    this.lastActive = this.ctx.runtime.clock.now();
    switch (cell.command) {
      case CircuitCommand.RELAY:
        return ep.side === 'prev' ? this.forward(cell.payload) : this.backward(cell.payload);
      case CircuitCommand.DESTROY:
        return ep.side === 'prev' ? this.destroy() : this.backtrack('next hop destroyed the circuit');
      case CircuitCommand.BACKTRACK:
        if (ep.side === 'next') this.backtrack('next hop has no alternative left');
        return;
      default:
        this.ctx.counters.cellsDropped++;
    }
  }

  onLinkGone(ep: Ep): void {
    if (ep.side === 'prev') {
      this.prev = undefined;
      this.destroy();
    } else {
      this.next = undefined;
      this.backtrack('next hop is gone');
    }
  }

  /** Sends a relay body back toward the proxy, sealed with this hop's backward keys. */
  sendBackward(cmd: number, data: Uint8Array): void {
    if (!this.prev || this.closed) return;
    this.ctx.sendCell(this.prev.link, this.prev.circId, CircuitCommand.RELAY, this.crypto.originateBackward(encodeRelayBody(cmd, data)));
  }

  /** Starts the next hop of a fresh circuit (CREATE EXTEND). */
  extend(next: Ep, packet: Uint8Array): void {
    this.next = next;
    this.ctx.sendCell(next.link, next.circId, CircuitCommand.CREATE, packet);
  }

  private forward(payload: Uint8Array): void {
    this.ctx.observer?.onForwardCell?.(this, this.previousHopId, this.ctx.runtime.clock.now());
    const r = this.crypto.forward(payload);
    if (r.body) return this.onAddressed(r.body);
    if (this.role === 'destination' || !this.next || this.waitingResume) {
      // For nobody on this circuit (tampered, or made for a suffix we left): drop and count.
      this.ctx.counters.cellsDropped++;
      return;
    }
    this.ctx.counters.cellsRelayed++;
    this.ctx.sendCell(this.next.link, this.next.circId, CircuitCommand.RELAY, r.payload);
  }

  private backward(payload: Uint8Array): void {
    if (!this.prev) return;
    this.ctx.counters.cellsRelayed++;
    this.ctx.sendCell(this.prev.link, this.prev.circId, CircuitCommand.RELAY, this.crypto.backward(payload));
  }

  private onAddressed(body: Uint8Array): void {
    let relay: { cmd: number; data: Uint8Array };
    try {
      relay = decodeRelayBody(body);
    } catch {
      this.ctx.counters.cellsDropped++;
      return;
    }
    switch (relay.cmd) {
      case RelayCommand.ALTERNATIVE:
        this.addAlternative(relay.data);
        return this.padOnward();
      case RelayCommand.PADDING:
        return;
      case RelayCommand.RESUME:
        this.waitingResume = false;
        return;
      default:
        if (this.role === 'destination' && this.delivery) return this.delivery.onCircuitData(this, relay.cmd, relay.data);
        this.ctx.counters.cellsDropped++;
    }
  }

  /**
   * A setup cell stops here; one cell of random bytes goes on in its place (§6.6), so every hop of
   * a route sees as many setup cells as every other, whatever its position. The proxy advances the
   * counters of the hops after us to match; the destination drops it.
   */
  private padOnward(): void {
    if (this.role !== 'relay' || !this.next) return;
    this.ctx.sendCell(this.next.link, this.next.circId, CircuitCommand.RELAY, this.ctx.runtime.random.bytes(RELAY_PAYLOAD));
  }

  private addAlternative(data: Uint8Array): void {
    try {
      const r = new Reader(data);
      const index = r.u8('alternative index');
      const next = r.bytes(POINTER_SIZE, 'alternative next').slice();
      const packet = r.bytes(ONION_SIZE, 'alternative onion').slice();
      if (this.alternatives.length >= MAX_ALTERNATIVES) return;
      this.alternatives.push({ index, next, packet });
    } catch {
      this.ctx.counters.cellsDropped++;
    }
  }

  /** docs/protocol.md §6.7. */
  backtrack(reason: string): void {
    if (this.closed) return;
    const { ctx } = this;
    ctx.circuits.remove(this.next);
    this.next = undefined;
    if (this.role === 'destination') return;
    ctx.counters.backtracks++;
    while (ctx.config.backtracking && this.alternatives.length > 0) {
      const alt = this.alternatives.shift()!;
      const id = openPointer(alt.next, ctx.rpKeys, ctx.epoch(), ctx.overlay.neighbourList().map((x) => x.id));
      const n = id ? ctx.overlay.neighbour(id) : undefined;
      if (!n) continue;
      let ep: Ep;
      try {
        ep = ctx.circuits.allocate(n.link, this, 'next', ctx.runtime.random);
      } catch {
        break;
      }
      this.extend(ep, alt.packet);
      this.waitingResume = true;
      ctx.counters.switches++;
      this.sendBackward(RelayCommand.SWITCHED, Uint8Array.of(alt.index));
      ctx.events.add('backtrack', { action: 'switched', alternative: alt.index, reason });
      return;
    }
    ctx.events.add('backtrack', { action: 'reported-back', reason });
    if (this.prev) ctx.sendCell(this.prev.link, this.prev.circId, CircuitCommand.BACKTRACK, new Uint8Array(0));
    this.close();
  }

  /** Tears the circuit down toward the destination (the proxy side is gone or asked for it). */
  destroy(): void {
    if (this.closed) return;
    if (this.next) this.ctx.sendCell(this.next.link, this.next.circId, CircuitCommand.DESTROY, new Uint8Array(0));
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ctx.circuits.remove(this.prev);
    this.ctx.circuits.remove(this.next);
    this.alternatives = [];
    if (this.role === 'destination') this.delivery?.onCircuitGone(this);
  }
}

/** The previous and next hops of every circuit this node relays, one list per circuit (audits). */
export function relayKnowledge(circuits: CircuitTable<CircuitOwner>): string[][] {
  const out: string[][] = [];
  const seen = new Set<CircuitOwner>();
  for (const ep of circuits.endpoints()) {
    if (seen.has(ep.owner) || !(ep.owner instanceof RelayCircuit)) continue;
    seen.add(ep.owner);
    out.push(ep.owner.knownPeers());
  }
  return out;
}

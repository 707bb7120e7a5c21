/**
 * One onion route as the onion proxy sees it (docs/protocol.md §6.5–6.7): its relays, the layer
 * keys of every hop (and of every alternative suffix it handed out), and the circuit to its first
 * relay. It learns from which hop's key opened a SWITCHED cell where the route changed, and
 * re-keys its suffix accordingly.
 */
import { CircuitCommand, type Cell } from '../../wire/cell.js';
import type { CircuitEndpoint } from '../relay/circuit-table.js';
import type { CircuitOwner, RoutingContext } from '../relay/routing-context.js';
import { OnionProxyCrypto } from '../formats/relay-crypto.js';
import { RelayCommand, decodeRelayBody, encodeRelayBody } from '../formats/relay-body.js';
import type { HopKeys } from '../formats/sphinx.js';

type Ep = CircuitEndpoint<CircuitOwner>;

export interface RouteListener {
  onBuilt(route: OutboundRoute): void;
  /** A relay switched to an alternative suffix (a local repair). */
  onSwitched(route: OutboundRoute, hop: number): void;
  /** The route is gone (backtracked to the proxy, or its first link vanished). */
  onFailed(route: OutboundRoute, reason: string): void;
  onData(route: OutboundRoute, cmd: number, data: Uint8Array): void;
}

export class OutboundRoute implements CircuitOwner {
  built = false;
  failed = false;
  /** The relays currently in use (updated when a suffix is switched). */
  relays: string[];
  private readonly crypto: OnionProxyCrypto;

  constructor(
    private readonly ctx: RoutingContext,
    relays: string[],
    keys: HopKeys[],
    /** altKeys[i][a]: keys of alternative a of relay i (suffix relays, then the destination). */
    private readonly altKeys: HopKeys[][][],
    private readonly altRelays: string[][][],
    private readonly first: Ep,
    private readonly listener: RouteListener,
  ) {
    this.relays = [...relays];
    this.crypto = new OnionProxyCrypto(keys);
  }

  /** Index of the destination among the hops. */
  get destination(): number {
    return this.crypto.hopCount - 1;
  }

  alternativeCounts(): number[] {
    return this.relays.map((_, i) => this.altKeys[i]?.length ?? 0);
  }

  start(packet: Uint8Array): void {
    this.ctx.sendCell(this.first.link, this.first.circId, CircuitCommand.CREATE, packet);
  }

  /** Sends a relay body to hop `target` (the destination by default). */
  send(cmd: number, data: Uint8Array, target = this.destination): boolean {
    if (this.failed) return false;
    this.ctx.sendCell(this.first.link, this.first.circId, CircuitCommand.RELAY, this.crypto.sealForward(target, encodeRelayBody(cmd, data)));
    if (cmd === RelayCommand.ALTERNATIVE) this.crypto.skipForwardAfter(target); // the hop pads onward
    return true;
  }

  onCell(_ep: Ep, cell: Cell): void {
    switch (cell.command) {
      case CircuitCommand.RELAY:
        return this.onRelay(cell.payload);
      case CircuitCommand.BACKTRACK:
        return this.fail('first relay backtracked: no alternative left on the route');
      case CircuitCommand.DESTROY:
        return this.fail('first relay destroyed the circuit');
      default:
        this.ctx.counters.cellsDropped++;
    }
  }

  onLinkGone(): void {
    this.fail('first relay is gone');
  }

  private onRelay(payload: Uint8Array): void {
    const opened = this.crypto.openBackward(payload);
    if (!opened) {
      this.ctx.counters.cellsDropped++;
      return;
    }
    let body: { cmd: number; data: Uint8Array };
    try {
      body = decodeRelayBody(opened.body);
    } catch {
      this.ctx.counters.cellsDropped++;
      return;
    }
    if (body.cmd === RelayCommand.SWITCHED) return this.onSwitchedAt(opened.hop, body.data[0] ?? 255);
    if (opened.hop !== this.destination) {
      this.ctx.counters.cellsDropped++;
      return;
    }
    if (body.cmd === RelayCommand.BUILT) {
      if (!this.built) {
        this.built = true;
        this.listener.onBuilt(this);
      }
      return;
    }
    this.listener.onData(this, body.cmd, body.data);
  }

  private onSwitchedAt(hop: number, alt: number): void {
    const keys = this.altKeys[hop]?.[alt];
    const relays = this.altRelays[hop]?.[alt];
    if (!keys || !relays) {
      this.ctx.counters.cellsDropped++;
      return;
    }
    this.crypto.replaceSuffix(hop, keys);
    this.relays = [...this.relays.slice(0, hop + 1), ...relays];
    // The alternatives further down belonged to the old suffix.
    for (let i = hop + 1; i < this.altKeys.length; i++) {
      this.altKeys[i] = [];
      this.altRelays[i] = [];
    }
    this.ctx.events.add('suffix-replaced', { hop, alternative: alt, route: this.relays.map(short) });
    this.send(RelayCommand.RESUME, new Uint8Array(0), hop);
    this.listener.onSwitched(this, hop);
  }

  /** The proxy gives the route up: tear it down and report it failed. */
  abandon(reason: string): void {
    if (this.failed) return;
    this.ctx.sendCell(this.first.link, this.first.circId, CircuitCommand.DESTROY, new Uint8Array(0));
    this.fail(reason);
  }

  fail(reason: string): void {
    if (this.failed) return;
    this.failed = true;
    this.ctx.circuits.remove(this.first);
    this.listener.onFailed(this, reason);
  }

  /** Tears the circuit down from the proxy's end. */
  destroy(): void {
    if (this.failed) return;
    this.failed = true;
    this.ctx.sendCell(this.first.link, this.first.circId, CircuitCommand.DESTROY, new Uint8Array(0));
    this.ctx.circuits.remove(this.first);
  }
}

export function short(serial: string): string {
  return serial.slice(0, 8);
}

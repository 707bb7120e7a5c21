/**
 * The simulated world's state: hosts (each incarnation with its listeners and open links), link
 * latencies, cuts between hosts, per-host counters. SimNetwork is its public face; sim-net.ts
 * and sim-pipe.ts act on it.
 */
import { type LinkRefusalCode } from '../../errors.js';
import type { EventOwner } from './event-queue.js';
import { SeededRandom } from './prng.js';
import type { HandshakeFailure, TransportConnection } from '../runtime.js';
import type { Scheduler } from './scheduler.js';
import { MAX_RETRANSMITS, SimPipe, type PipeWorld, type SimConnection, type SimEndInit } from './sim-pipe.js';
import { RuntimeErrors } from '../runtime-errors.js';

export type LatencyModel = { min: number; max: number } | ((from: string, to: string) => number);
export type CutMode = 'close' | 'blackhole';

/** Decides whether `host` accepts the passport its peer presented (the simulator's stand-in for
 * TLS chain verification); undefined means accepted. */
export type PassportCheck = (check: {
  host: string;
  peerHost: string;
  presentedDer: Uint8Array;
  trustedCaPem: string;
}) => LinkRefusalCode | undefined;

export interface HostStats {
  bytesSent: number;
  sends: number;
  bytesReceived: number;
  receives: number;
  dials: number;
  accepts: number;
}

export interface SimListenerRecord {
  readonly port: number;
  readonly address: string;
  readonly passportDer: Uint8Array;
  readonly caPem: string;
  readonly onConnection: (conn: TransportConnection) => void;
  readonly onHandshakeFailure: ((failure: HandshakeFailure) => void) | undefined;
  // UNBOUNDED: authenticated links; the link layer above bounds how many it keeps.
  readonly accepted: Set<SimConnection>;
}

export interface HostRecord {
  readonly name: string;
  readonly owner: EventOwner & { alive: boolean };
  readonly random: SeededRandom;
  // BOUNDED(65536): one per port.
  readonly listeners: Map<number, SimListenerRecord>;
  // UNBOUNDED: this host's open links; the link layer above bounds them.
  readonly ends: Set<SimConnection>;
  nextPort: number;
}

export interface WorldOptions {
  seed: number;
  latency: LatencyModel;
  loss: number;
  bandwidthBytesPerMs: number | undefined;
  verifyPassport: PassportCheck | undefined;
}

const EPHEMERAL_FIRST = 49152;
const EPHEMERAL_COUNT = 65536 - EPHEMERAL_FIRST;

export class SimWorld implements PipeWorld {
  readonly netRandom: SeededRandom;
  readonly loss: number;
  readonly bandwidthBytesPerMs: number | undefined;
  wiretap: ((from: string, to: string, bytes: Uint8Array) => void) | undefined;
  // UNBOUNDED (all below): sized by the experiment (hosts, host pairs it cuts), not by peers.
  readonly hosts = new Map<string, HostRecord>();
  private readonly incarnations = new Map<string, number>();
  private readonly cuts = new Map<string, CutMode>();
  private readonly counters = new Map<string, HostStats>();
  private readonly acceptedBy = new WeakMap<SimConnection, SimListenerRecord>();

  constructor(readonly scheduler: Scheduler, private readonly options: WorldOptions) {
    this.netRandom = new SeededRandom(options.seed, 'network');
    this.loss = options.loss;
    this.bandwidthBytesPerMs = options.bandwidthBytesPerMs;
  }

  /** A fresh incarnation of `name` (the first, or one after revive). */
  addHost(name: string): HostRecord {
    const incarnation = (this.incarnations.get(name) ?? -1) + 1;
    this.incarnations.set(name, incarnation);
    const record: HostRecord = {
      name,
      owner: { name, alive: true },
      random: new SeededRandom(this.options.seed, incarnation === 0 ? `host ${name}` : `host ${name} #${incarnation}`),
      listeners: new Map(),
      ends: new Set(),
      nextPort: 0,
    };
    this.hosts.set(name, record);
    return record;
  }

  /** One-way latency of the link between two hosts, the same every time it is asked. */
  latency(a: string, b: string): number {
    const model = this.options.latency;
    let ms: number;
    if (typeof model === 'function') {
      ms = model(a, b);
    } else {
      const [lo, hi] = a < b ? [a, b] : [b, a];
      ms = new SeededRandom(this.options.seed, `latency ${lo} ${hi}`).between(model.min, model.max);
    }
    if (!Number.isFinite(ms) || ms < 0) {
      throw RuntimeErrors.SIM_BAD_LATENCY(`latency model gave ${ms} ms for ${a} → ${b}`);
    }
    return Math.round(ms);
  }

  /** Extra delay of one handshake flight from retransmissions under loss. */
  retransmitDelay(rtoMs: number): number {
    if (this.loss <= 0) return 0;
    let n = 0;
    while (n < MAX_RETRANSMITS && this.netRandom.float() < this.loss) n++;
    return n * rtoMs;
  }

  listenerAt(host: string, port: number): SimListenerRecord | undefined {
    const record = this.hosts.get(host);
    return record?.owner.alive ? record.listeners.get(port) : undefined;
  }

  allocatePort(host: HostRecord): number {
    for (let i = 0; i < EPHEMERAL_COUNT; i++) {
      const port = EPHEMERAL_FIRST + ((host.nextPort + i) % EPHEMERAL_COUNT);
      if (!host.listeners.has(port)) {
        host.nextPort = (host.nextPort + i + 1) % EPHEMERAL_COUNT;
        return port;
      }
    }
    throw RuntimeErrors.SIM_NO_FREE_PORT(`${host.name}: no free port`);
  }

  verify(host: string, peerHost: string, presentedDer: Uint8Array, trustedCaPem: string): LinkRefusalCode | undefined {
    return this.options.verifyPassport?.({ host, peerHost, presentedDer, trustedCaPem });
  }

  createPipe(latencyMs: number, dialer: HostRecord, dialerEnd: SimEndInit, listenerHost: HostRecord,
    listener: SimListenerRecord, listenerEnd: SimEndInit): SimPipe {
    const pipe = new SimPipe(this, latencyMs, dialerEnd, listenerEnd);
    dialer.ends.add(pipe.dialer);
    listenerHost.ends.add(pipe.listener);
    listener.accepted.add(pipe.listener);
    this.acceptedBy.set(pipe.listener, listener);
    return pipe;
  }

  endClosed(end: SimConnection): void {
    const record = this.hosts.get(end.host);
    if (record && record.owner === end.owner) record.ends.delete(end);
    this.acceptedBy.get(end)?.accepted.delete(end);
  }

  // --- cuts between hosts ---

  private static pair(a: string, b: string): string {
    return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
  }

  cutMode(a: string, b: string): CutMode | undefined {
    return this.cuts.size === 0 ? undefined : this.cuts.get(SimWorld.pair(a, b));
  }

  isBlackholed(a: string, b: string): boolean {
    return this.cutMode(a, b) === 'blackhole';
  }

  setCut(a: string, b: string, mode: CutMode | undefined): void {
    if (mode) this.cuts.set(SimWorld.pair(a, b), mode);
    else this.cuts.delete(SimWorld.pair(a, b));
  }

  /** Open ends on `a` whose peer is on `b`. */
  endsBetween(a: string, b: string): SimConnection[] {
    const record = this.hosts.get(a);
    if (!record) return [];
    return [...record.ends].filter((end) => end.peer.host === b);
  }

  // --- counters ---

  stats(host: string): HostStats {
    let stats = this.counters.get(host);
    if (!stats) {
      stats = { bytesSent: 0, sends: 0, bytesReceived: 0, receives: 0, dials: 0, accepts: 0 };
      this.counters.set(host, stats);
    }
    return stats;
  }

  countSent(host: string, bytes: number): void {
    const stats = this.stats(host);
    stats.bytesSent += bytes;
    stats.sends += 1;
  }

  countReceived(host: string, bytes: number): void {
    const stats = this.stats(host);
    stats.bytesReceived += bytes;
    stats.receives += 1;
  }
}

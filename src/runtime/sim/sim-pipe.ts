/**
 * An in-memory link for the simulator: two SimConnection ends and one Direction each way. It
 * carries exactly the bytes a TLS link would (only record encryption is left out) with the
 * link's latency, optional bandwidth, and TCP-like loss: a lost send is retransmitted after an
 * RTO and everything behind it waits (head-of-line), so bytes are never lost or reordered.
 */
import { TokumeiError } from '../../errors.js';
import type { EventOwner, SimEvent } from './event-queue.js';
import type { TransportConnection } from '../runtime.js';
import type { Scheduler } from './scheduler.js';
import type { SeededRandom } from './prng.js';
import { TransportFailure } from '../transport-errors.js';
import { RuntimeErrors } from '../runtime-errors.js';

/** BOUNDED(4 MiB) per direction, as the real transport's write buffer: bytes sent, not yet delivered. */
export const MAX_IN_FLIGHT_BYTES = 4 * 1024 * 1024;
/** After this many retransmissions of one send the link gives up, as TCP does. */
export const MAX_RETRANSMITS = 12;

/** What a pipe needs from the simulated world. */
export interface PipeWorld {
  readonly scheduler: Scheduler;
  /** The network's own random stream (loss draws). */
  readonly netRandom: SeededRandom;
  readonly loss: number;
  readonly bandwidthBytesPerMs: number | undefined;
  isBlackholed(a: string, b: string): boolean;
  countSent(host: string, bytes: number): void;
  /** Sees every byte a host sends (tests that check what leaves a node); undefined when unused. */
  readonly wiretap: ((from: string, to: string, bytes: Uint8Array) => void) | undefined;
  countReceived(host: string, bytes: number): void;
  /** An end closed: forget it in the host's registry. */
  endClosed(end: SimConnection): void;
}

/** One queued send; `data === null` is the end of the stream (FIN, or RST when `error` is set). */
interface Chunk {
  arrival: number;
  data: Uint8Array | null;
  error?: Error;
}

export class Direction {
  // BOUNDED(MAX_IN_FLIGHT_BYTES): chunks in flight, arrival times never decrease.
  queue: (Chunk | undefined)[] = [];
  head = 0;
  bytes = 0;
  busyUntil = 0;
  lastArrival = 0;
  scheduled: SimEvent | null = null;
  delivering = false;
  /** Blackholed: deliveries wait here until the cut heals. */
  stalled = false;

  constructor(readonly pipe: SimPipe, readonly to: SimConnection) {}
}

export interface SimEndInit {
  host: string;
  owner: EventOwner;
  remoteAddress: string;
  initiator: boolean;
  peerPassportDer: Uint8Array;
  channelBinding: Uint8Array;
}

export class SimConnection implements TransportConnection {
  readonly host: string;
  readonly owner: EventOwner;
  readonly remoteAddress: string;
  readonly initiator: boolean;
  readonly peerPassportDer: Uint8Array;
  readonly channelBinding: Uint8Array;
  /** Set by SimPipe right after construction. */
  out!: Direction;
  peer!: SimConnection;
  private open = true;
  private closeError: Error | undefined;
  private closeHandler: ((error?: Error) => void) | undefined;
  private closeReported = false;
  private closeScheduled = false;
  private dataHandler: ((data: Uint8Array) => void) | undefined;
  // BOUNDED(MAX_IN_FLIGHT_BYTES): bytes that arrived before onData was set.
  private inbox: Uint8Array[] = [];
  private inboxBytes = 0;
  private flushing = false;
  /** A clean end of stream arrived while unread bytes wait in the inbox. */
  private endAfterInbox = false;

  constructor(private readonly pipe: SimPipe, init: SimEndInit) {
    this.host = init.host;
    this.owner = init.owner;
    this.remoteAddress = init.remoteAddress;
    this.initiator = init.initiator;
    this.peerPassportDer = init.peerPassportDer;
    this.channelBinding = init.channelBinding;
  }

  get isOpen(): boolean {
    return this.open;
  }

  send(data: Uint8Array): void {
    if (!this.open || !this.owner.alive || data.byteLength === 0) return;
    const copy = new Uint8Array(data); // a copy: the receiver must not share the sender's buffer
    this.pipe.world.countSent(this.host, copy.byteLength);
    this.pipe.world.wiretap?.(this.host, this.peer.host, copy);
    this.pipe.transmit(this.out, copy, undefined, true);
  }

  onData(handler: (data: Uint8Array) => void): void {
    if (this.dataHandler) throw handlerSetTwice('onData');
    this.dataHandler = handler;
    if (this.inbox.length > 0) {
      this.flushing = true;
      this.pipe.world.scheduler.at(this.pipe.world.scheduler.now(), () => this.flushInbox(), this.owner, 'inbox');
    }
  }

  onClose(handler: (error?: Error) => void): void {
    if (this.closeHandler) throw handlerSetTwice('onClose');
    this.closeHandler = handler;
    if (!this.open) this.scheduleCloseReport();
  }

  close(): void {
    if (!this.open) return;
    this.finish(undefined);
    this.pipe.transmit(this.out, null, undefined, false);
  }

  destroy(): void {
    if (!this.open) return;
    this.finish(undefined);
    this.pipe.reset(this.out, resetError(`link reset by ${this.host}`));
  }

  /** A local failure (stalled peer, retransmissions exhausted): report it and reset the peer. */
  fail(error: Error): void {
    if (!this.open) return;
    this.finish(error);
    this.pipe.reset(this.out, resetError(`link reset by ${this.host}`));
  }

  /** The host died: this end goes without a word; `farewell` sends a clean close to the peer. */
  vanish(farewell: boolean): void {
    if (!this.open) return;
    this.open = false;
    this.inbox = [];
    this.pipe.world.endClosed(this);
    if (farewell) this.pipe.transmit(this.out, null, undefined, false);
  }

  /** Called by the pipe for each chunk that reaches this end. */
  receive(chunk: Chunk): void {
    if (!this.open) return;
    const data = chunk.data;
    if (data) {
      this.pipe.world.countReceived(this.host, data.byteLength);
      if (this.dataHandler && !this.flushing) {
        this.dataHandler(data);
        return;
      }
      this.inbox.push(data);
      this.inboxBytes += data.byteLength;
      if (this.inboxBytes > MAX_IN_FLIGHT_BYTES) {
        this.fail(new TokumeiError('io', TransportFailure.STALLED, `link ${this.remoteAddress}: over ${MAX_IN_FLIGHT_BYTES} unread bytes`));
      }
      return;
    }
    if (!chunk.error && this.inbox.length > 0) {
      this.endAfterInbox = true;
      return;
    }
    this.finish(chunk.error);
  }

  private flushInbox(): void {
    const pending = this.inbox;
    this.inbox = [];
    this.inboxBytes = 0;
    this.flushing = false;
    if (!this.open) return;
    for (const data of pending) {
      if (!this.open) return;
      this.dataHandler?.(data);
    }
    if (this.endAfterInbox) this.finish(undefined);
  }

  private finish(error: Error | undefined): void {
    if (!this.open) return;
    this.open = false;
    this.closeError = error;
    if (error) this.inbox = [];
    this.pipe.world.endClosed(this);
    this.scheduleCloseReport();
  }

  private scheduleCloseReport(): void {
    if (this.closeScheduled || !this.closeHandler) return;
    this.closeScheduled = true;
    const scheduler = this.pipe.world.scheduler;
    scheduler.at(scheduler.now(), () => {
      if (this.closeReported) return;
      this.closeReported = true;
      this.closeHandler?.(this.closeError);
    }, this.owner, 'close');
  }
}

export class SimPipe {
  readonly dialer: SimConnection;
  readonly listener: SimConnection;
  /** One-way latency and retransmission timeout, virtual ms. */
  readonly latencyMs: number;
  readonly rtoMs: number;

  constructor(readonly world: PipeWorld, latencyMs: number, dialer: SimEndInit, listener: SimEndInit) {
    this.latencyMs = latencyMs;
    this.rtoMs = Math.max(200, 3 * latencyMs);
    this.dialer = new SimConnection(this, dialer);
    this.listener = new SimConnection(this, listener);
    this.dialer.peer = this.listener;
    this.listener.peer = this.dialer;
    this.dialer.out = new Direction(this, this.listener);
    this.listener.out = new Direction(this, this.dialer);
  }

  /** Queues a send (or an end of stream) on `dir`, behind everything already in flight. */
  transmit(dir: Direction, data: Uint8Array | null, error: Error | undefined, lossy: boolean): void {
    const now = this.world.scheduler.now();
    const size = data?.byteLength ?? 0;
    let t = Math.max(now, dir.busyUntil);
    const bandwidth = this.world.bandwidthBytesPerMs;
    if (bandwidth && size > 0) t += Math.ceil(size / bandwidth);
    dir.busyUntil = t;
    if (lossy && this.world.loss > 0) {
      let retransmits = 0;
      while (this.world.netRandom.float() < this.world.loss) {
        if (++retransmits > MAX_RETRANSMITS) {
          const sender = dir.to.peer;
          sender.fail(new TokumeiError('io', TransportFailure.RESET, `link ${sender.remoteAddress}: too many retransmissions`));
          return;
        }
        t += this.rtoMs;
      }
    }
    const arrival = Math.max(t + this.latencyMs, dir.lastArrival);
    dir.lastArrival = arrival;
    dir.queue.push(error ? { arrival, data, error } : { arrival, data });
    dir.bytes += size;
    if (dir.bytes > MAX_IN_FLIGHT_BYTES) {
      const sender = dir.to.peer;
      sender.fail(new TokumeiError('io', TransportFailure.STALLED,
        `link ${sender.remoteAddress}: peer is not reading (over ${MAX_IN_FLIGHT_BYTES} bytes in flight)`));
      return;
    }
    this.schedule(dir);
  }

  /** Drops what is in flight on `dir` and sends a reset behind nothing. */
  reset(dir: Direction, error: Error): void {
    dir.queue = [];
    dir.head = 0;
    dir.bytes = 0;
    dir.lastArrival = 0;
    dir.busyUntil = 0;
    dir.stalled = false; // a reset is sent even into a blackhole; delivery re-checks the cut
    this.transmit(dir, null, error, false);
  }

  /** After a blackhole heals: what waited leaves now, still in order. */
  resume(dir: Direction): void {
    if (!dir.stalled) return;
    dir.stalled = false;
    const earliest = this.world.scheduler.now() + this.latencyMs;
    for (let i = dir.head; i < dir.queue.length; i++) {
      const chunk = dir.queue[i]!;
      chunk.arrival = Math.max(chunk.arrival, earliest);
    }
    dir.lastArrival = Math.max(dir.lastArrival, earliest);
    this.schedule(dir);
  }

  private schedule(dir: Direction): void {
    if (dir.scheduled || dir.delivering || dir.stalled) return;
    const head = dir.queue[dir.head];
    if (!head) return;
    dir.scheduled = this.world.scheduler.at(head.arrival, () => this.deliver(dir), dir.to.owner, 'deliver');
  }

  private deliver(dir: Direction): void {
    dir.scheduled = null;
    const to = dir.to;
    if (this.world.isBlackholed(to.peer.host, to.host)) {
      dir.stalled = true;
      return;
    }
    const now = this.world.scheduler.now();
    dir.delivering = true;
    try {
      while (dir.head < dir.queue.length) {
        const chunk = dir.queue[dir.head]!;
        if (chunk.arrival > now) break;
        dir.queue[dir.head++] = undefined;
        dir.bytes -= chunk.data?.byteLength ?? 0;
        to.receive(chunk);
      }
    } finally {
      // Even when a handler threw, what is left must still be delivered later.
      dir.delivering = false;
      if (dir.head > 1024 && dir.head * 2 > dir.queue.length) {
        dir.queue = dir.queue.slice(dir.head);
        dir.head = 0;
      }
      this.schedule(dir);
    }
  }
}

function resetError(message: string): TokumeiError {
  return new TokumeiError('io', TransportFailure.RESET, message);
}

function handlerSetTwice(what: string): TokumeiError {
  return RuntimeErrors.RUNTIME_HANDLER_SET_TWICE(`${what} handler may be set only once`);
}

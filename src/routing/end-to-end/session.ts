/**
 * One end of an end-to-end session (docs/protocol.md §6.8): numbered messages cut into sealed
 * chunks, paced out, acknowledged as they progress and whole, resent from the first byte not yet
 * acknowledged, de-duplicated on arrival — so a route repair (backtrack, new route, multicast)
 * loses and duplicates nothing and resends only what did not arrive. The session does not know how
 * its chunks travel: the owner hands it a `transmit` function.
 */
import { hmacSha256 } from '../../crypto/hash.js';
import type { Runtime, TimerHandle } from '../../runtime/runtime.js';
import { Reader, Writer } from '../../wire/codec.js';
import { TokenBucket } from '../../link/token-bucket.js';
import { MessageReassembler } from './message-reassembler.js';
import { openChunk, sealChunk } from './e2e.js';
import { RoutingErrors } from '../core/routing-errors.js';

/** Largest message a session carries. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** BOUNDED: messages in flight per session. */
const MAX_OUTSTANDING = 64;
/** BOUNDED: message numbers remembered as delivered, to drop late duplicates. */
const DELIVERED_MEMORY = 4_096;
const ACK_LABEL = new TextEncoder().encode('tokumei e2e ack');
/** The receiver acknowledges progress after this many new chunks of one message. */
export const PROGRESS_EVERY = 64;
/** BOUNDED: messages whose progress the receiver tracks (the reassembler's concurrency). */
const PROGRESS_TRACKED = 64;

export interface SessionKeys {
  send: Uint8Array;
  receive: Uint8Array;
}

export type ChunkKind = 'data' | 'ack';

export interface Transmit {
  /** Sends one sealed chunk (or ack) of a message of `messageBytes`; returns false when there is no path for it right now. */
  (kind: ChunkKind, sealed: Uint8Array, messageBytes: number): boolean;
}

interface Outbound {
  msgNo: number;
  bytes: number;
  chunks: Uint8Array[];
  /** Index of the next chunk to send. */
  cursor: number;
  /** Bytes the receiver acknowledged from offset 0. */
  acked: number;
  sentAt: number;
  /** When the last acknowledgement (progress or whole) of this message arrived. */
  progressAt: number;
  resolve: () => void;
  reject: (e: Error) => void;
  /** Retransmission timers that fired since the path last changed. */
  timeouts: number;
  timer: TimerHandle | undefined;
  deadline: TimerHandle;
}

export interface SessionOptions {
  runtime: Runtime;
  keys: SessionKeys;
  /** Bytes of sealed data per chunk. */
  chunkBytes: number;
  minRtoMs: number;
  deadlineMs: number;
  transmit: Transmit;
  onMessage: (msgNo: number, bytes: Uint8Array) => void;
  /** A message went unacknowledged through `timeouts` retransmission timers on one path. */
  onStall?: (timeouts: number) => void;
  /** Chunks per second and burst the session sends at most: below what a neighbour's link accepts (§3.4). */
  pace?: { perSecond: number; burst: number };
}

/** Default pace: well under a link's inbound limit of 5,000 cells/s with a burst of 10,000. */
export const DEFAULT_PACE = { perSecond: 2_000, burst: 500 };

export class Session {
  private nextMsgNo = 0;
  private readonly outbound = new Map<number, Outbound>(); // BOUNDED(MAX_OUTSTANDING)
  private readonly reassembler = new MessageReassembler();
  private readonly delivered = new Set<number>(); // BOUNDED(DELIVERED_MEMORY)
  private readonly ackSend: Uint8Array;
  private readonly ackReceive: Uint8Array;
  private readonly bucket: TokenBucket;
  private readonly pace: { perSecond: number; burst: number };
  private pump: TimerHandle | undefined;
  /** Chunks received per message since its last progress acknowledgement. */
  private readonly sinceProgress = new Map<number, number>(); // BOUNDED(PROGRESS_TRACKED)
  private closed = false;
  rttMs = 1_000;
  retransmissions = 0;

  constructor(private readonly o: SessionOptions) {
    this.ackSend = hmacSha256(o.keys.receive, ACK_LABEL); // we acknowledge what we receive
    this.ackReceive = hmacSha256(o.keys.send, ACK_LABEL);
    this.pace = o.pace ?? DEFAULT_PACE;
    this.bucket = new TokenBucket(this.pace.perSecond, this.pace.burst, o.runtime.clock.now());
  }

  get outstanding(): number {
    return this.outbound.size;
  }

  /** Sends a message; resolves when the other end acknowledged all of it. */
  send(bytes: Uint8Array): Promise<number> {
    if (bytes.length > MAX_MESSAGE_BYTES) return Promise.reject(RoutingErrors.MESSAGE_TOO_LARGE(`message over ${MAX_MESSAGE_BYTES} bytes`));
    if (this.outbound.size >= MAX_OUTSTANDING) return Promise.reject(RoutingErrors.SESSION_BUSY('too many messages in flight'));
    const msgNo = this.nextMsgNo++;
    const chunks: Uint8Array[] = [];
    const size = this.o.chunkBytes;
    for (let offset = 0; offset < bytes.length || (offset === 0 && chunks.length === 0); offset += size) {
      chunks.push(sealChunk(this.o.keys.send, { msgNo, total: bytes.length, offset, bytes: bytes.subarray(offset, offset + size) }));
      if (bytes.length === 0) break;
    }
    return new Promise<number>((resolve, reject) => {
      const clock = this.o.runtime.clock;
      const now = clock.now();
      const out: Outbound = {
        msgNo,
        bytes: bytes.length,
        chunks,
        cursor: 0,
        acked: 0,
        sentAt: now,
        progressAt: now,
        resolve: () => resolve(msgNo),
        reject,
        timeouts: 0,
        timer: undefined,
        deadline: clock.setTimeout(() => this.fail(msgNo, RoutingErrors.MESSAGE_TIMEOUT(`no acknowledgement within ${this.o.deadlineMs} ms`)), this.o.deadlineMs),
      };
      this.outbound.set(msgNo, out);
      this.sendSome();
    });
  }

  /** Sends everything not yet acknowledged again (after a route repair). */
  retransmitAll(): void {
    for (const out of this.outbound.values()) {
      out.timeouts = 0;
      this.rewind(out);
    }
    this.sendSome();
  }

  /** Abandons every outstanding message. */
  close(reason: Error): void {
    this.closed = true;
    this.pump?.cancel();
    this.pump = undefined;
    for (const msgNo of [...this.outbound.keys()]) this.fail(msgNo, reason);
  }

  /** Back to the first chunk the receiver has not acknowledged. */
  private rewind(out: Outbound): void {
    out.cursor = Math.min(out.chunks.length, Math.floor(out.acked / this.o.chunkBytes));
  }

  private fail(msgNo: number, e: Error): void {
    const out = this.outbound.get(msgNo);
    if (!out) return;
    out.timer?.cancel();
    out.deadline.cancel();
    this.outbound.delete(msgNo);
    out.reject(e);
  }

  /**
   * Sends chunks, oldest message first, as the pace allows; comes back when it runs out of tokens.
   * A message whose last chunk went out waits for its acknowledgement with a retransmission timer.
   */
  private sendSome(): void {
    if (this.closed) return;
    const clock = this.o.runtime.clock;
    for (const out of this.outbound.values()) {
      while (out.cursor < out.chunks.length) {
        const now = clock.now();
        if (!this.bucket.take(now)) {
          if (!this.pump) {
            this.pump = clock.setTimeout(() => {
              this.pump = undefined;
              this.sendSome();
            }, Math.max(1, Math.ceil(1000 / this.pace.perSecond)));
          }
          return;
        }
        if (!this.o.transmit('data', out.chunks[out.cursor]!, out.bytes)) return; // no path now: the owner calls retransmitAll
        out.cursor++;
        out.sentAt = now;
        if (out.cursor === out.chunks.length) this.armTimer(out);
      }
    }
  }

  /** Retransmission timer: no acknowledgement of any kind within the RTO resends from `acked`. */
  private armTimer(out: Outbound): void {
    out.timer?.cancel();
    const rto = Math.max(this.o.minRtoMs, 2 * this.rttMs + Math.ceil((PROGRESS_EVERY * 1000) / this.pace.perSecond));
    const armedAt = this.o.runtime.clock.now();
    out.timer = this.o.runtime.clock.setTimeout(() => {
      if (!this.outbound.has(out.msgNo)) return;
      if (out.progressAt > armedAt) return this.armTimer(out);
      this.retransmissions++;
      out.timeouts++;
      this.rewind(out);
      this.sendSome();
      this.o.onStall?.(out.timeouts);
    }, rto);
  }

  /** A sealed data chunk arrived; throws a TokumeiError if it does not authenticate. */
  onData(sealed: Uint8Array): void {
    const chunk = openChunk(this.o.keys.receive, sealed);
    if (this.delivered.has(chunk.msgNo)) {
      this.ack(chunk.msgNo); // our ack was lost: say it again
      return;
    }
    const whole = this.reassembler.add(chunk);
    if (!whole) {
      const n = (this.sinceProgress.get(chunk.msgNo) ?? 0) + 1;
      if (n < PROGRESS_EVERY) {
        if (this.sinceProgress.has(chunk.msgNo) || this.sinceProgress.size < PROGRESS_TRACKED) this.sinceProgress.set(chunk.msgNo, n);
        return;
      }
      this.sinceProgress.set(chunk.msgNo, 0);
      const received = this.reassembler.received(chunk.msgNo);
      if (received > 0) this.o.transmit('ack', sealProgress(this.ackSend, chunk.msgNo, received), 0);
      return;
    }
    this.sinceProgress.delete(chunk.msgNo);
    this.delivered.add(chunk.msgNo);
    if (this.delivered.size > DELIVERED_MEMORY) this.delivered.delete(this.delivered.values().next().value!);
    this.ack(chunk.msgNo);
    this.o.onMessage(chunk.msgNo, whole);
  }

  private ack(msgNo: number): void {
    const sealed = sealChunk(this.ackSend, { msgNo, total: 0, offset: 0, bytes: new Uint8Array(0) });
    this.o.transmit('ack', sealed, 0);
  }

  onAck(sealed: Uint8Array): void {
    const { msgNo, offset, bytes } = openChunk(this.ackReceive, sealed);
    const out = this.outbound.get(msgNo);
    if (!out) return;
    if (bytes.length > 0) {
      // Progress: the receiver holds `offset` bytes from the start (§6.8).
      if (bytes.length !== 4 || new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0) !== offset) throw RoutingErrors.E2E_CHUNK_INVALID('malformed progress acknowledgement');
      if (offset > out.acked) {
        out.acked = Math.min(offset, out.chunks.length * this.o.chunkBytes);
        out.progressAt = this.o.runtime.clock.now();
        out.timeouts = 0;
      }
      return;
    }
    const sample = this.o.runtime.clock.now() - out.sentAt;
    this.rttMs = Math.round(0.75 * this.rttMs + 0.25 * sample);
    out.timer?.cancel();
    out.deadline.cancel();
    this.outbound.delete(msgNo);
    out.resolve();
  }
}

/**
 * A progress acknowledgement: `received` bytes of message `msgNo` arrived from offset 0. Sealed as a
 * chunk with offset = received, total = received + 4 and the 4 bytes `received u32`, so its nonce
 * (which names offset and length) repeats only with the same plaintext.
 */
function sealProgress(key: Uint8Array, msgNo: number, received: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, received);
  return sealChunk(key, { msgNo, total: received + 4, offset: received, bytes });
}

/** The per-chunk envelope that names the session (§6.8): session id, and on the sender's side the
 * ephemeral key and reply address the destination needs to open and answer it. */
export interface Envelope {
  sessionId: Uint8Array;
  ephemeral?: Uint8Array;
  replyAddress?: string;
  sealed: Uint8Array;
}

export function encodeEnvelope(e: Envelope): Uint8Array {
  const w = new Writer().bytes(e.sessionId).u8((e.ephemeral ? 1 : 0) | (e.replyAddress ? 2 : 0));
  if (e.ephemeral) w.bytes(e.ephemeral);
  if (e.replyAddress) w.string8(e.replyAddress);
  return w.bytes(e.sealed).finish();
}

export function decodeEnvelope(data: Uint8Array): Envelope {
  const r = new Reader(data);
  const sessionId = r.bytes(16, 'session id').slice();
  const flags = r.u8('envelope flags');
  if (flags & ~3) throw RoutingErrors.WIRE_INVALID('unknown envelope flags');
  const ephemeral = flags & 1 ? r.bytes(32, 'envelope key').slice() : undefined;
  const replyAddress = flags & 2 ? r.string8('reply address') : undefined;
  return { sessionId, ephemeral, replyAddress, sealed: r.rest().slice() };
}

/**
 * One end of an end-to-end session (docs/protocol.md §6.8): numbered messages cut into sealed
 * chunks, acknowledged whole, retransmitted until acknowledged, de-duplicated on arrival — so a
 * route repair (backtrack, new route, multicast) loses and duplicates nothing. The session does
 * not know how its chunks travel: the owner hands it a `transmit` function.
 */
import { hmacSha256 } from '../crypto/hash.js';
import { TokumeiError } from '../errors.js';
import type { Runtime, TimerHandle } from '../runtime/runtime.js';
import { Reader, Writer } from '../wire/codec.js';
import { MessageReassembler } from './message-reassembler.js';
import { openChunk, sealChunk } from './e2e.js';
import { RoutingErrors } from './routing-errors.js';

/** Largest message a session carries. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** BOUNDED: messages in flight per session. */
const MAX_OUTSTANDING = 64;
/** BOUNDED: message numbers remembered as delivered, to drop late duplicates. */
const DELIVERED_MEMORY = 4_096;
const ACK_LABEL = new TextEncoder().encode('tokumei e2e ack');

export interface SessionKeys {
  send: Uint8Array;
  receive: Uint8Array;
}

export type ChunkKind = 'data' | 'ack';

export interface Transmit {
  /** Sends one sealed chunk (or ack); returns false when there is no path right now. */
  (kind: ChunkKind, sealed: Uint8Array): boolean;
}

interface Outbound {
  msgNo: number;
  chunks: Uint8Array[];
  sentAt: number;
  firstSentAt: number;
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
}

export class Session {
  private nextMsgNo = 0;
  private readonly outbound = new Map<number, Outbound>(); // BOUNDED(MAX_OUTSTANDING)
  private readonly reassembler = new MessageReassembler();
  private readonly delivered = new Set<number>(); // BOUNDED(DELIVERED_MEMORY)
  private readonly ackSend: Uint8Array;
  private readonly ackReceive: Uint8Array;
  rttMs = 1_000;
  retransmissions = 0;

  constructor(private readonly o: SessionOptions) {
    this.ackSend = hmacSha256(o.keys.receive, ACK_LABEL); // we acknowledge what we receive
    this.ackReceive = hmacSha256(o.keys.send, ACK_LABEL);
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
        chunks,
        sentAt: now,
        firstSentAt: now,
        resolve: () => resolve(msgNo),
        reject,
        timeouts: 0,
        timer: undefined,
        deadline: clock.setTimeout(() => this.fail(msgNo, RoutingErrors.MESSAGE_TIMEOUT(`no acknowledgement within ${this.o.deadlineMs} ms`)), this.o.deadlineMs),
      };
      this.outbound.set(msgNo, out);
      this.transmitMessage(out);
    });
  }

  /** Sends everything not yet acknowledged again (after a route repair). */
  retransmitAll(): void {
    for (const out of this.outbound.values()) {
      out.timeouts = 0;
      this.transmitMessage(out);
    }
  }

  /** Abandons every outstanding message. */
  close(reason: Error): void {
    for (const msgNo of [...this.outbound.keys()]) this.fail(msgNo, reason);
  }

  private fail(msgNo: number, e: Error): void {
    const out = this.outbound.get(msgNo);
    if (!out) return;
    out.timer?.cancel();
    out.deadline.cancel();
    this.outbound.delete(msgNo);
    out.reject(e);
  }

  private transmitMessage(out: Outbound): void {
    out.timer?.cancel();
    out.sentAt = this.o.runtime.clock.now();
    for (const c of out.chunks) if (!this.o.transmit('data', c)) break;
    const rto = Math.max(this.o.minRtoMs, 2 * this.rttMs + 50 * out.chunks.length);
    out.timer = this.o.runtime.clock.setTimeout(() => {
      this.retransmissions++;
      out.timeouts++;
      this.transmitMessage(out);
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
    if (!whole) return;
    this.delivered.add(chunk.msgNo);
    if (this.delivered.size > DELIVERED_MEMORY) this.delivered.delete(this.delivered.values().next().value!);
    this.ack(chunk.msgNo);
    this.o.onMessage(chunk.msgNo, whole);
  }

  private ack(msgNo: number): void {
    const sealed = sealChunk(this.ackSend, { msgNo, total: 0, offset: 0, bytes: new Uint8Array(0) });
    this.o.transmit('ack', sealed);
  }

  onAck(sealed: Uint8Array): void {
    const { msgNo } = openChunk(this.ackReceive, sealed);
    const out = this.outbound.get(msgNo);
    if (!out) return;
    const sample = this.o.runtime.clock.now() - out.sentAt;
    this.rttMs = Math.round(0.75 * this.rttMs + 0.25 * sample);
    out.timer?.cancel();
    out.deadline.cancel();
    this.outbound.delete(msgNo);
    out.resolve();
  }
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

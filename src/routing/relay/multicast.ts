/**
 * Multicast fallback (docs/protocol.md §6.9): when every route is gone, an end-to-end sealed
 * envelope addressed by the destination's anonymous ID is flooded with a hop budget. Every node
 * forwards each message once — the destination too, so its neighbours cannot tell it apart — and
 * only the owner of the ID takes it.
 */
import { Command } from '../../wire/cell.js';
import { Reader, Writer, wireError } from '../../wire/codec.js';
import { toHex } from '../../crypto/bytes.js';
import { TokenBucket } from '../../link/token-bucket.js';
import type { Neighbour } from '../../overlay/overlay-types.js';
import { ANON_ID_LENGTH } from '../../anonymous-id/anonymous-id.js';
import type { OwnAddress, RoutingContext } from './routing-context.js';
import type { ChunkKind } from '../end-to-end/session.js';

export const MAX_MULTICAST_ENVELOPE = 8_192;
/** BOUNDED: message ids remembered, and how long. */
const SEEN_CAPACITY = 16_384;
const SEEN_MS = 120_000;
/** Multicast messages a neighbour may send per second, and its burst. */
const RATE = 100;
const BURST = 400;

export interface MulticastMessage {
  msgId: Uint8Array;
  ttl: number;
  tag: Uint8Array;
  kind: ChunkKind;
  envelope: Uint8Array;
}

export function encodeMulticast(m: MulticastMessage): Uint8Array {
  if (m.envelope.length > MAX_MULTICAST_ENVELOPE) throw wireError('WIRE_TOO_LARGE', 'multicast envelope too large');
  return new Writer().bytes(m.msgId).u8(m.ttl).bytes(m.tag).u8(m.kind === 'data' ? 1 : 2).bytes16(m.envelope).finish();
}

export function decodeMulticast(body: Uint8Array): MulticastMessage {
  const r = new Reader(body);
  const msgId = r.bytes(16, 'multicast id').slice();
  const ttl = r.u8('multicast ttl');
  const tag = r.bytes(ANON_ID_LENGTH, 'multicast tag').slice();
  const kindByte = r.u8('multicast kind');
  if (kindByte !== 1 && kindByte !== 2) throw wireError('WIRE_INVALID', 'unknown multicast kind');
  const envelope = r.bytes16('multicast envelope').slice();
  r.end('multicast');
  if (envelope.length > MAX_MULTICAST_ENVELOPE) throw wireError('WIRE_TOO_LARGE', 'multicast envelope too large');
  return { msgId, ttl, tag, kind: kindByte === 1 ? 'data' : 'ack', envelope };
}

export class Multicast {
  private readonly seen = new Map<string, number>(); // BOUNDED(SEEN_CAPACITY): id → expiry
  private readonly buckets = new Map<string, TokenBucket>(); // BOUNDED(degree)

  constructor(
    private readonly ctx: RoutingContext,
    private readonly deliver: (address: OwnAddress, kind: ChunkKind, envelope: Uint8Array, from: string) => void,
  ) {}

  forgetNeighbour(id: string): void {
    this.buckets.delete(id);
  }

  send(tag: Uint8Array, kind: ChunkKind, envelope: Uint8Array): void {
    const { ctx } = this;
    const m: MulticastMessage = { msgId: ctx.runtime.random.bytes(16), ttl: ctx.config.multicastTtl, tag, kind, envelope };
    this.markSeen(toHex(m.msgId), ctx.runtime.clock.now());
    const bytes = encodeMulticast(m);
    ctx.sendMessage(ctx.overlay.neighbourList().map((n) => n.link), Command.MULTICAST, bytes);
    ctx.counters.multicastSent++;
    ctx.events.add('multicast-sent', { kind, bytes: envelope.length });
  }

  onMessage(from: Neighbour, body: Uint8Array): void {
    const { ctx } = this;
    const now = ctx.runtime.clock.now();
    let bucket = this.buckets.get(from.id);
    if (!bucket) this.buckets.set(from.id, (bucket = new TokenBucket(RATE, BURST, now)));
    if (!bucket.take(now)) {
      ctx.counters.multicastDropped++;
      return;
    }
    const m = decodeMulticast(body);
    const key = toHex(m.msgId);
    const expiry = this.seen.get(key);
    if (expiry !== undefined && expiry > now) return;
    this.markSeen(key, now);
    const own = ctx.addressFor(m.tag);
    if (own) {
      ctx.events.add('multicast-received', { kind: m.kind });
      this.deliver(own, m.kind, m.envelope, from.id);
    }
    if (m.ttl === 0) return;
    const bytes = encodeMulticast({ ...m, ttl: m.ttl - 1 });
    ctx.sendMessage(ctx.overlay.neighbourList().filter((n) => n.id !== from.id).map((n) => n.link), Command.MULTICAST, bytes);
    ctx.counters.multicastForwarded++;
  }

  private markSeen(key: string, now: number): void {
    this.seen.delete(key);
    this.seen.set(key, now + SEEN_MS);
    while (this.seen.size > SEEN_CAPACITY) this.seen.delete(this.seen.keys().next().value!);
  }
}

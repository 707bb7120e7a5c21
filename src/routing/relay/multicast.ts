/**
 * Multicast fallback (docs/protocol.md §6.9): when every route is gone, an end-to-end sealed
 * envelope addressed by the destination's anonymous ID walks a stem (per-epoch stem successors, as
 * seeks do) and then floods with a hop budget drawn by the sender. Every node forwards each
 * message once — the destination too, so its neighbours cannot tell it apart — and only the owner
 * of the ID takes it.
 */
import { Command } from '../../wire/cell.js';
import { Reader, Writer, wireError } from '../../wire/codec.js';
import { toHex } from '../../crypto/bytes.js';
import { TokenBucket } from '../../link/token-bucket.js';
import type { Neighbour } from '../../overlay/overlay-types.js';
import { ANON_ID_LENGTH } from '../../anonymous-id/anonymous-id.js';
import type { OwnAddress, RoutingContext } from './routing-context.js';
import type { ChunkKind } from '../end-to-end/session.js';
import { stemSuccessor } from './stem-successors.js';

export const MAX_MULTICAST_ENVELOPE = 8_192;
/** BOUNDED: message ids remembered, and how long. */
const SEEN_CAPACITY = 16_384;
const SEEN_MS = 120_000;
/** Multicast messages a neighbour may send per second, and its burst. */
const RATE = 100;
const BURST = 400;

/** The sender draws the TTL in [MIN_MULTICAST_TTL, the configured maximum]. */
export const MIN_MULTICAST_TTL = 8;
/** Probability a stem hop switches to the flood (as for seeks). */
const FLUFF = 0.35;

export interface MulticastMessage {
  msgId: Uint8Array;
  ttl: number;
  /** True while in the stem (one successor per hop), false in the flood. */
  stem: boolean;
  tag: Uint8Array;
  kind: ChunkKind;
  envelope: Uint8Array;
}

export function encodeMulticast(m: MulticastMessage): Uint8Array {
  if (m.envelope.length > MAX_MULTICAST_ENVELOPE) throw wireError('WIRE_TOO_LARGE', 'multicast envelope too large');
  return new Writer().bytes(m.msgId).u8(m.ttl).u8(m.stem ? 1 : 0).bytes(m.tag).u8(m.kind === 'data' ? 1 : 2).bytes16(m.envelope).finish();
}

export function decodeMulticast(body: Uint8Array): MulticastMessage {
  const r = new Reader(body);
  const msgId = r.bytes(16, 'multicast id').slice();
  const ttl = r.u8('multicast ttl');
  const stem = r.u8('multicast stem');
  if (stem > 1) throw wireError('WIRE_INVALID', `multicast stem ${stem}`);
  const tag = r.bytes(ANON_ID_LENGTH, 'multicast tag').slice();
  const kindByte = r.u8('multicast kind');
  if (kindByte !== 1 && kindByte !== 2) throw wireError('WIRE_INVALID', 'unknown multicast kind');
  const envelope = r.bytes16('multicast envelope').slice();
  r.end('multicast');
  if (envelope.length > MAX_MULTICAST_ENVELOPE) throw wireError('WIRE_TOO_LARGE', 'multicast envelope too large');
  return { msgId, ttl, stem: stem === 1, tag, kind: kindByte === 1 ? 'data' : 'ack', envelope };
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
    const top = ctx.config.multicastTtl;
    const low = Math.min(MIN_MULTICAST_TTL, top);
    const m: MulticastMessage = { msgId: ctx.runtime.random.bytes(16), ttl: low + ctx.runtime.random.int(top - low + 1), stem: true, tag, kind, envelope };
    this.markSeen(toHex(m.msgId), ctx.runtime.clock.now());
    // Our own message leaves as one we forward in the stem would: to our successor for ourselves.
    const next = this.stemNext(ctx.identity.passport.serial);
    if (next) ctx.sendMessage(next.link, Command.MULTICAST, encodeMulticast(m));
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
    // At the top TTL a forwarder keeps it with probability 1/2, as for seeks.
    const ttl = m.ttl === ctx.config.multicastTtl && ctx.runtime.random.float() < 0.5 ? m.ttl : m.ttl - 1;
    if (m.stem && ctx.runtime.random.float() >= FLUFF) {
      const next = this.stemNext(from.id);
      if (next) ctx.sendMessage(next.link, Command.MULTICAST, encodeMulticast({ ...m, ttl }));
    } else {
      const bytes = encodeMulticast({ ...m, ttl, stem: false });
      ctx.sendMessage(ctx.overlay.neighbourList().filter((n) => n.id !== from.id).map((n) => n.link), Command.MULTICAST, bytes);
    }
    ctx.counters.multicastForwarded++;
  }

  /** This epoch's stem successor for messages from `incoming` (relay/stem-successors.ts). */
  private stemNext(incoming: string): Neighbour | undefined {
    const { ctx } = this;
    const id = stemSuccessor(ctx.rpKeys.keysFor(ctx.epoch()).stem, ctx.overlay.neighbourList().map((n) => n.id), incoming);
    return id === undefined ? undefined : ctx.overlay.neighbour(id);
  }

  private markSeen(key: string, now: number): void {
    this.seen.delete(key);
    this.seen.set(key, now + SEEN_MS);
    while (this.seen.size > SEEN_CAPACITY) this.seen.delete(this.seen.keys().next().value!);
  }
}

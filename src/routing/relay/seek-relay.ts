/**
 * The relay's side of route seeking (docs/protocol.md §6.2–6.3): it forwards seeks (stem, then
 * flood, with a copy cap and a rate limit per neighbour), answers those for its own addresses, and
 * passes route information back — only for seeks it forwarded, a few answers each, none twice —
 * adding its hop record on the way.
 */
import type { KeyObject } from 'node:crypto';
import { Command } from '../../wire/cell.js';
import { toHex } from '../../crypto/bytes.js';
import type { Neighbour } from '../../overlay/overlay-types.js';
import { TokenBucket } from '../../link/token-bucket.js';
import type { RoutingContext } from './routing-context.js';
import { addReturnLayer, decodeRouteSeek, encodeRouteInfo, encodeRouteSeek, fakeHopRecords, makeRouteProof, MAX_SEEK_TTL, pushHopRecord, type RouteInfo, type RouteSeek } from '../formats/route-seek.js';
import { unwrapReturnPath } from '../formats/return-path.js';
import { sealPointer } from '../formats/pointer.js';
import { sealHopRecord } from '../formats/hop-record.js';
import { serialFromBytes, serialToBytes } from '../formats/serial-bytes.js';
import { stemSuccessor } from './stem-successors.js';
import type { IntroPoint } from './intro-point.js';

/** BOUNDED: seek ids remembered for the copy cap, and how long. */
const SEEN_CAPACITY = 8_192;
const SEEN_MS = 60_000;
/** BOUNDED: route information a relay passes back per seek (the destination answers this many). */
const RETURNS_PER_SEEK = 4;

interface Seen {
  copies: number;
  answered: number;
  /** The seek's temporary key: a relay seals its hop record to it on the way back. */
  tempKey: Uint8Array;
  /** Proofs of the answers passed back (BOUNDED(RETURNS_PER_SEEK)): a repeat is a replay. */
  returned: string[];
  expires: number;
}

export interface SeekRelayHooks {
  /** Whether `seekId` (hex) is one of this node's own seeks in progress (probes excepted: they come back to be answered). */
  isOwnSeek(seekId: string): boolean;
  /** This node as an introduction relay. */
  intro?: IntroPoint;
}

export class SeekRelay {
  private readonly seen = new Map<string, Seen>(); // BOUNDED(SEEN_CAPACITY)
  private readonly buckets = new Map<string, TokenBucket>(); // BOUNDED(degree): one per neighbour

  /** `slot`: room for a passport in every record of this community (hop-record.ts). */
  constructor(
    private readonly ctx: RoutingContext,
    private readonly slot: number,
    private readonly hooks: SeekRelayHooks,
  ) {}

  forgetNeighbour(id: string): void {
    this.buckets.delete(id);
  }

  onSeek(n: Neighbour, body: Uint8Array): void {
    const { ctx } = this;
    const now = ctx.runtime.clock.now();
    let bucket = this.buckets.get(n.id);
    if (!bucket) this.buckets.set(n.id, (bucket = new TokenBucket(ctx.config.seekRate, ctx.config.seekBurst, now)));
    if (!bucket.take(now)) {
      ctx.counters.seeksDropped++;
      return;
    }
    const seek = decodeRouteSeek(body);
    ctx.counters.seeksReceived++;
    const key = toHex(seek.seekId);
    ctx.observer?.onSeek?.(key, n.id, now, seek.ttl);
    if (this.hooks.isOwnSeek(key)) return; // our own seek came back
    const seen = this.remember(key, seek.tempKey, now);
    // An address served through introduction relays is not answered here: this node then looks
    // like any relay to the seek (§6.10).
    const own = ctx.addressFor(seek.tag);
    if (own?.introduced) return this.forward(n, seek, seen);
    if (!own && this.hooks.intro?.serves(seek.tag)) {
      if (seen.answered < ctx.config.answersPerSeek) {
        seen.answered++;
        this.hooks.intro.query(n, seek);
      }
      return;
    }
    if (own) {
      if (seen.answered < ctx.config.answersPerSeek) {
        seen.answered++;
        this.answer(n, seek, own.privateKey);
      }
      // A board replica (anycast, §7) forwards too, as a relay would: a seek that meets a replica
      // after one or two hops then still finds routes of ≥ 3 relays to another replica.
      if (!own.anycast) return;
    }
    this.forward(n, seek, seen);
  }

  private forward(n: Neighbour, seek: RouteSeek, seen: Seen): void {
    const { ctx } = this;
    if (seek.ttl === 0 || seen.copies >= ctx.config.seekCopyCap) {
      ctx.counters.seeksDropped++;
      return;
    }
    seen.copies++;
    const epoch = ctx.epoch();
    let next = addReturnLayer(seek, serialToBytes(n.id), ctx.rpKeys, epoch, ctx.runtime.random);
    // At the top TTL a forwarder keeps it with probability 1/2 (as Freenet does at its top HTL),
    // so a seek at the top TTL may come from further away than the neighbour it came from.
    next.ttl = seek.ttl === MAX_SEEK_TTL && ctx.runtime.random.float() < 0.5 ? seek.ttl : seek.ttl - 1;
    if (ctx.tamper?.forwardSeek) next = ctx.tamper.forwardSeek(next, n.id);
    let targets = ctx.overlay.neighbourList().filter((x) => x.id !== n.id);
    if (seek.stem) {
      if (ctx.runtime.random.float() < ctx.config.stemFluffProbability) {
        next.stem = false;
        next.ttl = Math.min(next.ttl, ctx.config.floodHops);
      } else {
        const next = stemSuccessor(ctx.rpKeys.keysFor(epoch).stem, ctx.overlay.neighbourList().map((x) => x.id), n.id);
        targets = targets.filter((t) => t.id === next);
      }
    }
    const bytes = encodeRouteSeek(next);
    ctx.sendMessage(targets.map((t) => t.link), Command.ROUTE_SEEK, bytes);
    ctx.counters.seeksForwarded++;
  }

  private remember(key: string, tempKey: Uint8Array, now: number): Seen {
    let s = this.seen.get(key);
    if (s && s.expires > now) return s;
    s = { copies: 0, answered: 0, tempKey, returned: [], expires: now + SEEN_MS };
    this.seen.delete(key);
    this.seen.set(key, s);
    while (this.seen.size > SEEN_CAPACITY) this.seen.delete(this.seen.keys().next().value!);
    return s;
  }

  private answer(n: Neighbour, seek: RouteSeek, addressPrivate: KeyObject): void {
    const { ctx } = this;
    let proof: Uint8Array;
    try {
      proof = makeRouteProof(addressPrivate, seek.tempKey, seek.seekId, serialToBytes(n.id), ctx.runtime.random);
    } catch {
      ctx.counters.seeksDropped++; // an unusable T: nobody can read an answer
      return;
    }
    const info = { seekId: seek.seekId, proof, returnPath: seek.returnPath, hopRecords: fakeHopRecords(this.slot, ctx.runtime.random) };
    ctx.sendMessage(n.link, Command.ROUTE_INFO, encodeRouteInfo(info, this.slot));
    ctx.counters.seeksAnswered++;
    ctx.events.add('seek-answered', {});
  }

  /** Route information for a seek this node did not make: passed back toward the proxy (§6.3). */
  onRouteInfo(n: Neighbour, info: RouteInfo): void {
    const { ctx } = this;
    const key = toHex(info.seekId);
    // Only for a seek this relay passed on, a few answers each, none twice (§6.3).
    const now = ctx.runtime.clock.now();
    const seen = this.seen.get(key);
    const proof = toHex(info.proof);
    if (!seen || seen.expires <= now || seen.copies === 0 || seen.returned.length >= RETURNS_PER_SEEK || seen.returned.includes(proof)) {
      ctx.counters.routeInfoDropped++;
      return;
    }
    const epoch = ctx.epoch();
    const unwrapped = unwrapReturnPath(info.returnPath, info.seekId, ctx.rpKeys, epoch, ctx.runtime.random);
    const back = unwrapped ? ctx.overlay.neighbour(serialFromBytes(unwrapped.ref)) : undefined;
    if (!unwrapped || !back) {
      ctx.counters.routeInfoDropped++;
      return;
    }
    seen.returned.push(proof);
    // Our record for the proxy: who we are, who we got the seek from, and a sealed pointer to
    // where this answer came from (our next hop toward D).
    const record = sealHopRecord(
      seen.tempKey,
      info.seekId,
      { serial: serialToBytes(ctx.identity.passport.serial), predecessor: unwrapped.ref, pointer: sealPointer(serialToBytes(n.id), ctx.rpKeys, epoch, ctx.runtime.random), passportDer: ctx.identity.passport.der },
      ctx.identity.onionPrivateKey,
      this.slot,
      ctx.runtime.random,
    );
    let out: RouteInfo = { ...info, returnPath: unwrapped.block, hopRecords: pushHopRecord(info.hopRecords, record, this.slot) };
    if (ctx.tamper?.forwardRouteInfo) out = ctx.tamper.forwardRouteInfo(out, n.id, back.id);
    ctx.sendMessage(back.link, Command.ROUTE_INFO, encodeRouteInfo(out, this.slot));
    ctx.counters.routeInfoForwarded++;
    ctx.observer?.onRouteInfoPassed?.(key, ctx.runtime.clock.now());
  }
}

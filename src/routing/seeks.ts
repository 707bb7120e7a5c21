/**
 * Route seeking (docs/protocol.md §6.2–6.3): how a node forwards, answers and returns route seeks,
 * and how its onion proxy collects the answers into a candidate graph.
 */
import type { KeyObject } from 'node:crypto';
import { Command } from '../wire/cell.js';
import { toHex } from '../crypto/bytes.js';
import { generateX25519 } from '../crypto/x25519.js';
import { describeError } from '../errors.js';
import type { TimerHandle } from '../runtime/runtime.js';
import type { Neighbour } from '../overlay/overlay-types.js';
import { TokenBucket } from '../link/token-bucket.js';
import { CandidateGraph, type RelayInfo } from './candidate-graph.js';
import type { RoutingContext } from './routing-context.js';
import { addReturnLayer, decodeRouteInfo, decodeRouteSeek, encodeRouteInfo, encodeRouteSeek, fakeHopRecords, makeRouteProof, MAX_SEEK_TTL, newSeek, openHopRecords, openRouteProof, pushHopRecord, type RouteInfo, type RouteSeek } from './route-seek.js';
import { unwrapReturnPath } from './return-path.js';
import { sealPointer } from './pointer.js';
import { passportSlot, sealHopRecord } from './hop-record.js';
import { checkAnswerPath } from './route-check.js';
import { serialFromBytes, serialToBytes } from './serial-bytes.js';
import { short } from './outbound-route.js';
import { RoutingErrors } from './routing-errors.js';

/** BOUNDED: seek ids remembered for the copy cap, and how long. */
const SEEN_CAPACITY = 8_192;
const SEEN_MS = 60_000;
/** BOUNDED: the proxy's own seeks in progress. */
const MAX_PENDING = 64;

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

interface PendingSeek {
  tPrivate: KeyObject;
  /** The neighbours the seek went to: the only possible first relays. */
  firstHops: Set<string>;
  addressKey: Uint8Array;
  graph: CandidateGraph;
  answers: number;
  resolve: (g: CandidateGraph) => void;
  reject: (e: Error) => void;
  timers: TimerHandle[];
  done: boolean;
}

export class Seeks {
  private readonly seen = new Map<string, Seen>(); // BOUNDED(SEEN_CAPACITY)
  private readonly buckets = new Map<string, TokenBucket>(); // BOUNDED(degree): one per neighbour
  private readonly pending = new Map<string, PendingSeek>(); // BOUNDED(MAX_PENDING)
  /** Every record of this community has room for a passport of its key type. */
  private readonly slot: number;

  constructor(private readonly ctx: RoutingContext) {
    this.slot = passportSlot(ctx.identity.passport.keyType);
  }

  forgetNeighbour(id: string): void {
    this.buckets.delete(id);
  }

  // ── relay side ─────────────────────────────────────────────────────────────────────────────

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
    ctx.observer?.onSeek(key, n.id, now, seek.ttl);
    if (this.pending.has(key)) return; // our own seek came back
    const seen = this.remember(key, seek.tempKey, now);
    const own = ctx.addressFor(seek.tag);
    if (own) {
      if (seen.answered < ctx.config.answersPerSeek) {
        seen.answered++;
        this.answer(n, seek, own.privateKey);
      }
      // A board replica (anycast, §7) forwards too, as a relay would: a seek that meets a replica
      // after one or two hops then still finds routes of ≥ 3 relays to another replica.
      if (!own.anycast) return;
    }
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
      } else targets = targets.length > 0 ? [targets[ctx.runtime.random.int(targets.length)]!] : [];
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

  onRouteInfo(n: Neighbour, body: Uint8Array): void {
    const { ctx } = this;
    const info = decodeRouteInfo(body, this.slot);
    const key = toHex(info.seekId);
    const pending = this.pending.get(key);
    if (pending) return this.collect(pending, info);
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
  }

  // ── onion proxy side ───────────────────────────────────────────────────────────────────────

  /** Seeks routes to the owner of `tag`; resolves with the candidate graph. */
  seek(tag: Uint8Array, addressKey: Uint8Array): Promise<CandidateGraph> {
    const fanout = Math.max(1, this.ctx.config.seekFanout);
    const firsts = this.ctx.runtime.random;
    const neighbours = this.ctx.overlay.neighbourList();
    // Distinct first hops, one independent seek (own id, own key) through each.
    const order = neighbours.map((n) => ({ n, k: firsts.float() })).sort((a, b) => a.k - b.k).map((x) => x.n);
    const picks = order.slice(0, fanout);
    // All seeks feed one graph; the first to finish collecting answers it (what the others found
    // by then is in it too).
    const graph = new CandidateGraph();
    if (picks.length <= 1) return this.seekVia(tag, addressKey, picks[0], graph);
    return Promise.any(picks.map((n) => this.seekVia(tag, addressKey, n, graph))).catch((e: AggregateError) => {
      throw e.errors[0];
    });
  }

  private seekVia(tag: Uint8Array, addressKey: Uint8Array, first: Neighbour | undefined, graph: CandidateGraph): Promise<CandidateGraph> {
    const { ctx } = this;
    const neighbours = first ? [first] : [];
    if (neighbours.length === 0) return Promise.reject(RoutingErrors.NO_NEIGHBOURS('no neighbours to seek through'));
    if (this.pending.size >= MAX_PENDING) return Promise.reject(RoutingErrors.TOO_MANY_SEEKS('too many route seeks in progress'));
    const t = generateX25519(ctx.runtime.random);
    const seek = newSeek(tag, t.publicRaw, ctx.runtime.random);
    const key = toHex(seek.seekId);
    return new Promise<CandidateGraph>((resolve, reject) => {
      const firstHops = new Set(ctx.config.seekStem ? [neighbours[0]!.id] : ctx.overlay.neighbourList().map((x) => x.id));
      const p: PendingSeek = { tPrivate: t.privateKey, firstHops, addressKey, graph, answers: 0, resolve, reject, timers: [], done: false };
      this.pending.set(key, p);
      p.timers.push(
        ctx.runtime.clock.setTimeout(() => this.finish(key, p), ctx.config.seekTimeoutMs),
      );
      if (ctx.config.seekStem) {
        ctx.sendMessage(neighbours[0]!.link, Command.ROUTE_SEEK, encodeRouteSeek(seek));
      } else {
        // Plain flood (the scale experiment's baseline): every neighbour at once, no stem.
        seek.stem = false;
        seek.ttl = Math.min(seek.ttl, ctx.config.floodHops);
        const bytes = encodeRouteSeek(seek);
        ctx.sendMessage(ctx.overlay.neighbourList().map((n) => n.link), Command.ROUTE_SEEK, bytes);
      }
      ctx.counters.seeksSent++;
      ctx.events.add('seek-sent', { ttl: seek.ttl });
    });
  }

  private collect(p: PendingSeek, info: RouteInfo): void {
    const { ctx } = this;
    if (p.done) return;
    try {
      const lastHop = openRouteProof(p.tPrivate, p.addressKey, info.seekId, info.proof);
      if (!lastHop) throw RoutingErrors.ROUTE_PROOF_FAILED('route information not from the destination');
      const hops = checkAnswerPath({
        tPrivate: p.tPrivate,
        seekId: info.seekId,
        records: openHopRecords(p.tPrivate, info.seekId, info.hopRecords, this.slot),
        lastHop,
        firstHops: p.firstHops,
        self: ctx.identity.passport.serial,
        caPem: ctx.identity.caPem,
        crl: ctx.crl(),
        now: ctx.runtime.clock.now(),
      });
      const path: RelayInfo[] = hops.map((h) => ({ serial: h.serial, onionKey: h.onionKey }));
      if (!p.graph.addPath(path, hops.map((h) => h.pointer))) throw RoutingErrors.ROUTE_PATH_BROKEN('path repeats a relay');
      p.answers++;
      ctx.events.add('route-info', { relays: path.map((r) => short(r.serial)) });
      const key = toHex(info.seekId);
      if (p.answers === 1) p.timers.push(ctx.runtime.clock.setTimeout(() => this.finish(key, p), ctx.config.collectMs));
      if (p.answers >= ctx.config.answersPerSeek) this.finish(key, p);
    } catch (e) {
      ctx.counters.routeInfoDropped++;
      ctx.logger.log('debug', 'routing.route-info-rejected', { reason: describeError(e) });
    }
  }

  private finish(key: string, p: PendingSeek): void {
    if (p.done) return;
    p.done = true;
    for (const t of p.timers) t.cancel();
    this.pending.delete(key);
    this.ctx.events.add('candidates', { paths: p.graph.paths, relays: p.graph.relays.size });
    if (p.answers > 0) p.resolve(p.graph);
    else p.reject(RoutingErrors.SEEK_UNANSWERED('no route information came back'));
  }

  stop(): void {
    for (const [key, p] of this.pending) {
      for (const t of p.timers) t.cancel();
      p.done = true;
      p.reject(RoutingErrors.STOPPED('node stopped'));
      this.pending.delete(key);
    }
  }
}

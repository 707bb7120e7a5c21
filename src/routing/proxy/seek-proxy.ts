/**
 * The onion proxy's side of route seeking (docs/protocol.md §6.2–6.4): it sends seeks through
 * distinct first hops, checks each answer (route-check.ts) and collects the paths into one
 * candidate graph.
 */
import type { KeyObject } from 'node:crypto';
import { Command } from '../../wire/cell.js';
import { toHex } from '../../crypto/bytes.js';
import { generateX25519 } from '../../crypto/x25519.js';
import { describeError } from '../../errors.js';
import type { TimerHandle } from '../../runtime/runtime.js';
import type { Neighbour } from '../../overlay/overlay-types.js';
import { CandidateGraph, type RelayInfo } from './candidate-graph.js';
import type { RoutingContext } from '../relay/routing-context.js';
import { encodeRouteSeek, newSeek, openHopRecords, openRouteProof, type RouteInfo } from '../formats/route-seek.js';
import { checkAnswerPath } from './route-check.js';
import { short } from './outbound-route.js';
import { stemSuccessor, stemSuccessors } from '../relay/stem-successors.js';
import { RoutingErrors } from '../core/routing-errors.js';

/** BOUNDED: the proxy's own seeks in progress. */
const MAX_PENDING = 64;

interface PendingSeek {
  /** A probe for one of our own addresses: it comes back to us to be answered (introductions). */
  probe: boolean;
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

export class SeekProxy {
  private readonly pending = new Map<string, PendingSeek>(); // BOUNDED(MAX_PENDING)

  /** `slot`: room for a passport in every record of this community (hop-record.ts). */
  constructor(
    private readonly ctx: RoutingContext,
    private readonly slot: number,
  ) {}

  /**
   * Seeks routes to the owner of `tag`; resolves with the candidate graph. The first seek goes to
   * the stem successor this node's own serial maps to this epoch (relay/stem-successors.ts), as a
   * seek it forwarded would; a second one (`seekFanout` 2) to the other successor after a random
   * 250–1,250 ms, so that two seeks never leave at one instant through two neighbours.
   */
  seek(tag: Uint8Array, addressKey: Uint8Array, options: { probe?: boolean } = {}): Promise<CandidateGraph> {
    const { ctx } = this;
    const fanout = Math.max(1, ctx.config.seekFanout);
    const ids = ctx.overlay.neighbourList().map((n) => n.id);
    const stemKey = ctx.rpKeys.keysFor(ctx.epoch()).stem;
    const first = stemSuccessor(stemKey, ids, ctx.identity.passport.serial);
    const picks = [first, ...stemSuccessors(stemKey, ids).filter((x) => x !== first)].filter((x): x is string => x !== undefined).slice(0, fanout);
    // All seeks feed one graph; the first to finish collecting answers it (what the others found
    // by then is in it too).
    const graph = new CandidateGraph();
    const via = (id: string | undefined) => this.seekVia(tag, addressKey, id === undefined ? undefined : ctx.overlay.neighbour(id), graph, options.probe ?? false);
    if (picks.length <= 1) return via(picks[0]);
    let timer: TimerHandle | undefined;
    const later = new Promise<CandidateGraph>((resolve, reject) => {
      timer = ctx.runtime.clock.setTimeout(() => via(picks[1]).then(resolve, reject), 250 + ctx.runtime.random.int(1_000));
    });
    const firstSeek = via(picks[0]);
    firstSeek.then(() => timer?.cancel(), () => undefined); // answered: the second seek is not needed
    return Promise.any([firstSeek, later]).catch((e: AggregateError) => {
      throw e.errors[0];
    });
  }

  private seekVia(tag: Uint8Array, addressKey: Uint8Array, first: Neighbour | undefined, graph: CandidateGraph, probe: boolean): Promise<CandidateGraph> {
    const { ctx } = this;
    const neighbours = first ? [first] : [];
    if (neighbours.length === 0) return Promise.reject(RoutingErrors.NO_NEIGHBOURS('no neighbours to seek through'));
    if (this.pending.size >= MAX_PENDING) return Promise.reject(RoutingErrors.TOO_MANY_SEEKS('too many route seeks in progress'));
    const t = generateX25519(ctx.runtime.random);
    const seek = newSeek(tag, t.publicRaw, ctx.runtime.random);
    const key = toHex(seek.seekId);
    return new Promise<CandidateGraph>((resolve, reject) => {
      const firstHops = new Set(ctx.config.seekStem ? [neighbours[0]!.id] : ctx.overlay.neighbourList().map((x) => x.id));
      const p: PendingSeek = { probe, tPrivate: t.privateKey, firstHops, addressKey, graph, answers: 0, resolve, reject, timers: [], done: false };
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

  /** The routes route choice would draw to `dest` now (a seek, nothing built), with their onion keys. */
  async plan(dest: { id: Uint8Array; key: Uint8Array }, maxRelays: number): Promise<{ serial: string; onionKey: Uint8Array }[][]> {
    const c = this.ctx.config;
    const graph = await this.seek(dest.id, dest.key);
    return graph.chooseRoutes(c.proxyRoutes, c.minRelays, maxRelays, 0, this.ctx.runtime.random).map((r) => r.relays.map((s) => ({ serial: s, onionKey: graph.relays.get(s)!.onionKey })));
  }

  /** Whether route information for `seekId` (hex) answers one of our seeks. */
  owns(seekId: string): boolean {
    return this.pending.has(seekId);
  }

  /** Whether `seekId` (hex) is one of our probes (which we answer ourselves when they come back). */
  isProbe(seekId: string): boolean {
    return this.pending.get(seekId)?.probe ?? false;
  }

  /** An answer to one of our seeks. */
  onRouteInfo(info: RouteInfo): void {
    const p = this.pending.get(toHex(info.seekId));
    if (p) this.collect(p, info);
  }

  private collect(p: PendingSeek, info: RouteInfo): void {
    const { ctx } = this;
    if (p.done) return;
    try {
      const proof = openRouteProof(p.tPrivate, p.addressKey, info.seekId, info.proof);
      if (!proof) throw RoutingErrors.ROUTE_PROOF_FAILED('route information not from the destination');
      const hops = checkAnswerPath({
        tPrivate: p.tPrivate,
        seekId: info.seekId,
        records: openHopRecords(p.tPrivate, info.seekId, info.hopRecords, this.slot),
        lastHop: proof.last,
        firstHops: p.firstHops,
        self: ctx.identity.passport.serial,
        caPem: ctx.identity.caPem,
        crl: ctx.crl(),
        now: ctx.runtime.clock.now(),
      });
      const path: RelayInfo[] = hops.map((h) => ({ serial: h.serial, onionKey: h.onionKey }));
      if (!p.graph.addPath(path, hops.map((h) => h.pointer), proof.introduction)) throw RoutingErrors.ROUTE_PATH_BROKEN('path repeats a relay');
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

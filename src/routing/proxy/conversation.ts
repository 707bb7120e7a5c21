/**
 * The onion proxy's side of talking to one destination address (docs/protocol.md §6.4–6.9): the
 * end-to-end session, the routes found for it, and the fallbacks in order — local backtracking
 * (inside the route), the proxy's own alternative routes, a new route seek, and finally
 * multicast. Counts every repair so `tokumei send` can report it.
 */
import { describeError } from '../../errors.js';
import type { CandidateGraph, RouteChoice } from './candidate-graph.js';
import type { CircuitOwner, RoutingContext } from '../relay/routing-context.js';
import type { RoutingConfig } from '../core/routing-config.js';
import { OutboundRoute, short, type RouteListener } from './outbound-route.js';
import { RelayCommand } from '../formats/relay-body.js';
import { CHUNK_BYTES, MULTICAST_MAX_MESSAGE } from '../end-to-end/e2e-limits.js';
import { Session, decodeEnvelope, encodeEnvelope, type ChunkKind } from '../end-to-end/session.js';
import { buildOnion, ONION_SIZE, type HopKeys } from '../formats/sphinx.js';
import { POINTER_SIZE } from '../formats/pointer.js';
import { openSession } from '../end-to-end/e2e.js';
import { concatBytes, toHex } from '../../crypto/bytes.js';
import { RoutingErrors } from '../core/routing-errors.js';

/** Retransmission timeouts on one route before the proxy gives the route up. */
const STALL_TIMEOUTS = 3;


export interface ConversationHooks {
  /** Runs a route seek for `id` (the destination's anonymous ID) and returns the candidate graph. */
  seek(id: Uint8Array, addressKey: Uint8Array): Promise<CandidateGraph>;
  /** Sends an envelope by multicast to `id`. */
  multicast(id: Uint8Array, kind: ChunkKind, envelope: Uint8Array): void;
  /** A message the destination sent back (a reply). */
  onReply(conversation: Conversation, msgNo: number, bytes: Uint8Array): void;
}

export interface SendOutcome {
  delivered: boolean;
  bytes: number;
  repairs: number;
  localRepairs: number;
  multicast: boolean;
  relays: string[];
}

/**
 * How a conversation repairs its route (the churn experiment compares these): alternative
 * suffixes per relay (0: no local backtracking), whole spare routes at the proxy, multicast.
 */
export type RouteStrategy = Partial<Pick<RoutingConfig, 'alternatives' | 'proxyRoutes' | 'multicastFallback' | 'backtracking'>>;

/** How long a conversation stays on multicast before it seeks a route again. */
const MULTICAST_RETRY_MS = 60_000;

/** Local repairs (switches to an alternative suffix) one route may take before it is replaced. */
const MAX_LOCAL_REPAIRS_PER_ROUTE = 2;

/** Seeks after a failure before the proxy gives up on routes. */
const MAX_SEEKS_PER_REPAIR = 3;

export class Conversation {
  private readonly config: RoutingConfig;
  readonly sessionId: Uint8Array;
  readonly session: Session;
  private readonly ephemeral: Uint8Array;
  private route: OutboundRoute | undefined;
  private spare: RouteChoice[] = [];
  private graph: CandidateGraph | undefined;
  private finding: Promise<void> | undefined;
  private seeks = 0;
  multicastMode = false;
  private closed = false;
  /** Local repairs each route has had. */
  private readonly switchesOn = new WeakMap<OutboundRoute, number>();
  repairs = 0;
  localRepairs = 0;
  private reportedRepairs = 0;
  private reportedLocalRepairs = 0;
  lastActive: number;
  /** Whether the message being sent went (partly) by multicast. */
  private usedMulticast = false;
  private multicastSince = 0;

  constructor(
    private readonly ctx: RoutingContext,
    readonly addressText: string,
    readonly destId: Uint8Array,
    readonly destKey: Uint8Array,
    readonly replyAddress: string,
    private readonly hooks: ConversationHooks,
    strategy: RouteStrategy = {},
  ) {
    this.config = { ...ctx.config, ...strategy };
    const s = openSession(destKey, ctx.runtime.random);
    this.sessionId = s.sessionId;
    this.ephemeral = s.ephemeralPublic;
    this.lastActive = ctx.runtime.clock.now();
    this.session = new Session({
      runtime: ctx.runtime,
      keys: { send: s.keys.toDest, receive: s.keys.toSender },
      chunkBytes: CHUNK_BYTES,
      minRtoMs: ctx.config.minRtoMs,
      deadlineMs: ctx.config.messageDeadlineMs,
      transmit: (kind, sealed, messageBytes) => this.transmit(kind, sealed, messageBytes),
      onMessage: (msgNo, bytes) => hooks.onReply(this, msgNo, bytes),
      // No acknowledgement through three retransmissions: the route is a black hole (a relay
      // that crashed silently, or a circuit out of step). Replace it.
      onStall: (timeouts) => {
        if (timeouts >= STALL_TIMEOUTS && this.route?.built && !this.route.failed) this.route.abandon('no acknowledgement in time');
      },
    });
  }

  get sessionHex(): string {
    return toHex(this.sessionId);
  }

  /** The route as the proxy sees it (member serials), if one is up. */
  currentRelays(): string[] {
    return this.route?.built ? [...this.route.relays] : [];
  }

  /** How many alternative suffixes each relay of the current route holds. */
  currentAlternatives(): number[] {
    return this.route?.built ? this.route.alternativeCounts() : [];
  }

  async send(bytes: Uint8Array): Promise<SendOutcome> {
    this.lastActive = this.ctx.runtime.clock.now();
    this.usedMulticast = this.multicastMode;
    const sending = this.session.send(bytes);
    this.ensurePath();
    await sending;
    // Repairs count from the previous delivery: a relay that left between two messages was
    // repaired for the second one.
    const repairs = this.repairs - this.reportedRepairs;
    const localRepairs = this.localRepairs - this.reportedLocalRepairs;
    this.reportedRepairs = this.repairs;
    this.reportedLocalRepairs = this.localRepairs;
    this.ctx.counters.messagesDelivered++;
    this.ctx.events.add('delivered', { bytes: bytes.length, multicast: this.usedMulticast, repairs });
    return { delivered: true, bytes: bytes.length, repairs, localRepairs, multicast: this.usedMulticast, relays: this.currentRelays() };
  }

  private envelope(sealed: Uint8Array): Uint8Array {
    return encodeEnvelope({ sessionId: this.sessionId, ephemeral: this.ephemeral, replyAddress: this.replyAddress, sealed });
  }

  private transmit(kind: ChunkKind, sealed: Uint8Array, messageBytes: number): boolean {
    if (this.route?.built && !this.route.failed) {
      return this.route.send(kind === 'data' ? RelayCommand.DATA : RelayCommand.ACK, this.envelope(sealed));
    }
    if (this.multicastMode && this.ctx.runtime.clock.now() - this.multicastSince > MULTICAST_RETRY_MS) {
      // Multicast is the last resort, not a state: look for a route again now and then.
      this.multicastMode = false;
      this.ensurePath();
    }
    if (this.multicastMode && messageBytes > MULTICAST_MAX_MESSAGE) {
      // Too large to flood: look for a route again and send when one is built.
      this.multicastMode = false;
      this.ensurePath();
      return false;
    }
    if (this.multicastMode) {
      this.usedMulticast = true;
      this.hooks.multicast(this.destId, kind, this.envelope(sealed));
      return true;
    }
    this.ensurePath();
    return false;
  }

  /** Gets a built route (or multicast) — single flight. */
  private ensurePath(): void {
    if (this.finding || this.multicastMode || (this.route && !this.route.failed)) return;
    this.finding = this.findPath()
      .catch((e) => this.ctx.logger.log('debug', 'routing.path-failed', { reason: describeError(e) }))
      .finally(() => {
        this.finding = undefined;
        // A message too large for multicast left multicast while we were still looking: look again
        // (a second later, so that a network with no route is not sought in a tight loop).
        if (!this.closed && !this.multicastMode && !(this.route && !this.route.failed) && this.session.outstanding > 0) {
          this.ctx.runtime.clock.setTimeout(() => this.ensurePath(), 1_000);
        }
      });
  }

  private async findPath(): Promise<void> {
    const { config } = this;
    for (;;) {
      if (this.spare.length === 0) {
        // Seeks since the last route that worked: give up (or multicast) after a few.
        if (this.seeks >= MAX_SEEKS_PER_REPAIR) break;
        this.seeks++;
        try {
          this.graph = await this.hooks.seek(this.destId, this.destKey);
          this.spare = this.graph.chooseRoutes(config.proxyRoutes, config.minRelays, MAX_ROUTE_RELAYS, config.backtracking ? config.alternatives : 0, this.ctx.runtime.random);
        } catch (e) {
          this.ctx.logger.log('debug', 'routing.seek-failed', { reason: describeError(e) });
          this.spare = [];
        }
        if (this.spare.length === 0) continue;
      }
      const choice = this.spare.shift()!;
      if (await this.build(choice)) {
        this.seeks = 0;
        this.session.retransmitAll();
        return;
      }
    }
    this.seeks = 0;
    if (config.multicastFallback) {
      this.multicastMode = true;
      this.multicastSince = this.ctx.runtime.clock.now();
      this.ctx.events.add('multicast-sent', { reason: 'no route left' });
      this.session.retransmitAll();
    } else {
      this.session.close(RoutingErrors.NO_ROUTE('no route to the destination'));
    }
  }

  private build(choice: RouteChoice): Promise<boolean> {
    const { ctx } = this;
    const graph = this.graph!;
    const first = ctx.overlay.neighbour(choice.relays[0]!);
    if (!first) return Promise.resolve(false);
    const epoch = ctx.epoch();
    const main = this.onionFor(graph, choice.relays, epoch);
    if (!main) return Promise.resolve(false);
    const altKeys: HopKeys[][][] = [];
    const altRelays: string[][][] = [];
    const altPackets: { hop: number; index: number; pointer: Uint8Array; packet: Uint8Array }[] = [];
    choice.alternatives.forEach((alts, i) => {
      altKeys[i] = [];
      altRelays[i] = [];
      alts.forEach((suffix) => {
        const pointer = graph.pointer(choice.relays[i]!, suffix[0]!);
        const onion = this.onionFor(graph, suffix, epoch);
        if (!pointer || !onion) return;
        const index = altKeys[i]!.length;
        altKeys[i]!.push(onion.keys);
        altRelays[i]!.push(suffix);
        altPackets.push({ hop: i, index, pointer, packet: onion.packet });
      });
    });
    let ep;
    try {
      ep = ctx.circuits.allocate(first.link, PENDING_OWNER, 'next', ctx.runtime.random);
    } catch {
      return Promise.resolve(false);
    }
    return new Promise<boolean>((resolve) => {
      let settled = false;
      const done = (ok: boolean): void => {
        if (settled) return;
        settled = true;
        timer.cancel();
        resolve(ok);
      };
      const listener: RouteListener = {
        onBuilt: (r) => {
          // Every relay gets A alternatives — decoys (random pointer and onion, which it can never
          // use) where the graph has fewer — so that none can tell from their number that it is the
          // last; and every route's setup burst has one size, whatever its length (§6.6).
          for (const a of altPackets) r.send(RelayCommand.ALTERNATIVE, concatBytes(Uint8Array.of(a.index), a.pointer, a.packet), a.hop);
          let sent = altPackets.length;
          for (let hop = 0; hop < choice.relays.length; hop++) {
            for (let k = altKeys[hop]?.length ?? 0; k < ALTERNATIVES_PER_HOP; k++, sent++) r.send(RelayCommand.ALTERNATIVE, decoyAlternative(k, ctx.runtime.random), hop);
          }
          for (; sent < SETUP_BURST; sent++) r.send(RelayCommand.PADDING, new Uint8Array(0));
          ctx.events.add('route-built', { route: r.relays.map(short), alternatives: altPackets.length });
          done(true);
        },
        onSwitched: (r, hop) => this.onSwitched(r, hop),
        onFailed: (r, reason) => {
          this.onFailed(r, reason);
          done(false);
        },
        onData: (r, cmd, data) => this.onData(r, cmd, data),
      };
      const route = new OutboundRoute(ctx, choice.relays, main.keys, altKeys, altRelays, ep, listener);
      ep.owner = route;
      if (this.route && !this.route.failed) this.route.destroy();
      this.route = route;
      const timer = ctx.runtime.clock.setTimeout(() => {
        route.abandon('route was not built in time');
      }, ctx.config.buildTimeoutMs);
      route.start(main.packet);
    });
  }

  /** A setup onion through `relays` to the destination's address key, or to its introduction relay. */
  private onionFor(graph: CandidateGraph, relays: string[], epoch: number): { packet: Uint8Array; keys: HopKeys[] } | undefined {
    const hops: Parameters<typeof buildOnion>[0] = [];
    const last = relays[relays.length - 1]!;
    for (let i = 0; i < relays.length; i++) {
      const info = graph.relays.get(relays[i]!);
      const next = graph.pointer(relays[i]!, relays[i + 1]);
      if (!info || !next) return undefined;
      // At one of D's introduction relays the onion ends, naming D's registration by its cookie.
      const introduce = i === relays.length - 1 && graph.introductionEnds.has(last);
      hops.push({ onionKey: info.onionKey, cmd: introduce ? 'introduce' : 'extend', next });
    }
    if (!graph.introductionEnds.has(last)) hops.push({ onionKey: this.destKey, cmd: 'deliver' });
    return buildOnion(hops, epoch, this.ctx.runtime.random);
  }

  onSwitched(r: OutboundRoute, hop: number): void {
    this.repairs++;
    this.localRepairs++;
    this.ctx.events.add('switched', { hop });
    // Repairs are capped per route: relays that break a route on purpose to push it onto their
    // friends' alternatives (selective denial of service) get a fresh uniform draw instead.
    const switches = (this.switchesOn.get(r) ?? 0) + 1;
    this.switchesOn.set(r, switches);
    if (switches > MAX_LOCAL_REPAIRS_PER_ROUTE) {
      r.abandon('repairs per route capped: drawing a fresh route');
      return;
    }
    this.session.retransmitAll();
  }

  onFailed(r: OutboundRoute, reason: string): void {
    if (r !== this.route) return;
    this.ctx.events.add('route-failed', { reason, route: r.relays.map(short) });
    if (r.built) {
      this.repairs++;
      this.ctx.events.add('proxy-reroute', { reason });
    }
    this.route = undefined;
    if (this.session.outstanding > 0) this.ensurePath();
  }

  onData(_r: OutboundRoute, cmd: number, data: Uint8Array): void {
    let env;
    try {
      env = decodeEnvelope(data);
    } catch {
      this.ctx.counters.cellsDropped++;
      return;
    }
    if (toHex(env.sessionId) !== this.sessionHex) {
      this.ctx.counters.cellsDropped++;
      return;
    }
    this.onEnvelope(cmd === RelayCommand.ACK ? 'ack' : 'data', env.sealed);
  }

  /** An envelope from the destination (by the route, or by multicast). */
  onEnvelope(kind: ChunkKind, sealed: Uint8Array): void {
    try {
      if (kind === 'ack') this.session.onAck(sealed);
      else this.session.onData(sealed);
    } catch (e) {
      this.ctx.counters.cellsDropped++;
      this.ctx.logger.log('debug', 'routing.bad-envelope', { reason: describeError(e) });
    }
  }

  close(): void {
    this.closed = true;
    this.route?.destroy();
    this.session.close(RoutingErrors.CONVERSATION_CLOSED('conversation closed'));
  }
}

/** Owns a circuit id between its allocation and the route object that takes it over. */
const PENDING_OWNER: CircuitOwner = { onCell() {}, onLinkGone() {} };

/** Alternatives each relay of a route is given, decoys included. */
const ALTERNATIVES_PER_HOP = 2;
/** Setup cells after BUILT on every route: A alternatives for each of the most relays a route has. */
const SETUP_BURST = ALTERNATIVES_PER_HOP * 8;

/** An ALTERNATIVE body no relay can use: its pointer names no neighbour, its onion opens nowhere. */
function decoyAlternative(index: number, random: { bytes(n: number): Uint8Array }): Uint8Array {
  return concatBytes(Uint8Array.of(index), random.bytes(POINTER_SIZE), random.bytes(ONION_SIZE));
}

/** Relays in a route at most (a setup onion holds MAX_ONION_HOPS hops, the destination is one). */
export const MAX_ROUTE_RELAYS = 8;

/**
 * A destination behind introduction relays (docs/protocol.md §6.10). D finds relays around itself
 * with a probe — a seek for a fresh address of its own, which comes back to D from another side and
 * which D answers — and builds a circuit along one probe path to a relay I at least three hops out
 * that is not its neighbour, ending there (ESTABLISH). Over it D registers the IDs of its
 * addresses; I answers seeks for them with proofs D makes, and splices senders' circuits to D's.
 * A seeker then learns relays on its side of I only, and I learns nothing of D but its circuit.
 * D keeps `WANTED` such relays and replaces one as soon as its circuit goes.
 */
import { describeError } from '../../errors.js';
import { Reader, Writer } from '../../wire/codec.js';
import type { TimerHandle } from '../../runtime/runtime.js';
import { buildOnion, type OnionHop } from '../formats/sphinx.js';
import { RelayCommand } from '../formats/relay-body.js';
import { makeRouteProof, PROOF_INTRODUCTION } from '../formats/route-seek.js';
import { serialToBytes } from '../formats/serial-bytes.js';
import type { CandidateGraph } from '../proxy/candidate-graph.js';
import { OutboundRoute, short } from '../proxy/outbound-route.js';
import type { CircuitOwner, OwnAddress, RoutingContext } from '../relay/routing-context.js';
import type { InboundPath } from './destination.js';

/** Introduction relays a destination keeps. */
export const WANTED = 2;
/** BOUNDED: addresses registered with the introduction relays (the oldest go first). */
const MAX_ADDRESSES = 1_024;
/** Relays between D and its introduction relay, at least. */
const MIN_BEFORE_INTRO = 2;
/** Retries after a failed attempt back off from 5 s to 5 minutes (a probe is a flood). */
const RETRY_MS = 5_000;
const MAX_RETRY_MS = 5 * 60_000;
/** A cell over each introduction circuit this often, so that its relays do not expire it as idle. */
const KEEPALIVE_MS = 60_000;
const START_JITTER_MS = 30_000;

export interface IntroductionHooks {
  /** A probe: a seek for a fresh address of ours, answered by ourselves. */
  probe(): Promise<CandidateGraph>;
  /** A message (DATA or ACK envelope) that came through an introduction relay. */
  deliver(address: OwnAddress, cmd: number, data: Uint8Array, path: InboundPath): void;
}

interface IntroRoute {
  route: OutboundRoute;
  relay: string;
  /** Splices seen on this route, by splice id (BOUNDED by the relay's MAX_SPLICES). */
  paths: Map<number, InboundPath>;
}

export class Introductions {
  private readonly routes: IntroRoute[] = []; // BOUNDED(WANTED)
  private readonly addresses = new Map<number, OwnAddress>(); // BOUNDED(MAX_ADDRESSES): by index
  private nextIndex = 1;
  private building = false;
  private timer: TimerHandle | undefined;
  private readonly keepalive: TimerHandle;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly ctx: RoutingContext,
    private readonly hooks: IntroductionHooks,
  ) {
    this.keepalive = ctx.runtime.clock.setInterval(() => {
      for (const r of this.routes) if (r.route.built && !r.route.failed) r.route.send(RelayCommand.PADDING, new Uint8Array(0));
    }, KEEPALIVE_MS);
  }

  /**
   * Starts looking for introduction relays after a random 0–30 s, so that nodes starting together
   * (a community booting, a simulation) do not all probe at once and trip the seek rate limits.
   */
  start(): void {
    this.timer = this.ctx.runtime.clock.setTimeout(() => this.ensure(), this.ctx.runtime.random.int(START_JITTER_MS));
  }

  /** Introduction relays with a live circuit (their serials). */
  get relays(): string[] {
    return this.routes.filter((r) => r.route.built && !r.route.failed).map((r) => r.relay);
  }

  /** Serves `address` through the introduction relays from now on. */
  register(address: OwnAddress): void {
    const index = this.nextIndex++ >>> 0;
    this.addresses.set(index, address);
    while (this.addresses.size > MAX_ADDRESSES) this.addresses.delete(this.addresses.keys().next().value!);
    for (const r of this.routes) if (r.route.built && !r.route.failed) this.sendRegister(r, index, address);
    this.ensure();
  }

  /** Builds introduction circuits until there are WANTED (one at a time). */
  ensure(): void {
    if (this.stopped || this.building || this.routes.length >= WANTED) return;
    this.building = true;
    this.buildOne()
      .then(() => (this.failures = 0))
      .catch((e) => {
        this.failures++;
        this.ctx.logger.log('debug', 'routing.introduction-failed', { reason: describeError(e) });
      })
      .finally(() => {
        this.building = false;
        if (this.routes.length < WANTED && !this.stopped) {
          this.timer?.cancel();
          const wait = this.failures === 0 ? 0 : Math.min(MAX_RETRY_MS, RETRY_MS * 2 ** (this.failures - 1));
          this.timer = this.ctx.runtime.clock.setTimeout(() => this.ensure(), wait);
        }
      });
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.keepalive.cancel();
    for (const r of this.routes) r.route.destroy();
    this.routes.length = 0;
  }

  private async buildOne(): Promise<void> {
    const { ctx } = this;
    const graph = await this.hooks.probe();
    const neighbours = new Set(ctx.overlay.neighbourList().map((n) => n.id));
    const taken = new Set(this.routes.map((r) => r.relay));
    // Probe paths run from a neighbour of ours round to another: cut one at a relay far enough out.
    const choices: string[][] = [];
    for (const path of graph.findPaths(graph.firstHops, new Set(), MIN_BEFORE_INTRO + 1, 12, ctx.runtime.random)) {
      for (let j = MIN_BEFORE_INTRO; j < path.length; j++) {
        const relay = path[j]!;
        if (!neighbours.has(relay) && !taken.has(relay)) choices.push(path.slice(0, j + 1));
      }
    }
    if (choices.length === 0) throw new Error('no probe path reaches a relay far enough out');
    const relays = choices[ctx.runtime.random.int(choices.length)]!;
    const hops: OnionHop[] = relays.map((s, i) => {
      const info = graph.relays.get(s)!;
      if (i === relays.length - 1) return { onionKey: info.onionKey, cmd: 'establish' };
      return { onionKey: info.onionKey, cmd: 'extend', next: graph.pointer(s, relays[i + 1])! };
    });
    const first = ctx.overlay.neighbour(relays[0]!);
    if (!first) throw new Error('the first relay is gone');
    const onion = buildOnion(hops, ctx.epoch(), ctx.runtime.random);
    const ep = ctx.circuits.allocate(first.link, PENDING, 'next', ctx.runtime.random);
    await new Promise<void>((resolve, reject) => {
      const intro: IntroRoute = { route: undefined as unknown as OutboundRoute, relay: relays[relays.length - 1]!, paths: new Map() };
      const timer = ctx.runtime.clock.setTimeout(() => intro.route.abandon('introduction circuit not built in time'), ctx.config.buildTimeoutMs);
      intro.route = new OutboundRoute(ctx, relays, onion.keys, [], [], ep, {
        onBuilt: () => {
          timer.cancel();
          this.routes.push(intro);
          for (const [index, address] of this.addresses) this.sendRegister(intro, index, address);
          ctx.events.add('introduction', { route: relays.map(short) });
          resolve();
        },
        onSwitched: () => undefined,
        onFailed: (_r, reason) => {
          timer.cancel();
          const at = this.routes.indexOf(intro);
          if (at >= 0) this.routes.splice(at, 1);
          for (const p of intro.paths.values()) (p as SplicedPath).close();
          ctx.events.add('introduction-lost', { reason });
          reject(new Error(reason));
          this.ensure();
        },
        onData: (_r, cmd, data) => this.onData(intro, cmd, data),
      });
      ep.owner = intro.route;
      intro.route.start(onion.packet);
    });
  }

  /**
   * Registers `address` on one introduction circuit. From then on D leaves seeks for it to its
   * introduction relays; until the first registration it answers them itself, so that an address
   * handed out before D has an introduction relay (the first seconds of a node) stays reachable.
   */
  private sendRegister(r: IntroRoute, index: number, address: OwnAddress): void {
    r.route.send(RelayCommand.INTRO_REGISTER, new Writer().u32(index).bytes(address.id).finish());
    address.introduced = true;
  }

  private onData(r: IntroRoute, cmd: number, data: Uint8Array): void {
    try {
      const rd = new Reader(data);
      if (cmd === RelayCommand.INTRO_QUERY) {
        const query = rd.u32('query');
        const address = this.addresses.get(rd.u32('index'));
        const seekId = rd.bytes(16, 'seek id').slice();
        const T = rd.bytes(32, 'T').slice();
        if (!address) return;
        const proof = makeRouteProof(address.privateKey, T, seekId, serialToBytes(r.relay), this.ctx.runtime.random, PROOF_INTRODUCTION);
        r.route.send(RelayCommand.INTRO_PROOF, new Writer().u32(query).bytes(proof).finish());
        return;
      }
      if (cmd === RelayCommand.SPLICED) {
        const splice = rd.u32('splice');
        const index = rd.u32('index');
        const address = this.addresses.get(index);
        const inner = rd.u8('command');
        if (!address) return;
        let path = r.paths.get(splice);
        if (!path) r.paths.set(splice, (path = new SplicedPath(r, splice, index)));
        this.hooks.deliver(address, inner, rd.rest().slice(), path);
        return;
      }
    } catch (e) {
      this.ctx.logger.log('debug', 'routing.introduction-bad-cell', { reason: describeError(e) });
    }
    this.ctx.counters.cellsDropped++;
  }

}

/** A sender's circuit spliced to ours at the introduction relay: answers go back the same way. */
class SplicedPath implements InboundPath {
  private open = true;

  constructor(
    private readonly intro: IntroRoute,
    private readonly splice: number,
    private readonly index: number,
  ) {}

  get isOpen(): boolean {
    return this.open && this.intro.route.built && !this.intro.route.failed;
  }

  get previousHopId(): string {
    return `splice:${this.intro.relay}:${this.splice}`;
  }

  sendBackward(cmd: number, data: Uint8Array): void {
    if (this.isOpen) this.intro.route.send(RelayCommand.SPLICED, new Writer().u32(this.splice).u32(this.index).u8(cmd).bytes(data).finish());
  }

  knownPeers(): string[] {
    return [this.intro.relay];
  }

  close(): void {
    this.open = false;
  }
}

/** Owns a circuit id between its allocation and the route object that takes it over. */
const PENDING: CircuitOwner = { onCell() {}, onLinkGone() {} };

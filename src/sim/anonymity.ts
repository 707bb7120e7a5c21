/**
 * The anonymity experiment (issue 4): a fraction c of relays collude and pool what they see.
 *  1. How often a route's first and last relays both collude, beside c² — the figure for
 *     Tor-like routes drawn at random.
 *  2. The sender's degree of anonymity d = H(X)/log2(N) (Díaz et al.) as the colluders see it:
 *     relays do not know their position, so the colluder nearest the sender can only weigh its
 *     predecessor by how often that predecessor is the sender (measured over the routes).
 *     Beside it, Tor's figure, where an entry relay knows it is the entry.
 *  3. A first-spy estimator on route seeks — guess that the sender is the neighbour the first
 *     colluder heard the seek from — with the stem phase and without it (a plain flood).
 * Runs on the real node code; colluders are ordinary nodes that report what they legitimately see.
 */
import { SeededRandom, type RoutingConfig, type Testnet } from '../index.js';
import { buildSimNetwork } from './churn.js';
import { routeRelays } from './route-probe.js';
import { entropyBits, mean, round } from './stats.js';
import type { Progress } from './progress.js';

export interface AnonymityOptions {
  nodes: number;
  seed: number;
  /** Colluding fractions. */
  colluding: number[];
  /** Routes built (each between a fresh random pair). */
  routes: number;
  /** Seeks observed per stem setting for the first-spy estimator. */
  seeks: number;
  progress?: Progress;
}

export const DEFAULT_ANONYMITY_OPTIONS: AnonymityOptions = {
  nodes: 1000,
  seed: 1,
  colluding: [0.1, 0.2, 0.3],
  routes: 60,
  seeks: 40,
};

export interface AnonymityRow {
  colluding: number;
  /** Routes whose first and last relays both collude. */
  endsCollude: number;
  endsColludeAnalytic: number;
  /** Mean degree of anonymity of the sender, tokumei and Tor-like. */
  degree: number;
  degreeTorLike: number;
  /** First-spy estimator success on route seeks. */
  firstSpyWithStem: number;
  firstSpyWithoutStem: number;
  firstSpyAnalyticNoStem: number;
}

interface Route {
  sender: string;
  relays: string[];
}

export async function runAnonymityExperiment(options: Partial<AnonymityOptions> = {}): Promise<{ rows: AnonymityRow[]; routes: number; meanRouteLength: number; realMs: number }> {
  const o: AnonymityOptions = { ...DEFAULT_ANONYMITY_OPTIONS, ...options };
  const started = Date.now();
  const { net } = await buildSimNetwork(o.nodes, o.seed);
  const rng = new SeededRandom(o.seed, 'anonymity');
  const total = 1 + o.colluding.length * 2;
  o.progress?.update(0, 'building routes');
  const routes = await buildRoutes(net, o.routes, rng);
  const rows: AnonymityRow[] = [];
  let step = 1;
  for (const c of o.colluding) {
    const colluders = pickColluders(net, c, rng);
    const N = net.nodes.length;
    const honest = N - colluders.size;
    // 1. both ends collude
    const ends = routes.filter((r) => colluders.has(r.relays[0]!) && colluders.has(r.relays[r.relays.length - 1]!)).length / routes.length;
    // 2. degree of anonymity: how often the predecessor of the first colluder is the sender
    const firstSeen = routes.map((r) => r.relays.findIndex((x) => colluders.has(x))).filter((i) => i >= 0);
    const q = firstSeen.length > 0 ? firstSeen.filter((i) => i === 0).length / firstSeen.length : 0;
    const degrees = routes.map((r) => {
      const seen = r.relays.some((x) => colluders.has(x));
      return (seen ? senderEntropy(q, honest) : Math.log2(honest)) / Math.log2(N);
    });
    const torLike = ((1 - c) * Math.log2(honest)) / Math.log2(N);
    o.progress?.update(step++, `${c * 100}% colluding: first spy`);
    const withStem = await firstSpy(net, colluders, o.seeks, rng, { seekStem: true });
    o.progress?.update(step++, `${c * 100}% colluding: first spy without stem`);
    const withoutStem = await firstSpy(net, colluders, o.seeks, rng, { seekStem: false, seekFanout: 1 });
    rows.push({
      colluding: c,
      endsCollude: round(ends, 4),
      endsColludeAnalytic: round(c * c, 4),
      degree: round(mean(degrees), 3),
      degreeTorLike: round(torLike, 3),
      firstSpyWithStem: round(withStem, 3),
      firstSpyWithoutStem: round(withoutStem, 3),
      firstSpyAnalyticNoStem: round(1 - (1 - c) ** mean(net.nodes.map((n) => n.overlay.degree)), 3),
    });
  }
  o.progress?.finish();
  const meanRouteLength = round(mean(routes.map((r) => r.relays.length)), 2);
  await net.stop();
  return { rows, routes: routes.length, meanRouteLength, realMs: Date.now() - started };
}

/** H(X) when one node (the predecessor) is the sender with probability q, the rest uniform. */
function senderEntropy(q: number, honest: number): number {
  const rest = honest - 1;
  if (rest <= 0) return 0;
  return entropyBits([q]) + (q < 1 ? -(1 - q) * Math.log2((1 - q) / rest) : 0);
}

async function buildRoutes(net: Testnet, count: number, rng: SeededRandom): Promise<Route[]> {
  const routes: Route[] = [];
  const n = net.nodes.length;
  for (let i = 0; i < count; i++) {
    const a = net.nodes[rng.int(n)]!;
    let b = net.nodes[rng.int(n)]!;
    while (b === a) b = net.nodes[rng.int(n)]!;
    const relays = await routeRelays(net, a, b);
    if (relays.length > 0) routes.push({ sender: a.id, relays });
  }
  return routes;
}

function pickColluders(net: Testnet, c: number, rng: SeededRandom): Set<string> {
  const ids = net.nodes.map((n) => n.id);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  return new Set(ids.slice(0, Math.round(c * ids.length)));
}

/** Fraction of seeks whose sender the colluders' first-spy guess names. */
async function firstSpy(net: Testnet, colluders: Set<string>, seeks: number, rng: SeededRandom, mode: Partial<RoutingConfig>): Promise<number> {
  const sim = net.sim!;
  const saved = net.nodes.map((n) => ({ ...n.router.ctx.config }));
  for (const n of net.nodes) Object.assign(n.router.ctx.config, mode);
  const spy: { first?: { at: number; from: string } } = {};
  for (const n of net.nodes) {
    if (colluders.has(n.id)) {
      n.router.observe({
        onSeek: (_id, from, at) => {
          if (!spy.first || at < spy.first.at) spy.first = { at, from };
        },
      });
    }
  }
  let hits = 0;
  let trials = 0;
  for (let s = 0; s < seeks; s++) {
    const candidates = net.nodes.filter((n) => !colluders.has(n.id));
    const a = candidates[rng.int(candidates.length)]!;
    let b = candidates[rng.int(candidates.length)]!;
    while (b === a) b = candidates[rng.int(candidates.length)]!;
    spy.first = undefined;
    const address = b.router.newAddress().text;
    let done = false;
    a.router.send(address, new Uint8Array(16), { multicastFallback: false }).then(
      () => (done = true),
      () => (done = true),
    );
    await sim.runUntil(() => done, { timeoutMs: 120_000 });
    await sim.runFor(3_000);
    const seen = spy.first as { at: number; from: string } | undefined; // set by the observers meanwhile
    if (seen) {
      trials++;
      if (seen.from === a.id) hits++;
    }
  }
  for (const n of net.nodes) n.router.observe(undefined);
  net.nodes.forEach((n, i) => Object.assign(n.router.ctx.config, saved[i]));
  return trials > 0 ? hits / seeks : 0;
}

/**
 * The churn experiment (issue 4, DESIGN §9): sessions of A→B messages while relays leave and
 * join, comparing three repair strategies on the same seeds and the same churn schedule —
 *   fixed               — one route, repaired only by a new seek from the sender (Tor/I2P/Nym);
 *   backtrack           — relays switch to pre-built alternative suffixes, the proxy to spare routes;
 *   backtrack+multicast — and multicast when every alternative is gone.
 * It drives the real node code (TokumeiNode, Router) on the simulated runtime.
 */
import { SeededRandom, createTestnet, type Testnet, type TokumeiNode, type RouteStrategy, type SendOutcome } from '../index.js';
import { percentile, round } from './stats.js';
import type { Progress } from './progress.js';

export type StrategyName = 'fixed' | 'backtrack' | 'backtrack+multicast';

export const STRATEGIES: Record<StrategyName, RouteStrategy> = {
  fixed: { alternatives: 0, proxyRoutes: 1, multicastFallback: false },
  backtrack: { alternatives: 2, proxyRoutes: 3, multicastFallback: false },
  'backtrack+multicast': { alternatives: 2, proxyRoutes: 3, multicastFallback: true },
};

export interface ChurnOptions {
  nodes: number;
  seed: number;
  /** Fractions of relays that churn, e.g. [0, 0.1, 0.2, 0.3]. */
  churn: number[];
  strategies: StrategyName[];
  /** Sender/receiver pairs (they never churn: the experiment is about relays). */
  pairs: number;
  /** Messages per pair per phase, one every `intervalMs`. */
  messages: number;
  intervalMs: number;
  /** Session-length model: a churning relay stays up for Exp(upMeanMs), down for Exp(downMeanMs). */
  upMeanMs: number;
  downMeanMs: number;
  /** Share of departures that are crashes (silent) rather than orderly exits. */
  crashShare: number;
  /** A message not acknowledged within this is lost. */
  deadlineMs: number;
  progress?: Progress;
}

export const DEFAULT_CHURN_OPTIONS: ChurnOptions = {
  nodes: 2000,
  seed: 1,
  churn: [0, 0.1, 0.2, 0.3],
  strategies: ['fixed', 'backtrack', 'backtrack+multicast'],
  pairs: 6,
  messages: 40,
  intervalMs: 1_000,
  upMeanMs: 60_000,
  downMeanMs: 30_000,
  crashShare: 0.5,
  deadlineMs: 60_000,
};

export interface ChurnRow {
  strategy: StrategyName;
  churn: number;
  delivery: number;
  p50Ms: number;
  p99Ms: number;
  cellsPerDelivery: number;
  localRepairs: number;
  messages: number;
  delivered: number;
}

export interface ChurnResult {
  rows: ChurnRow[];
  nodes: number;
  seed: number;
  formationMs: number;
  realMs: number;
}

/** Keep-alive and descriptor traffic slower than a real node's, so thousands fit one process. */
export const SIM_LINK = { keepaliveMs: 10_000, idleTimeoutMs: 30_000 };
export const SIM_OVERLAY = { minDegree: 5, maxDegree: 8, descriptorRefreshMs: 60_000, peersRequestMs: 30_000 };

export async function buildSimNetwork(nodes: number, seed: number, routing = {}): Promise<{ net: Testnet; formationMs: number }> {
  const net = await createTestnet(nodes, {
    runtime: 'sim',
    seed,
    bootstrap: 3,
    bootstrapFrom: 'random',
    overlay: SIM_OVERLAY,
    link: SIM_LINK,
    routing,
  });
  const t0 = net.sim!.now();
  await net.waitFor(() => net.nodes.every((n) => n.overlay.degree >= 4), 180_000);
  await net.advance(10_000);
  // Destinations behind introduction relays (the default) need their circuits first; a few nodes
  // may still be looking when the bound passes (they keep trying).
  if (net.nodes[0]?.router.introductions) await net.waitFor(() => net.nodes.filter((n) => n.router.introductions!.relays.length === 0).length <= net.nodes.length / 100, 180_000).catch(() => undefined);
  return { net, formationMs: net.sim!.now() - t0 };
}

export async function runChurnExperiment(options: Partial<ChurnOptions> = {}): Promise<ChurnResult> {
  const o: ChurnOptions = { ...DEFAULT_CHURN_OPTIONS, ...options };
  const started = Date.now();
  const { net, formationMs } = await buildSimNetwork(o.nodes, o.seed);
  const rng = new SeededRandom(o.seed, 'churn-experiment');
  const order = shuffle([...net.nodes.keys()], rng);
  const endpoints = order.slice(0, 2 * o.pairs);
  const relays = order.slice(2 * o.pairs);
  const all = new Set<TokumeiNode>(net.nodes);
  const rows: ChurnRow[] = [];
  const phases = o.churn.length * o.strategies.length;
  let phase = 0;
  for (const churn of o.churn) {
    for (const strategy of o.strategies) {
      o.progress?.update(phase, `churn ${churn * 100}% ${strategy}`);
      rows.push(await runPhase(net, o, churn, strategy, endpoints, relays, all));
      phase++;
    }
  }
  o.progress?.finish();
  await net.stop();
  return { rows, nodes: o.nodes, seed: o.seed, formationMs, realMs: Date.now() - started };
}

async function runPhase(net: Testnet, o: ChurnOptions, churn: number, strategyName: StrategyName, endpoints: number[], relays: number[], all: Set<TokumeiNode>): Promise<ChurnRow> {
  const sim = net.sim!;
  // Every phase starts from a whole network.
  for (let i = 0; i < net.nodes.length; i++) if (!net.isAlive(i)) all.add(await net.revive(i));
  await net.advance(5_000);

  // The same churn schedule for every strategy at this churn level.
  const rng = new SeededRandom(o.seed * 1000 + Math.round(churn * 100), 'churn-schedule');
  const churning = shuffle([...relays], rng).slice(0, Math.round(churn * relays.length));
  const clock = sim.createRuntime(`churn-driver-${Math.round(churn * 100)}-${o.strategies.indexOf(strategyName)}`).clock;
  const phaseEnd = sim.now() + o.messages * o.intervalMs + o.deadlineMs;
  let stopped = false;
  const cycle = (i: number, up: boolean): void => {
    if (stopped) return;
    const wait = exp(rng, up ? o.upMeanMs : o.downMeanMs);
    clock.setTimeout(() => {
      if (stopped) return;
      if (up) {
        void net.kill(i, rng.float() < o.crashShare ? 'crash' : 'exit');
      } else {
        void net.revive(i).then((n) => all.add(n));
      }
      cycle(i, !up);
    }, wait);
  };
  // Start each churning relay at a random point of its cycle.
  for (const i of churning) cycle(i, true);

  const cellsBefore = routingCells(all);
  const latencies: number[] = [];
  let delivered = 0;
  let settled = 0;
  let localRepairs = 0;
  const total = (endpoints.length / 2) * o.messages;
  const strategy = STRATEGIES[strategyName];
  for (let p = 0; p < endpoints.length / 2; p++) {
    const a = net.nodes[endpoints[2 * p]!]!;
    const b = net.nodes[endpoints[2 * p + 1]!]!;
    const address = b.router.newAddress().text;
    for (let m = 0; m < o.messages; m++) {
      clock.setTimeout(() => {
        const t0 = sim.now();
        const payload = new TextEncoder().encode(`phase ${churn} ${strategyName} pair ${p} message ${m}`);
        a.router.send(address, payload, strategy).then(
          (r: SendOutcome) => {
            settled++;
            if (sim.now() - t0 <= o.deadlineMs) {
              delivered++;
              latencies.push(sim.now() - t0);
            }
            localRepairs += r.localRepairs;
          },
          () => settled++,
        );
      }, m * o.intervalMs + rng.int(o.intervalMs));
    }
  }
  await sim.runUntil(() => settled >= total, { timeoutMs: phaseEnd - sim.now() + 5_000 });
  stopped = true;
  const cells = routingCells(all) - cellsBefore;
  return {
    strategy: strategyName,
    churn,
    delivery: round(delivered / total, 4),
    p50Ms: round(percentile(latencies, 50), 0),
    p99Ms: round(percentile(latencies, 99), 0),
    cellsPerDelivery: delivered > 0 ? round(cells / delivered, 1) : NaN,
    localRepairs,
    messages: total,
    delivered,
  };
}

function routingCells(nodes: Iterable<TokumeiNode>): number {
  let n = 0;
  for (const node of nodes) n += node.router.status().counters.routingCells;
  return n;
}

function exp(rng: SeededRandom, meanMs: number): number {
  return Math.max(1, Math.round(-Math.log(1 - rng.float()) * meanMs));
}

function shuffle<T>(xs: T[], rng: SeededRandom): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

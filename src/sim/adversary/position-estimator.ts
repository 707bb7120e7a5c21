/**
 * The position estimator (docs/threat-model.md, R6): a relay on a route counts the cells that reach
 * it from the proxy's side while the route is set up (the first 500 ms after the first one) — those
 * it passes on and those for itself — and guesses how many relays follow it. Every relay observes; the attacker learns the best guess for
 * each count on the first half of the observations (it is granted the truth there) and is scored on
 * the second half. The baseline is the best blind guess on that half (its most common answer); the
 * property holds when the attacker does at most 1.25× that.
 */
import { SeededRandom, type Testnet } from '../../index.js';
import type { AttackRow } from './attack-row.js';
import { routeRelays } from '../route-probe.js';

export interface PositionEstimatorOptions {
  trials: number;
  seed: number;
}

/** The window after a circuit's first forward cell in which the setup burst is counted. */
const WINDOW_MS = 500;

interface Seen {
  relay: string;
  previous: string;
  first: number;
  count: number;
}

export async function positionEstimator(net: Testnet, o: PositionEstimatorOptions): Promise<AttackRow> {
  const rng = new SeededRandom(o.seed, 'position-estimator');
  let circuits = new Map<object, Seen>(); // UNBOUNDED: one trial's circuits, cleared after it
  for (const n of net.nodes) {
    n.router.observe({
      onForwardCell: (circuit, previous, at) => {
        const s = circuits.get(circuit);
        if (!s) circuits.set(circuit, { relay: n.id, previous, first: at, count: 1 });
        else if (at - s.first <= WINDOW_MS) s.count++;
      },
    });
  }
  const observations: { count: number; after: number }[] = []; // UNBOUNDED: ≤ trials × route length
  let trials = 0;
  try {
    for (let t = 0; t < o.trials; t++) {
      const a = net.nodes[rng.int(net.nodes.length)]!;
      let b = net.nodes[rng.int(net.nodes.length)]!;
      while (b === a) b = net.nodes[rng.int(net.nodes.length)]!;
      circuits = new Map();
      const relays = await routeRelays(net, a, b);
      await net.advance(2_000);
      if (relays.length === 0) continue;
      trials++;
      // The route's own circuit at each relay: the one that came from the hop before it.
      for (const s of circuits.values()) {
        const at = relays.indexOf(s.relay);
        if (at >= 0 && s.previous === (at === 0 ? a.id : relays[at - 1])) observations.push({ count: s.count, after: relays.length - 1 - at });
      }
    }
  } finally {
    for (const n of net.nodes) n.router.observe(undefined);
  }
  const half = Math.floor(observations.length / 2);
  const learn = observations.slice(0, half);
  const score = observations.slice(half);
  // The attacker: for each count, the answer seen most often with it while learning.
  const table = new Map<number, Map<number, number>>();
  for (const x of learn) {
    const m = table.get(x.count) ?? new Map<number, number>();
    m.set(x.after, (m.get(x.after) ?? 0) + 1);
    table.set(x.count, m);
  }
  const overall = mostCommon(learn.map((x) => x.after));
  const guess = (count: number): number => {
    const m = table.get(count);
    return m ? [...m.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0])[0]![0] : overall;
  };
  const right = score.filter((x) => guess(x.count) === x.after).length;
  const blind = mostCommon(score.map((x) => x.after));
  const blindRight = score.filter((x) => x.after === blind).length;
  const success = score.length > 0 ? right / score.length : 0;
  const baseline = score.length > 0 ? blindRight / score.length : 0;
  return {
    attack: 'a relay estimates its position on a route',
    adversary: 'any single relay, counting setup cells',
    trials,
    success,
    baseline,
    holds: success <= 1.25 * baseline,
    detail: { observations: observations.length, scored: score.length, distinctCounts: table.size },
  };
}

function mostCommon(values: number[]): number {
  const m = new Map<number, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0])[0]?.[0] ?? 0;
}

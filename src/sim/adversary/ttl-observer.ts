/**
 * The TTL observer (docs/threat-model.md, R4): colluding relays watch the route seeks that reach
 * them and guess who started each one. A seek that arrives at the largest TTL a sender may draw
 * can only come from its originator, so the colluder names the neighbour it came from; otherwise
 * it falls back to the first spy (the neighbour the earliest colluder heard it from). The baseline
 * is a random guess among the observing colluder's neighbours; the property holds when the
 * attacker does at most 1.5× that.
 */
import { MAX_SEEK_TTL, SeededRandom, type Testnet } from '../../index.js';
import type { AttackRow } from './attack-row.js';
import { chooseColluders } from './colluders.js';
import { routeRelays } from '../route-probe.js';

export interface TtlObserverOptions {
  trials: number;
  /** Share of nodes that collude. */
  colluding: number;
  seed: number;
}

interface Seen {
  colluder: string;
  from: string;
  at: number;
  ttl: number;
}

export async function ttlObserver(net: Testnet, o: TtlObserverOptions): Promise<AttackRow> {
  const rng = new SeededRandom(o.seed, 'ttl-observer');
  const colluders = chooseColluders(net, o.colluding, rng);
  const degree = new Map(net.nodes.map((n) => [n.id, Math.max(1, n.status().neighbours.length)]));
  let seen: Seen[] = []; // UNBOUNDED: one trial's observations, cleared after it
  for (const n of net.nodes) if (colluders.has(n.id)) n.router.observe({ onSeek: (_id, from, at, ttl) => void seen.push({ colluder: n.id, from, at, ttl }) });
  const honest = net.nodes.filter((n) => !colluders.has(n.id));
  let trials = 0;
  let named = 0;
  let firstSpyNamed = 0;
  let atMaxTtl = 0;
  let namedAtMaxTtl = 0;
  let chance = 0;
  try {
    for (let t = 0; t < o.trials; t++) {
      const a = honest[rng.int(honest.length)]!;
      let b = honest[rng.int(honest.length)]!;
      while (b === a) b = honest[rng.int(honest.length)]!;
      seen = [];
      await routeRelays(net, a, b);
      await net.advance(3_000);
      if (seen.length === 0) continue;
      trials++;
      const first = seen.reduce((x, y) => (y.at < x.at ? y : x));
      const top = seen.find((s) => s.ttl === MAX_SEEK_TTL);
      const used = top ?? first;
      if (top) atMaxTtl++;
      if (top && top.from === a.id) namedAtMaxTtl++;
      if (used.from === a.id) named++;
      if (first.from === a.id) firstSpyNamed++;
      chance += 1 / degree.get(used.colluder)!;
    }
  } finally {
    for (const n of net.nodes) if (colluders.has(n.id)) n.router.observe(undefined);
  }
  const success = trials > 0 ? named / trials : 0;
  const baseline = trials > 0 ? chance / trials : 0;
  return {
    attack: 'TTL observer names the sender of a seek',
    adversary: `${Math.round(o.colluding * 100)} % colluding relays`,
    trials,
    success,
    baseline,
    holds: success <= 1.5 * baseline,
    detail: {
      colluding: o.colluding,
      firstSpyOnly: trials > 0 ? firstSpyNamed / trials : 0,
      trialsWithASeekAtMaxTtl: trials > 0 ? atMaxTtl / trials : 0,
      /** When a colluder saw the seek at the maximum TTL, how often that named the sender (1: always). */
      namedAtMaxTtl: atMaxTtl > 0 ? namedAtMaxTtl / atMaxTtl : 0,
    },
  };
}

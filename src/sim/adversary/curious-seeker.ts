/**
 * The curious seeker (docs/threat-model.md, R1): a member that was handed a one-time address of D
 * — a clinic, a board replica answering a reply address — and wants to know who D is. It sets up
 * routes to D's addresses, keeps every relay its routes name, and guesses D among the nodes that
 * neighbour all the last relays it was given. It is granted the overlay's map (every node's
 * neighbours: what a patient member learns from descriptors and probing), the strongest version of
 * this attacker. Success is naming D; the baseline is a blind guess, 1/N. The property also asks
 * that the serials the seeker is handed be D's neighbours no more often than any relay is (degree
 * over N): a route crossing the network may pass a relay that happens to neighbour D, but it must
 * not end there.
 */
import { SeededRandom, type Testnet } from '../../index.js';
import type { AttackRow } from './attack-row.js';
import { routeRelays } from '../route-probe.js';

export interface CuriousSeekerOptions {
  trials: number;
  /** Route setups to D (each to a fresh address of D) per trial. */
  setups: number;
  seed: number;
}

export async function curiousSeeker(net: Testnet, o: CuriousSeekerOptions): Promise<AttackRow> {
  const rng = new SeededRandom(o.seed, 'curious-seeker');
  const neighbours = new Map(net.nodes.map((n) => [n.id, new Set(n.status().neighbours.map((x) => x.id))]));
  const n = net.nodes.length;
  let named = 0;
  let sawNeighbour = 0;
  let trials = 0;
  let received = 0;
  let receivedNeighbours = 0;
  let chanceShare = 0;
  for (let t = 0; t < o.trials; t++) {
    const seeker = net.nodes[rng.int(n)]!;
    let d = net.nodes[rng.int(n)]!;
    while (d === seeker) d = net.nodes[rng.int(n)]!;
    const lastRelays: string[] = [];
    const seen = new Set<string>();
    for (let s = 0; s < o.setups; s++) {
      const relays = await routeRelays(net, seeker, d);
      if (relays.length === 0) continue;
      lastRelays.push(relays[relays.length - 1]!);
      for (const r of relays) seen.add(r);
    }
    if (lastRelays.length === 0) continue;
    trials++;
    const around = neighbours.get(d.id) ?? new Set<string>();
    if ([...seen].some((r) => around.has(r))) sawNeighbour++;
    received += seen.size;
    receivedNeighbours += [...seen].filter((r) => around.has(r)).length;
    chanceShare += around.size / (n - 2);
    // D neighbours every last relay: intersect their neighbourhoods, then guess among what is left.
    let candidates: string[] | undefined;
    for (const r of lastRelays) {
      const around = [...(neighbours.get(r) ?? [])].filter((x) => x !== seeker.id);
      candidates = candidates === undefined ? around : candidates.filter((x) => around.includes(x));
    }
    const pool = candidates && candidates.length > 0 ? candidates : net.nodes.map((x) => x.id).filter((x) => x !== seeker.id);
    if (pool[rng.int(pool.length)] === d.id) named++;
  }
  const success = trials > 0 ? named / trials : 0;
  const baseline = 1 / n;
  const neighbourRate = trials > 0 ? sawNeighbour / trials : 0;
  // A relay anywhere in the network neighbours D with probability degree / N: what the seeker is
  // handed should be D's neighbours no more often than that.
  const neighbourShare = received > 0 ? receivedNeighbours / received : 0;
  const neighbourChance = trials > 0 ? chanceShare / trials : 0;
  return {
    attack: 'curious seeker names the destination',
    adversary: 'the other end (a seeker handed D’s address), with the overlay map',
    trials,
    success,
    baseline,
    holds: success <= 2 * baseline && neighbourShare <= 2 * neighbourChance,
    detail: { setupsPerTrial: o.setups, trialsWithANeighbourOfD: neighbourRate, neighbourShare, neighbourChance },
  };
}

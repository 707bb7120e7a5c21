/**
 * The curious destination (docs/threat-model.md, R2): a member that received a message — a clinic
 * answering a proposal, a board replica, an intermediary — and wants to know who sent it. It holds
 * the reply address every chunk carries, sets up a route to it (as a late reply does: one
 * conversation per address, so one route), and guesses the sender among the neighbours of that
 * route's last relay. It is
 * granted the overlay's map, as the curious seeker is. Success is naming the sender; the baseline
 * is a blind guess, 1/N.
 */
import { SeededRandom, type Testnet, type TokumeiNode } from '../../index.js';
import type { AttackRow } from './attack-row.js';
import { routeTo } from '../route-probe.js';

export interface CuriousDestinationOptions {
  trials: number;
  seed: number;
}

export async function curiousDestination(net: Testnet, o: CuriousDestinationOptions): Promise<AttackRow> {
  const rng = new SeededRandom(o.seed, 'curious-destination');
  const neighbours = new Map(net.nodes.map((n) => [n.id, new Set(n.status().neighbours.map((x) => x.id))]));
  const n = net.nodes.length;
  let named = 0;
  let trials = 0;
  for (let t = 0; t < o.trials; t++) {
    const sender = net.nodes[rng.int(n)]!;
    let d = net.nodes[rng.int(n)]!;
    while (d === sender) d = net.nodes[rng.int(n)]!;
    const reply = await receive(net, sender, d);
    if (!reply) continue;
    const relays = await routeTo(net, d, reply);
    if (relays.length === 0) continue;
    trials++;
    const around = [...(neighbours.get(relays[relays.length - 1]!) ?? [])].filter((x) => x !== d.id);
    const pool = around.length > 0 ? around : net.nodes.map((x) => x.id).filter((x) => x !== d.id);
    if (pool[rng.int(pool.length)] === sender.id) named++;
  }
  const success = trials > 0 ? named / trials : 0;
  const baseline = 1 / n;
  return {
    attack: 'curious destination names the sender',
    adversary: 'the other end (a destination holding the reply address), with the overlay map',
    trials,
    success,
    baseline,
    holds: success <= 2 * baseline,
  };
}

/** `sender` sends a message to a fresh address of `d`; the reply address `d` was left, if it arrived. */
async function receive(net: Testnet, sender: TokumeiNode, d: TokumeiNode): Promise<string | undefined> {
  const address = d.router.newAddress().text;
  let done = false;
  sender.router.send(address, new Uint8Array(16), { multicastFallback: false }).then(
    () => (done = true),
    () => (done = true),
  );
  await net.sim!.runUntil(() => done, { timeoutMs: 120_000 });
  const entry = d.router.inbox.list().at(-1);
  return entry ? d.router.replyAddressOf(entry.id) : undefined;
}

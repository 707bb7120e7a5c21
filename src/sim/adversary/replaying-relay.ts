/**
 * Replaying relays (docs/threat-model.md, R5): colluders on the way back keep every route
 * information packet they pass on and, once the seek is over, send each again — as it was, and
 * with a fresh seek id over the same return path — to pump traffic at the proxy. Success is the
 * share of replays an honest node passed on (the property: none); the baseline is zero.
 */
import { SeededRandom, type Testnet } from '../../index.js';
import { Command } from '../../wire/cell.js';
import { toHex } from '../../crypto/bytes.js';
import { encodeRouteInfo, type RouteInfo } from '../../routing/formats/route-seek.js';
import { passportSlot } from '../../routing/formats/hop-record.js';
import type { AttackRow } from './attack-row.js';
import { chooseColluders } from './colluders.js';
import { routeRelays } from '../route-probe.js';

export interface ReplayingRelayOptions {
  trials: number;
  colluding: number;
  seed: number;
}

/** BOUNDED: packets one trial keeps for replay. */
const KEPT = 64;
const COPIES = 2;

export async function replayingRelays(net: Testnet, o: ReplayingRelayOptions): Promise<AttackRow> {
  const rng = new SeededRandom(o.seed, 'replaying-relay');
  const colluders = chooseColluders(net, o.colluding, rng);
  const byId = new Map(net.nodes.map((n) => [n.id, n]));
  let kept: { by: string; to: string; info: RouteInfo }[] = [];
  for (const id of colluders) {
    byId.get(id)!.router.tamperWith({
      forwardRouteInfo: (info, _from, to) => {
        if (kept.length < KEPT) kept.push({ by: id, to, info });
        return info;
      },
    });
  }
  const honest = net.nodes.filter((n) => !colluders.has(n.id));
  // What honest relays pass back of the replayed seeks only (other nodes' seeks go on meanwhile).
  const replayed = new Set<string>(); // UNBOUNDED: one trial's replayed seek ids, cleared after it
  let passedNow = 0;
  for (const n of honest) n.router.observe({ onRouteInfoPassed: (seekId) => void (replayed.has(seekId) && passedNow++) });
  let trials = 0;
  let replays = 0;
  let passed = 0;
  try {
    for (let t = 0; t < o.trials; t++) {
      const a = honest[rng.int(honest.length)]!;
      let b = honest[rng.int(honest.length)]!;
      while (b === a) b = honest[rng.int(honest.length)]!;
      kept = [];
      await routeRelays(net, a, b);
      await net.advance(3_000);
      if (kept.length === 0) continue;
      trials++;
      replayed.clear();
      passedNow = 0;
      for (const k of kept) {
        const colluder = byId.get(k.by)!;
        const link = colluder.overlay.neighbour(k.to)?.link;
        if (!link) continue;
        for (let c = 0; c < COPIES; c++) {
          const fresh = { ...k.info, seekId: colluder.router.ctx.runtime.random.bytes(16) };
          for (const info of [k.info, fresh]) {
            replayed.add(toHex(info.seekId));
            colluder.router.ctx.sendMessage(link, Command.ROUTE_INFO, encodeRouteInfo(info, passportSlot(colluder.router.ctx.identity.passport.keyType)));
            replays++;
          }
        }
      }
      await net.advance(3_000);
      passed += passedNow;
    }
  } finally {
    for (const id of colluders) byId.get(id)!.router.tamperWith(undefined);
    for (const n of honest) n.router.observe(undefined);
  }
  const success = replays > 0 ? passed / replays : 0;
  return {
    attack: 'replayed route information reaches the proxy',
    adversary: `${Math.round(o.colluding * 100)} % colluding relays replaying`,
    trials,
    success,
    baseline: 0,
    holds: passed === 0,
    detail: { colluding: o.colluding, replays, passedOn: passed },
  };
}

/**
 * Forging and lying relays (docs/threat-model.md, R3): 10 % of members collude to own whole
 * routes. Each colluder, forwarding a seek, describes itself with the best figures a hop record
 * can carry and splices in two forged relays after itself — hop records under two honest members'
 * serials but with onion keys the colluders hold — and, on the way back, the pointers those fake
 * hops need. All colluders forge the same two names, so the proxy's merged graph joins a colluder
 * at its first hop to a colluder next to the destination through the fakes. A hop is owned when
 * its serial is a colluder's or its onion key is not the one in that serial's passport; success is
 * the share of the routes honest proxies choose that are owned end to end; the baseline is c^L for
 * each route's L relays.
 */
import { SeededRandom, type Testnet, type TokumeiNode } from '../../index.js';
import { generateX25519 } from '../../crypto/x25519.js';
import { sealHopRecord, HOP_RECORD_SIZE, type HopRecord } from '../../routing/hop-record.js';
import { HOP_RECORDS_SIZE, POINTERS_SIZE, type RouteInfo, type RouteSeek } from '../../routing/route-seek.js';
import { POINTER_SIZE } from '../../routing/pointer.js';
import { serialToBytes } from '../../routing/serial-bytes.js';
import { concatBytes, toHex } from '../../crypto/bytes.js';
import type { AttackRow } from './attack-row.js';

export interface ForgingRelayOptions {
  trials: number;
  /** Share of nodes that collude. */
  colluding: number;
  seed: number;
}

/** Figures that win every route choice that trusts them. */
const BEST = { rttMs: 0, load: 0, uptimeMin: 0xffff, degree: 0xff };

export async function forgingRelays(net: Testnet, o: ForgingRelayOptions): Promise<AttackRow> {
  const rng = new SeededRandom(o.seed, 'forging-relay');
  const ids = net.nodes.map((n) => n.id);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  const c = o.colluding;
  const colluders = new Set(ids.slice(0, Math.max(1, Math.round(c * ids.length))));
  const honest = net.nodes.filter((n) => !colluders.has(n.id));
  const realKey = new Map(net.nodes.map((n) => [n.id, toHex(n.router.ctx.identity.passport.onionKey)]));
  // The two names every colluder forges (honest members' serials), with keys the colluders hold.
  const keys = colluders.size > 0 ? net.nodes.find((n) => colluders.has(n.id))!.router.ctx.runtime.random : undefined;
  const fakes = [honest[0]!, honest[1]!].map((n) => ({ serial: n.id, key: generateX25519(keys).publicRaw }));
  const owned = (hop: { serial: string; onionKey: Uint8Array }): boolean => colluders.has(hop.serial) || realKey.get(hop.serial) !== toHex(hop.onionKey);
  for (const n of net.nodes) if (colluders.has(n.id)) n.router.tamperWith(forger(n, fakes));
  let trials = 0;
  let ownedRoutes = 0;
  let baseline = 0;
  let forgedHops = 0;
  let hops = 0;
  try {
    for (let t = 0; t < o.trials; t++) {
      const a = honest[2 + rng.int(honest.length - 2)]!;
      let b = honest[2 + rng.int(honest.length - 2)]!;
      while (b === a) b = honest[2 + rng.int(honest.length - 2)]!;
      const routes = await plan(net, a, b.router.newAddress().text);
      const route = routes[0];
      if (!route) continue;
      trials++;
      hops += route.length;
      forgedHops += route.filter((h) => realKey.get(h.serial) !== toHex(h.onionKey)).length;
      if (route.every(owned)) ownedRoutes++;
      baseline += c ** route.length;
    }
  } finally {
    for (const n of net.nodes) if (colluders.has(n.id)) n.router.tamperWith(undefined);
  }
  const success = trials > 0 ? ownedRoutes / trials : 0;
  const chance = trials > 0 ? baseline / trials : 0;
  return {
    attack: 'forging, lying relays own a whole route',
    adversary: `${Math.round(c * 100)} % colluding relays that forge hop records and lie`,
    trials,
    success,
    baseline: chance,
    holds: success <= 2 * chance,
    detail: { colluding: c, forgedHopShare: hops > 0 ? forgedHops / hops : 0, meanRelays: trials > 0 ? hops / trials : 0 },
  };
}

/** The routes `a` would choose to `address` (a seek and route choice; empty when the seek failed). */
async function plan(net: Testnet, a: TokumeiNode, address: string): Promise<{ serial: string; onionKey: Uint8Array }[][]> {
  let done = false;
  let routes: { serial: string; onionKey: Uint8Array }[][] = [];
  a.router.planRoutes(address).then(
    (r) => ((done = true), (routes = r)),
    () => (done = true),
  );
  await net.sim!.runUntil(() => done, { timeoutMs: 60_000 });
  return routes;
}

/** One colluder's modified relay code. */
function forger(n: TokumeiNode, fakes: { serial: string; key: Uint8Array }[]) {
  const self: HopRecord = { serial: serialToBytes(n.id), onionKey: n.router.ctx.identity.passport.onionKey, ...BEST };
  const random = n.router.ctx.runtime.random;
  return {
    forwardSeek(seek: RouteSeek): RouteSeek {
      // Slot 0 holds our own record; replace it by a lying one and put the fakes after us.
      const records = [...fakes].reverse().map((f) => sealHopRecord(seek.tempKey, seek.seekId, { serial: serialToBytes(f.serial), onionKey: f.key, ...BEST }, random));
      records.push(sealHopRecord(seek.tempKey, seek.seekId, self, random));
      const rest = seek.hopRecords.subarray(HOP_RECORD_SIZE, HOP_RECORDS_SIZE - (records.length - 1) * HOP_RECORD_SIZE);
      return { ...seek, hopRecords: concatBytes(...records, rest) };
    },
    forwardRouteInfo(info: RouteInfo): RouteInfo {
      // Our pointer (to the real next hop) goes to the last fake; we and the first fake get ones we
      // would resolve ourselves.
      const ours = info.pointers.subarray(0, POINTER_SIZE);
      const made = fakes.map(() => random.bytes(POINTER_SIZE));
      const rest = info.pointers.subarray(POINTER_SIZE, POINTERS_SIZE - fakes.length * POINTER_SIZE);
      return { ...info, pointers: concatBytes(...made, ours, rest) };
    },
  };
}

/**
 * Forging relays (docs/threat-model.md, R3): 10 % of members collude to own whole routes. Each
 * colluder, passing route information back, splices forged hops into it: half of them forge two
 * honest members (their public passports, the forger's own onion key), the other half two fellow
 * colluders whose onion keys they pooled. All forge the same names, so a proxy that believed them
 * would join a colluder at its first hop to a colluder next to the destination through the fakes.
 * (Before the redesign they also lied about RTT, load and uptime; route choice no longer reads any
 * figure a relay reports, so there is nothing left to lie about.) A hop is owned when
 * its serial is a colluder's or its onion key is not the one in that serial's passport; success is
 * the share of the routes honest proxies choose that are owned end to end; the baseline is c^L for
 * each route's L relays.
 */
import { SeededRandom, type Testnet, type TokumeiNode } from '../../index.js';
import type { KeyObject } from 'node:crypto';
import { hopRecordSize, passportSlot, sealHopRecord } from '../../routing/formats/hop-record.js';
import { H, type RouteInfo, type RouteSeek } from '../../routing/formats/route-seek.js';
import { POINTER_SIZE, sealPointer } from '../../routing/formats/pointer.js';
import { serialToBytes } from '../../routing/formats/serial-bytes.js';
import { concatBytes, toHex } from '../../crypto/bytes.js';
import type { AttackRow } from './attack-row.js';
import { chooseColluders } from './colluders.js';

export interface ForgingRelayOptions {
  trials: number;
  /** Share of nodes that collude. */
  colluding: number;
  seed: number;
}

export async function forgingRelays(net: Testnet, o: ForgingRelayOptions): Promise<AttackRow> {
  const rng = new SeededRandom(o.seed, 'forging-relay');
  const c = o.colluding;
  const colluders = chooseColluders(net, c, rng);
  const honest = net.nodes.filter((n) => !colluders.has(n.id));
  const realKey = new Map(net.nodes.map((n) => [n.id, toHex(n.router.ctx.identity.passport.onionKey)]));
  // The two names every colluder forges (honest members' serials), with keys the colluders hold.
  const owned = (hop: { serial: string; onionKey: Uint8Array }): boolean => colluders.has(hop.serial) || realKey.get(hop.serial) !== toHex(hop.onionKey);
  // Half the colluders forge two honest members (their real passports, the forger's own onion key);
  // the other half splice in two fellow colluders, whose keys they were given.
  const pool = net.nodes.filter((n) => colluders.has(n.id));
  const mates = pool.slice(0, 2).map((m) => ({ serial: m.id, passportDer: m.router.ctx.identity.passport.der, key: m.router.ctx.identity.onionPrivateKey }));
  pool.forEach((n, i) => {
    const ownKey = n.router.ctx.identity.onionPrivateKey;
    const fakes = i % 2 === 0 ? [honest[0]!, honest[1]!].map((h) => ({ serial: h.id, passportDer: h.router.ctx.identity.passport.der, key: ownKey })) : mates.filter((m) => m.serial !== n.id);
    n.router.tamperWith(forger(n, fakes));
  });
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
    attack: 'forging relays own a whole route',
    adversary: `${Math.round(c * 100)} % colluding relays that forge hop records`,
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

/** A name a colluder forges: a serial, the passport it shows, the onion key it seals with. */
interface Forged {
  serial: string;
  passportDer: Uint8Array;
  key: KeyObject;
}

/** BOUNDED: seeks a forger remembers the temporary key of. */
const TEMP_KEYS = 1_024;

/**
 * One colluder's modified relay code. On the way back it re-makes its own record and puts the
 * forged hops before itself — the only place where no honest relay vouches for its predecessor.
 */
function forger(n: TokumeiNode, fakes: Forged[]) {
  const ctx = n.router.ctx;
  const slot = passportSlot(ctx.identity.passport.keyType);
  const size = hopRecordSize(slot);
  const temp = new Map<string, Uint8Array>(); // BOUNDED(TEMP_KEYS): seek id → T
  const me: Forged = { serial: n.id, passportDer: ctx.identity.passport.der, key: ctx.identity.onionPrivateKey };
  return {
    forwardSeek(seek: RouteSeek): RouteSeek {
      temp.set(toHex(seek.seekId), seek.tempKey);
      if (temp.size > TEMP_KEYS) temp.delete(temp.keys().next().value!);
      return seek;
    },
    forwardRouteInfo(info: RouteInfo, from: string, to: string): RouteInfo {
      const T = temp.get(toHex(info.seekId));
      if (!T) return info;
      // Path order from the proxy: the fakes, us, then the honest rest.
      const chain = [...fakes, me];
      const made: Uint8Array[] = [];
      let predecessor = serialToBytes(to);
      for (const [i, f] of chain.entries()) {
        const last = i === chain.length - 1;
        const pointer = last ? sealPointer(serialToBytes(from), ctx.rpKeys, ctx.epoch(), ctx.runtime.random) : ctx.runtime.random.bytes(POINTER_SIZE);
        made.push(sealHopRecord(T, info.seekId, { serial: serialToBytes(f.serial), predecessor, pointer, passportDer: f.passportDer }, f.key, slot, ctx.runtime.random));
        predecessor = serialToBytes(f.serial);
      }
      // Our honest record is slot 0: replace it, keep H slots.
      return { ...info, hopRecords: concatBytes(...made, info.hopRecords.subarray(size, (H - chain.length + 1) * size)) };
    },
  };
}

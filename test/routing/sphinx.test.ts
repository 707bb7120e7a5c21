import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyObject } from 'node:crypto';
import { generateX25519 } from '../../src/crypto/x25519.js';
import { isTokumeiError } from '../../src/errors.js';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import { BETA_LENGTH, buildOnion, MAX_ONION_HOPS, ONION_SIZE, peelOnion, ROUTING_BLOCK, type HopKeys, type OnionHop } from '../../src/routing/formats/sphinx.js';
import { ReplayCache } from '../../src/routing/formats/replay-cache.js';

const random = new SeededRandom(7, 'sphinx');
const EPOCH = 2_900_000;

interface Node {
  priv: KeyObject;
  pub: Uint8Array;
  ptr: Uint8Array;
}

const nodes: Node[] = Array.from({ length: 13 }, () => {
  const k = generateX25519(random);
  return { priv: k.privateKey, pub: k.publicRaw, ptr: random.bytes(16) };
});

function hopsFor(n: number): OnionHop[] {
  return nodes.slice(0, n).map((x, i) => (i < n - 1 ? { onionKey: x.pub, cmd: 'extend', next: nodes[i + 1]!.ptr } : { onionKey: x.pub, cmd: 'deliver' }));
}

/** Peels an onion along the first n nodes; returns every packet seen and every hop's keys. */
function peelAll(packet: Uint8Array, n: number, epoch = EPOCH): { packets: Uint8Array[]; keys: HopKeys[] } {
  const packets: Uint8Array[] = [];
  const keys: HopKeys[] = [];
  let p: Uint8Array | undefined = packet;
  for (let i = 0; i < n; i++) {
    assert.ok(p, `hop ${i} has a packet`);
    assert.equal(p.length, ONION_SIZE);
    packets.push(p);
    const out = peelOnion(p, nodes[i]!.priv, epoch, new ReplayCache());
    keys.push(out.keys);
    if (i < n - 1) {
      assert.equal(out.cmd, 'extend');
      assert.deepEqual(out.next, nodes[i + 1]!.ptr);
    } else {
      assert.equal(out.cmd, 'deliver');
      assert.equal(out.inner, undefined);
    }
    p = out.inner;
  }
  return { packets, keys };
}

test('onions of 1..12 hops peel in order, every hop sees 913 bytes and shares the OP\'s keys', () => {
  assert.equal(ONION_SIZE, 913);
  assert.equal(BETA_LENGTH, MAX_ONION_HOPS * ROUTING_BLOCK);
  for (let n = 1; n <= MAX_ONION_HOPS; n++) {
    const built = buildOnion(hopsFor(n), EPOCH, random);
    assert.equal(built.packet.length, ONION_SIZE);
    const { keys } = peelAll(built.packet, n);
    assert.deepEqual(keys, built.keys, `${n} hops`);
  }
});

test('no hop learns its position: packets look alike whatever the route length', () => {
  const short = buildOnion(hopsFor(2), EPOCH, random).packet;
  const long = buildOnion(hopsFor(12), EPOCH, random).packet;
  assert.equal(short.length, long.length);
  // The last hop of a 12-hop route and of a 2-hop route both get a β of uniform-looking bytes:
  // no zero tail (as naive padding would leave), byte values spread out.
  for (const [n, packet] of [[12, long], [2, short]] as const) {
    const { packets } = peelAll(packet, n);
    for (const p of packets) {
      const beta = p.subarray(ONION_SIZE - BETA_LENGTH);
      const tail = beta.subarray(BETA_LENGTH - 2 * ROUTING_BLOCK);
      assert.ok(tail.some((b) => b !== 0), 'tail is not zero');
      const counts = new Array<number>(256).fill(0);
      for (const b of beta) counts[b]!++;
      assert.ok(Math.max(...counts) < 20, `no byte value dominates (max ${Math.max(...counts)} of ${BETA_LENGTH})`);
      let ones = 0;
      for (const b of beta) for (let k = 0; k < 8; k++) ones += (b >> k) & 1;
      assert.ok(Math.abs(ones / (BETA_LENGTH * 8) - 0.5) < 0.03, 'bits are balanced');
    }
  }
});

test('tampering any region is caught by the hop that receives it', () => {
  const built = buildOnion(hopsFor(4), EPOCH, random);
  const { packets } = peelAll(built.packet, 4);
  // Version byte: malformed. α, γ, β (start, middle, tail — the tail is the filler): bad MAC.
  for (const [hop, p] of packets.entries()) {
    for (const at of [0, 1, 20, 33, 40, 49, 50, 400, 700, ONION_SIZE - 72, ONION_SIZE - 1]) {
      const bad = p.slice();
      bad[at]! ^= 0x04;
      const code = at === 0 ? 'ONION_MALFORMED' : 'ONION_BAD_MAC';
      assert.throws(() => peelOnion(bad, nodes[hop]!.priv, EPOCH, new ReplayCache()), (e: unknown) => isTokumeiError(e, code), `hop ${hop} byte ${at}`);
    }
  }
  // A change made before hop 1 inside what hop 2 will read is caught already by hop 1's MAC.
  const early = built.packet.slice();
  early[ONION_SIZE - 1]! ^= 1;
  assert.throws(() => peelOnion(early, nodes[0]!.priv, EPOCH, new ReplayCache()), (e: unknown) => isTokumeiError(e, 'ONION_BAD_MAC'));
  // Wrong key, wrong size.
  assert.throws(() => peelOnion(built.packet, nodes[1]!.priv, EPOCH, new ReplayCache()), (e: unknown) => isTokumeiError(e, 'ONION_BAD_MAC'));
  assert.throws(() => peelOnion(built.packet.subarray(1), nodes[0]!.priv, EPOCH, new ReplayCache()), (e: unknown) => isTokumeiError(e, 'ONION_MALFORMED'));
  // A small-order α.
  const zeroAlpha = built.packet.slice();
  zeroAlpha.fill(0, 1, 33);
  assert.throws(() => peelOnion(zeroAlpha, nodes[0]!.priv, EPOCH, new ReplayCache()), (e: unknown) => isTokumeiError(e, 'ONION_BAD_MAC'));
});

test('a replayed onion is refused, in this epoch and the next', () => {
  const replay = new ReplayCache();
  const { packet } = buildOnion(hopsFor(3), EPOCH, random);
  peelOnion(packet, nodes[0]!.priv, EPOCH, replay);
  const refusedReplay = (e: unknown): boolean => isTokumeiError(e, 'ONION_REPLAY') && (e as { kind: string }).kind === 'refused';
  assert.throws(() => peelOnion(packet, nodes[0]!.priv, EPOCH, replay), refusedReplay);
  assert.throws(() => peelOnion(packet, nodes[0]!.priv, EPOCH + 1, replay), refusedReplay);
  // Two epochs on, the epoch check refuses it instead (and the cache forgot it).
  assert.throws(() => peelOnion(packet, nodes[0]!.priv, EPOCH + 2, replay), (e: unknown) => isTokumeiError(e, 'ONION_EPOCH'));
});

test('an onion from another epoch is refused; the previous epoch is accepted', () => {
  const { packet } = buildOnion(hopsFor(2), EPOCH, random);
  assert.equal(peelOnion(packet, nodes[0]!.priv, EPOCH + 1, new ReplayCache()).cmd, 'extend');
  for (const now of [EPOCH - 1, EPOCH + 2]) {
    assert.throws(() => peelOnion(packet, nodes[0]!.priv, now, new ReplayCache()), (e: unknown) => isTokumeiError(e, 'ONION_EPOCH'));
  }
});

test('a full replay cache refuses new setups', () => {
  const replay = new ReplayCache(2);
  for (let i = 0; i < 2; i++) peelOnion(buildOnion(hopsFor(1), EPOCH, random).packet, nodes[0]!.priv, EPOCH, replay);
  const third = buildOnion(hopsFor(1), EPOCH, random).packet;
  assert.throws(() => peelOnion(third, nodes[0]!.priv, EPOCH, replay), (e: unknown) => isTokumeiError(e, 'ONION_REPLAY_FULL'));
  // The next epoch has room again; the previous epoch's tags are still remembered.
  assert.equal(peelOnion(third, nodes[0]!.priv, EPOCH + 1, replay).cmd, 'deliver');
  assert.equal(replay.size, 3);
});

test('the replay cache keeps the current and previous epoch only', () => {
  const c = new ReplayCache(10);
  const tag = random.bytes(32);
  assert.equal(c.add(tag, 5), true);
  assert.equal(c.has(tag, 5), true);
  assert.equal(c.has(tag, 6), true);
  assert.equal(c.has(tag, 7), false);
  assert.equal(c.has(tag, 5), false); // forgotten for good once epoch 7 was seen
});

test('13 hops, a misplaced deliver or a missing next are refused at build', () => {
  const bad = (e: unknown): boolean => isTokumeiError(e, 'CRYPTO_BAD_ARGUMENT');
  assert.throws(() => buildOnion(hopsFor(13), EPOCH, random), bad);
  assert.throws(() => buildOnion([], EPOCH, random), bad);
  assert.throws(() => buildOnion([{ onionKey: nodes[0]!.pub, cmd: 'extend', next: nodes[1]!.ptr }], EPOCH, random), bad);
  assert.throws(() => buildOnion([{ onionKey: nodes[0]!.pub, cmd: 'deliver' }, { onionKey: nodes[1]!.pub, cmd: 'deliver' }], EPOCH, random), bad);
  assert.throws(() => buildOnion([{ onionKey: nodes[0]!.pub, cmd: 'extend' }, { onionKey: nodes[1]!.pub, cmd: 'deliver' }], EPOCH, random), bad);
});

test('rates: build and peel of a 4-hop onion', () => {
  const hops = hopsFor(4);
  const N = 300;
  let t = performance.now();
  let packet: Uint8Array = new Uint8Array(0);
  for (let i = 0; i < N; i++) packet = buildOnion(hops, EPOCH, random).packet;
  const buildRate = N / ((performance.now() - t) / 1000);
  const replay = new ReplayCache();
  const packets = Array.from({ length: N }, () => buildOnion(hops, EPOCH, random).packet);
  t = performance.now();
  for (const p of packets) peelOnion(p, nodes[0]!.priv, EPOCH, replay);
  const peelRate = N / ((performance.now() - t) / 1000);
  console.log(`# sphinx: build ${Math.round(buildRate)}/s (4 hops), peel ${Math.round(peelRate)}/s`);
  assert.ok(packet.length === ONION_SIZE && buildRate > 0 && peelRate > 0);
});

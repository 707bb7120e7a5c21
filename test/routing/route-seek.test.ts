import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateX25519 } from '../../src/crypto/x25519.js';
import { isTokumeiError } from '../../src/errors.js';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import { createCa } from '../../src/identity/ca.js';
import { issueMemberIdentity } from '../../src/identity/member.js';
import type { NodeIdentity } from '../../src/identity/types.js';
import { passportSlot, sealHopRecord } from '../../src/routing/formats/hop-record.js';
import { ReturnPathKeys, unwrapReturnPath } from '../../src/routing/formats/return-path.js';
import { checkAnswerPath } from '../../src/routing/proxy/route-check.js';
import { serialFromBytes, serialToBytes } from '../../src/routing/formats/serial-bytes.js';
import {
  addReturnLayer,
  decodeRouteInfo,
  decodeRouteSeek,
  encodeRouteInfo,
  encodeRouteSeek,
  fakeHopRecords,
  makeRouteProof,
  newSeek,
  openHopRecords,
  openRouteProof,
  pushHopRecord,
  routeInfoSize,
  ROUTE_SEEK_SIZE,
  type RouteInfo,
} from '../../src/routing/formats/route-seek.js';

const random = new SeededRandom(6, 'route-seek');
const EPOCH = 2_900_000;
const SLOT = passportSlot('ed25519');
const ca = createCa({ random });
const members: NodeIdentity[] = Array.from({ length: 8 }, () => issueMemberIdentity(ca, { random }));

interface Relay {
  id: NodeIdentity;
  rp: ReturnPathKeys;
}

test('a fresh seek has the fixed size, ttl in [8, 12] and stem set', () => {
  const t = generateX25519(random);
  const ttls = new Set<number>();
  for (let i = 0; i < 60; i++) {
    const s = newSeek(random.bytes(64), t.publicRaw, random);
    assert.ok(s.ttl >= 8 && s.ttl <= 12);
    ttls.add(s.ttl);
    assert.equal(s.stem, true);
    assert.equal(encodeRouteSeek(s).length, ROUTE_SEEK_SIZE);
  }
  assert.equal(ttls.size, 5);
  assert.equal(ROUTE_SEEK_SIZE, 642);
});

test('ROUTE_SEEK and ROUTE_INFO round-trip and refuse any other size or bad field', () => {
  const t = generateX25519(random);
  const s = { ...newSeek(random.bytes(64), t.publicRaw, random), ttl: 3, stem: false };
  const bytes = encodeRouteSeek(s);
  assert.deepEqual(decodeRouteSeek(bytes), s);
  assert.throws(() => decodeRouteSeek(bytes.subarray(1)), (e: unknown) => isTokumeiError(e, 'WIRE_TRUNCATED'));
  assert.throws(() => decodeRouteSeek(new Uint8Array(ROUTE_SEEK_SIZE + 1)), (e: unknown) => isTokumeiError(e, 'WIRE_INVALID'));
  const ttl = bytes.slice();
  ttl[112] = 13;
  assert.throws(() => decodeRouteSeek(ttl), (e: unknown) => isTokumeiError(e, 'WIRE_INVALID'));
  const stem = bytes.slice();
  stem[113] = 2;
  assert.throws(() => decodeRouteSeek(stem), (e: unknown) => isTokumeiError(e, 'WIRE_INVALID'));

  const info = { seekId: s.seekId, proof: random.bytes(48), returnPath: s.returnPath, hopRecords: fakeHopRecords(SLOT, random) };
  const ib = encodeRouteInfo(info, SLOT);
  assert.equal(ib.length, routeInfoSize(SLOT));
  assert.deepEqual(decodeRouteInfo(ib, SLOT), info);
  assert.throws(() => decodeRouteInfo(ib.subarray(0, 100), SLOT), (e: unknown) => isTokumeiError(e, 'WIRE_TRUNCATED'));
  assert.throws(() => decodeRouteInfo(new Uint8Array(routeInfoSize(SLOT) + 1), SLOT), (e: unknown) => isTokumeiError(e, 'WIRE_INVALID'));
});

/** A seek from `op` through `relays` to a destination, answered and passed back; returns what reaches the OP. */
function answeredSeek(op: NodeIdentity, relays: Relay[]) {
  const t = generateX25519(random);
  const address = generateX25519(random);
  let seek = newSeek(random.bytes(64), t.publicRaw, random);
  let prev = serialToBytes(op.passport.serial);
  for (const r of relays) {
    seek = decodeRouteSeek(encodeRouteSeek(addReturnLayer(seek, prev, r.rp, EPOCH, random)));
    prev = serialToBytes(r.id.passport.serial);
  }
  const proof = makeRouteProof(address.privateKey, seek.tempKey, seek.seekId, prev, random);
  let info: RouteInfo = { seekId: seek.seekId, proof, returnPath: seek.returnPath, hopRecords: fakeHopRecords(SLOT, random) };
  for (let i = relays.length - 1; i >= 0; i--) {
    const r = relays[i]!;
    const out = unwrapReturnPath(info.returnPath, info.seekId, r.rp, EPOCH, random)!;
    assert.equal(serialFromBytes(out.ref), i === 0 ? op.passport.serial : relays[i - 1]!.id.passport.serial);
    const record = sealHopRecord(t.publicRaw, info.seekId, { serial: serialToBytes(r.id.passport.serial), predecessor: out.ref, pointer: random.bytes(16), passportDer: r.id.passport.der }, r.id.onionPrivateKey, SLOT, random);
    info = decodeRouteInfo(encodeRouteInfo({ ...info, returnPath: out.block, hopRecords: pushHopRecord(info.hopRecords, record, SLOT) }, SLOT), SLOT);
  }
  return { t, address, info };
}

function check(op: NodeIdentity, relays: Relay[], a: ReturnType<typeof answeredSeek>, records = openHopRecords(a.t.privateKey, a.info.seekId, a.info.hopRecords, SLOT)) {
  const lastHop = openRouteProof(a.t.privateKey, a.address.publicRaw, a.info.seekId, a.info.proof);
  assert.ok(lastHop);
  return checkAnswerPath({ tPrivate: a.t.privateKey, seekId: a.info.seekId, records, lastHop: lastHop.last, firstHops: new Set([relays[0]!.id.passport.serial]), self: op.passport.serial, caPem: ca.pem, crl: undefined, now: Date.now() });
}

test('a seek through 5 relays: D proves the answer and names its neighbour to the OP alone; the OP checks every record and the chain', () => {
  const [op, ...rest] = members;
  const relays = rest.slice(0, 5).map((id) => ({ id, rp: new ReturnPathKeys(random.bytes(32)) }));
  const a = answeredSeek(op!, relays);
  const hops = check(op!, relays, a);
  assert.deepEqual(hops.map((h) => h.serial), relays.map((r) => r.id.passport.serial));
  assert.deepEqual(hops.map((h) => h.onionKey), relays.map((r) => r.id.passport.onionKey));
  // The proof is the destination's: another key does not open it, nor a changed byte.
  assert.equal(openRouteProof(a.t.privateKey, generateX25519(random).publicRaw, a.info.seekId, a.info.proof), undefined);
  for (const at of [0, 20, 47]) {
    const bad = a.info.proof.slice();
    bad[at]! ^= 1;
    assert.equal(openRouteProof(a.t.privateKey, a.address.publicRaw, a.info.seekId, bad), undefined, `byte ${at}`);
  }
});

test('the OP drops a path with a record dropped, moved, or not the first hop it sent to', () => {
  const [op, ...rest] = members;
  const relays = rest.slice(0, 4).map((id) => ({ id, rp: new ReturnPathKeys(random.bytes(32)) }));
  const a = answeredSeek(op!, relays);
  const records = openHopRecords(a.t.privateKey, a.info.seekId, a.info.hopRecords, SLOT);
  const code = (e: unknown) => isTokumeiError(e, 'ROUTE_PATH_BROKEN');
  assert.throws(() => check(op!, relays, a, [records[0]!, records[2]!, records[3]!]), code);
  assert.throws(() => check(op!, relays, a, [records[1]!, records[0]!, records[2]!, records[3]!]), code);
  assert.throws(() => check(op!, relays, a, records.slice(0, 3)), code, 'the destination names the fourth relay');
  assert.throws(() => check(op!, relays.slice(1), a, records), code);
});

test('two answers to one seek do not share a proof, and neither opens under the other\'s seek id', () => {
  const t = generateX25519(random);
  const address = generateX25519(random);
  const seekId = random.bytes(16);
  const p1 = makeRouteProof(address.privateKey, t.publicRaw, seekId, random.bytes(16), random);
  const p2 = makeRouteProof(address.privateKey, t.publicRaw, seekId, random.bytes(16), random);
  assert.notDeepEqual(p1.subarray(0, 12), p2.subarray(0, 12));
  assert.ok(openRouteProof(t.privateKey, address.publicRaw, seekId, p1));
  assert.equal(openRouteProof(t.privateKey, address.publicRaw, random.bytes(16), p2), undefined);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateX25519 } from '../../src/crypto/x25519.js';
import { isTokumeiError } from '../../src/errors.js';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import type { HopRecord } from '../../src/routing/hop-record.js';
import { ReturnPathKeys, unwrapReturnPath } from '../../src/routing/return-path.js';
import {
  addHop,
  checkRouteProof,
  decodeRouteInfo,
  decodeRouteSeek,
  encodeRouteInfo,
  encodeRouteSeek,
  H,
  makeRouteProof,
  newSeek,
  openHopRecords,
  POINTERS_SIZE,
  ROUTE_INFO_SIZE,
  ROUTE_SEEK_SIZE,
} from '../../src/routing/route-seek.js';

const random = new SeededRandom(6, 'route-seek');
const EPOCH = 2_900_000;

interface Relay {
  serial: Uint8Array;
  rp: ReturnPathKeys;
  record: HopRecord;
}

function relay(i: number): Relay {
  const serial = random.bytes(16);
  return { serial, rp: new ReturnPathKeys(random.bytes(32)), record: { serial, onionKey: random.bytes(32), rttMs: 10 + i, load: i, uptimeMin: 60, degree: 5 } };
}

test('a fresh seek has the fixed size, ttl in [8, 12], stem set and nothing that opens', () => {
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
  const s = newSeek(random.bytes(64), t.publicRaw, random);
  assert.deepEqual(openHopRecords(t.privateKey, s.seekId, s.hopRecords), []);
  assert.equal(ROUTE_SEEK_SIZE, 1890);
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

  const info = { seekId: s.seekId, proof: random.bytes(48), hopRecords: s.hopRecords, returnPath: s.returnPath, pointers: random.bytes(POINTERS_SIZE) };
  const ib = encodeRouteInfo(info);
  assert.equal(ib.length, ROUTE_INFO_SIZE);
  assert.deepEqual(decodeRouteInfo(ib), info);
  assert.throws(() => decodeRouteInfo(ib.subarray(0, 100)), (e: unknown) => isTokumeiError(e, 'WIRE_TRUNCATED'));
  assert.throws(() => decodeRouteInfo(new Uint8Array(ROUTE_INFO_SIZE + 1)), (e: unknown) => isTokumeiError(e, 'WIRE_INVALID'));
});

test('a seek through 5 relays: D proves the answer, the return path leads back, the OP reads the path', () => {
  const t = generateX25519(random);
  const address = generateX25519(random);
  const op = random.bytes(16);
  const relays = Array.from({ length: 5 }, (_, i) => relay(i));
  let seek = newSeek(random.bytes(64), t.publicRaw, random);
  let prev = op;
  for (const r of relays) {
    const before = seek;
    seek = decodeRouteSeek(encodeRouteSeek(addHop(seek, r.record, prev, r.rp, EPOCH, random)));
    assert.equal(seek.ttl, before.ttl, 'ttl is the caller\'s business');
    assert.deepEqual(seek.hopRecords.subarray(104), before.hopRecords.subarray(0, (H - 1) * 104), 'records shift right');
    prev = r.serial;
  }
  // D answers.
  const proof = makeRouteProof(address.privateKey, seek.tempKey, seek.seekId, seek.hopRecords);
  assert.equal(proof.length, 48);
  let returnPath = seek.returnPath;
  for (let i = relays.length - 1; i >= 0; i--) {
    const out = unwrapReturnPath(returnPath, relays[i]!.rp, EPOCH, random)!;
    assert.deepEqual(out.ref, i === 0 ? op : relays[i - 1]!.serial);
    returnPath = out.block;
  }
  // The OP checks and reads.
  assert.equal(checkRouteProof(t.privateKey, address.publicRaw, seek.seekId, seek.hopRecords, proof), true);
  assert.equal(checkRouteProof(t.privateKey, generateX25519(random).publicRaw, seek.seekId, seek.hopRecords, proof), false);
  const changed = seek.hopRecords.slice();
  changed[500]! ^= 1;
  assert.equal(checkRouteProof(t.privateKey, address.publicRaw, seek.seekId, changed, proof), false);
  const notZero = proof.slice();
  notZero[0] = 1;
  assert.equal(checkRouteProof(t.privateKey, address.publicRaw, seek.seekId, seek.hopRecords, notZero), false);
  const path = openHopRecords(t.privateKey, seek.seekId, seek.hopRecords);
  assert.deepEqual(path, relays.map((r) => r.record));
});

test('12 relays fill every slot; a 13th drops the OP\'s neighbour\'s record', () => {
  const t = generateX25519(random);
  const relays = Array.from({ length: 13 }, (_, i) => relay(i));
  let seek = newSeek(random.bytes(64), t.publicRaw, random);
  for (const [i, r] of relays.entries()) {
    seek = addHop(seek, r.record, random.bytes(16), r.rp, EPOCH, random);
    if (i === 11) assert.deepEqual(openHopRecords(t.privateKey, seek.seekId, seek.hopRecords), relays.slice(0, 12).map((x) => x.record));
  }
  assert.deepEqual(openHopRecords(t.privateKey, seek.seekId, seek.hopRecords), relays.slice(1).map((x) => x.record));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateX25519 } from '../../src/crypto/x25519.js';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import { fakeHopRecord, HOP_RECORD_SIZE, openHopRecord, sealHopRecord, type HopRecord } from '../../src/routing/hop-record.js';

const random = new SeededRandom(4, 'hop-record');

function record(): HopRecord {
  return { serial: random.bytes(16), onionKey: random.bytes(32), rttMs: 42, load: 7, uptimeMin: 90, degree: 8 };
}

test('a sealed hop record is 104 bytes and opens only with T and the seek id', () => {
  const t = generateX25519(random);
  const seekId = random.bytes(16);
  const r = record();
  const sealed = sealHopRecord(t.publicRaw, seekId, r, random);
  assert.equal(sealed.length, HOP_RECORD_SIZE);
  assert.deepEqual(openHopRecord(t.privateKey, seekId, sealed), r);
  assert.equal(openHopRecord(generateX25519(random).privateKey, seekId, sealed), undefined);
  assert.equal(openHopRecord(t.privateKey, random.bytes(16), sealed), undefined);
  for (const at of [0, 40, 103]) {
    const bad = sealed.slice();
    bad[at]! ^= 1;
    assert.equal(openHopRecord(t.privateKey, seekId, bad), undefined, `byte ${at}`);
  }
  assert.equal(openHopRecord(t.privateKey, seekId, sealed.subarray(1)), undefined);
});

test('node information saturates to its field', () => {
  const t = generateX25519(random);
  const seekId = random.bytes(16);
  const r = { ...record(), rttMs: 1e6, load: -3, uptimeMin: 70_000.4, degree: 300 };
  const back = openHopRecord(t.privateKey, seekId, sealHopRecord(t.publicRaw, seekId, r, random))!;
  assert.deepEqual([back.rttMs, back.load, back.uptimeMin, back.degree], [0xffff, 0, 0xffff, 0xff]);
});

test('fake records do not open and look like sealed ones (top bit of e_pub clear)', () => {
  const t = generateX25519(random);
  const seekId = random.bytes(16);
  for (let i = 0; i < 20; i++) {
    const fake = fakeHopRecord(random);
    assert.equal(fake.length, HOP_RECORD_SIZE);
    assert.equal(fake[31]! & 0x80, 0);
    assert.equal(sealHopRecord(t.publicRaw, seekId, record(), random)[31]! & 0x80, 0);
    assert.equal(openHopRecord(t.privateKey, seekId, fake), undefined);
  }
});

test('a small-order e_pub is refused, not thrown', () => {
  const t = generateX25519(random);
  const bad = new Uint8Array(HOP_RECORD_SIZE); // u = 0 is a small-order point
  assert.equal(openHopRecord(t.privateKey, random.bytes(16), bad), undefined);
});

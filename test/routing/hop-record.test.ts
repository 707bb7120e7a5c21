import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateX25519 } from '../../src/crypto/x25519.js';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import { createCa } from '../../src/identity/ca.js';
import { issueMemberIdentity } from '../../src/identity/member.js';
import { checkHopAuth, fakeHopRecord, hopRecordSize, openHopRecord, passportSlot, sealHopRecord, type HopRecordFields } from '../../src/routing/formats/hop-record.js';
import { serialToBytes } from '../../src/routing/formats/serial-bytes.js';

const random = new SeededRandom(4, 'hop-record');
const ca = createCa({ random });
const member = issueMemberIdentity(ca, { random });
const other = issueMemberIdentity(ca, { random });
const SLOT = passportSlot('ed25519');

function fields(): HopRecordFields {
  return { serial: serialToBytes(member.passport.serial), predecessor: random.bytes(16), pointer: random.bytes(16), passportDer: member.passport.der };
}

test('passports of both key types fit their community\'s slot', () => {
  assert.ok(member.passport.der.length <= passportSlot('ed25519'));
  const rsa = issueMemberIdentity(createCa({ keyType: 'rsa' }), {});
  assert.ok(rsa.passport.der.length <= passportSlot('rsa'), `${rsa.passport.der.length}`);
});

test('a sealed hop record opens only with T and the seek id, and is authenticated by its relay\'s onion key', () => {
  const t = generateX25519(random);
  const seekId = random.bytes(16);
  const f = fields();
  const sealed = sealHopRecord(t.publicRaw, seekId, f, member.onionPrivateKey, SLOT, random);
  assert.equal(sealed.length, hopRecordSize(SLOT));
  const opened = openHopRecord(t.privateKey, seekId, sealed, SLOT)!;
  assert.deepEqual({ serial: opened.serial, predecessor: opened.predecessor, pointer: opened.pointer, passportDer: opened.passportDer }, f);
  assert.equal(checkHopAuth(t.privateKey, seekId, opened, member.passport.onionKey), true);
  // Another member's onion key did not make it; another seek's T or id does not open it.
  assert.equal(checkHopAuth(t.privateKey, seekId, opened, other.passport.onionKey), false);
  assert.equal(openHopRecord(generateX25519(random).privateKey, seekId, sealed, SLOT), undefined);
  assert.equal(openHopRecord(t.privateKey, random.bytes(16), sealed, SLOT), undefined);
  for (const at of [0, 40, sealed.length - 1]) {
    const bad = sealed.slice();
    bad[at]! ^= 1;
    assert.equal(openHopRecord(t.privateKey, seekId, bad, SLOT), undefined, `byte ${at}`);
  }
  assert.equal(openHopRecord(t.privateKey, seekId, sealed.subarray(1), SLOT), undefined);
});

test('a forger that claims an honest member with its own onion key fails the authenticator', () => {
  const t = generateX25519(random);
  const seekId = random.bytes(16);
  const forged = sealHopRecord(t.publicRaw, seekId, fields(), other.onionPrivateKey, SLOT, random);
  const opened = openHopRecord(t.privateKey, seekId, forged, SLOT)!;
  assert.ok(opened, 'the confidentiality layer opens: anyone can seal to T');
  assert.equal(checkHopAuth(t.privateKey, seekId, opened, member.passport.onionKey), false);
});

test('fake records never open, and a passport too large for the slot is refused', () => {
  const t = generateX25519(random);
  for (let i = 0; i < 20; i++) assert.equal(openHopRecord(t.privateKey, random.bytes(16), fakeHopRecord(SLOT, random), SLOT), undefined);
  assert.throws(() => sealHopRecord(t.publicRaw, random.bytes(16), { ...fields(), passportDer: new Uint8Array(SLOT + 1) }, member.onionPrivateKey, SLOT, random));
});

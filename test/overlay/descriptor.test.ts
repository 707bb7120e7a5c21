import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createCommunity } from '../../src/identity/community.js';
import { openDescriptor, signDescriptor, type Descriptor } from '../../src/overlay/descriptor.js';
import { TokumeiError } from '../../src/errors.js';

const NOW = 1_780_000_000_000;

async function setup() {
  const community = await createCommunity({ keyType: 'ed25519', trustees: 1, threshold: 1, now: NOW });
  const { identity } = community.issue({ now: NOW });
  const d: Descriptor = {
    id: identity.passport.serial,
    address: '127.0.0.1:7000',
    onionKey: identity.passport.onionKey,
    issuedAt: NOW,
    startedAt: NOW - 1000,
    degree: 5,
    load: 12,
    crlNumber: 1,
  };
  const check = { caPem: identity.caPem, crl: undefined, now: NOW, maxAgeMs: 60_000, maxSkewMs: 10_000 };
  return { community, identity, d, check };
}

test('a signed descriptor opens and says what was signed', async () => {
  const { identity, d, check } = await setup();
  const signed = signDescriptor(d, identity.passport, identity.signingPrivateKey);
  const opened = openDescriptor(signed.bytes, check);
  assert.deepEqual({ ...opened.descriptor, onionKey: [...opened.descriptor.onionKey] }, { ...d, onionKey: [...d.onionKey] });
});

test('tampered, foreign, stale and future descriptors are refused with typed errors', async () => {
  const { community, identity, d, check } = await setup();
  const signed = signDescriptor(d, identity.passport, identity.signingPrivateKey);
  const flipped = signed.bytes.slice();
  flipped[flipped.length - 70]! ^= 1; // inside the body or signature
  assert.throws(() => openDescriptor(flipped, check), (e: unknown) => e instanceof TokumeiError);

  const other = community.issue({ now: NOW }).identity;
  const lying = signDescriptor({ ...d, id: other.passport.serial }, identity.passport, identity.signingPrivateKey);
  assert.throws(() => openDescriptor(lying.bytes, check), { code: 'DESCRIPTOR_MISMATCH' });
  const wrongKey = signDescriptor({ ...d, onionKey: other.passport.onionKey }, identity.passport, identity.signingPrivateKey);
  assert.throws(() => openDescriptor(wrongKey.bytes, check), { code: 'DESCRIPTOR_MISMATCH' });

  const stale = signDescriptor({ ...d, issuedAt: NOW - 120_000 }, identity.passport, identity.signingPrivateKey);
  assert.throws(() => openDescriptor(stale.bytes, check), { code: 'DESCRIPTOR_STALE' });
  const future = signDescriptor({ ...d, issuedAt: NOW + 120_000 }, identity.passport, identity.signingPrivateKey);
  assert.throws(() => openDescriptor(future.bytes, check), { code: 'DESCRIPTOR_FUTURE' });

  const revoked = community.revoke(identity.passport.serial);
  assert.throws(() => openDescriptor(signed.bytes, { ...check, crl: revoked }), { code: 'LINK_REVOKED' });
});

test('random and truncated bytes never escape as anything but a TokumeiError', async () => {
  const { identity, d, check } = await setup();
  const signed = signDescriptor(d, identity.passport, identity.signingPrivateKey);
  for (let i = 0; i < 300; i++) {
    const input = i % 3 === 0 ? randomBytes(i) : signed.bytes.subarray(0, Math.min(i * 3, signed.bytes.length - 1));
    assert.throws(() => openDescriptor(input, check), (e: unknown) => e instanceof TokumeiError);
  }
  for (let i = 0; i < 300; i++) {
    const m = signed.bytes.slice();
    m[i % m.length] = randomBytes(1)[0]!;
    try {
      openDescriptor(m, check);
    } catch (e) {
      assert.ok(e instanceof TokumeiError, String(e));
    }
  }
});

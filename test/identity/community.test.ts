import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { x25519RawPublicKey } from '../../src/crypto/x25519.js';
import { createCommunity } from '../../src/identity/community.js';
import { verifyPassport } from '../../src/identity/passport.js';
import { LinkRefusal, TokumeiError } from '../../src/errors.js';
import { DAY, NOW, seededRandom } from './helpers.js';

const is = (code: string) => (e: unknown) => e instanceof TokumeiError && e.code === code;

test('issue gives a complete identity whose passport verifies; revoke advances the CRL', async () => {
  const c = await createCommunity({ now: NOW });
  assert.equal(c.crl().number, 1);
  const { identity } = c.issue();
  const p = verifyPassport(identity.passport.der, { ca: c.caPem, crl: c.crl(), now: NOW + DAY });
  assert.equal(p.serial, identity.passport.serial);
  assert.deepEqual(x25519RawPublicKey(identity.onionPrivateKey), identity.passport.onionKey);
  assert.deepEqual(createPublicKey(identity.signingKeyPem).export({ format: 'der', type: 'spki' }), identity.passport.signingKey.export({ format: 'der', type: 'spki' }));
  assert.equal(identity.caPem, c.caPem);
  assert.equal(identity.anonymityKey.length, 32);

  const crl = c.revoke(identity.passport.serial);
  assert.equal(crl.number, 2);
  assert.equal(c.crl(), crl);
  assert.throws(() => verifyPassport(identity.passport.der, { ca: c.caPem, crl, now: NOW }), is(LinkRefusal.REVOKED));
  const second = c.issue().identity;
  assert.equal(c.revoke(second.passport.serial).revoked.size, 2);
  assert.equal(c.crl().number, 3);
  assert.throws(() => c.revoke('nope'), is('X509_BAD_SERIAL'));
  assert.equal(c.crl().number, 3);
});

test('test aids: expired, not-yet-valid and wrong-onion-key identities', async () => {
  const c = await createCommunity({ trustees: 1, threshold: 1, now: NOW - 100 * DAY, escrow: false });
  const expired = c.issue({ notBefore: new Date(NOW - 30 * DAY), notAfter: new Date(NOW - DAY) });
  assert.equal(expired.escrow, null);
  assert.throws(() => verifyPassport(expired.identity.passport.der, { ca: c.caPem, now: NOW }), is(LinkRefusal.EXPIRED));
  const early = c.issue({ now: NOW, notBefore: NOW + DAY, notAfter: NOW + 2 * DAY }).identity;
  assert.throws(() => verifyPassport(early.passport.der, { ca: c.caPem, now: NOW }), is(LinkRefusal.NOT_YET_VALID));
  const wrong = c.issue({ now: NOW, wrongOnionKey: true }).identity;
  assert.ok(verifyPassport(wrong.passport.der, { ca: c.caPem, now: NOW }));
  assert.notDeepEqual(x25519RawPublicKey(wrong.onionPrivateKey), wrong.passport.onionKey);
});

test('a seeded community is reproducible', async () => {
  const a = await createCommunity({ random: seededRandom('s'), now: NOW, escrow: false });
  const b = await createCommunity({ random: seededRandom('s'), now: NOW, escrow: false });
  assert.equal(a.caPem, b.caPem);
  const ia = a.issue().identity;
  const ib = b.issue().identity;
  assert.equal(ia.passport.serial, ib.passport.serial);
  assert.deepEqual(ia.passport.der, ib.passport.der);
  assert.deepEqual(ia.anonymityKey, ib.anonymityKey);
  const c = await createCommunity({ random: seededRandom('t'), now: NOW, escrow: false });
  assert.notEqual(c.issue().identity.passport.serial, ia.passport.serial);
});

test('cost: issuing in memory (printed; aim < 5 ms for Ed25519)', async () => {
  const c = await createCommunity({ trustees: 3, threshold: 2, now: NOW });
  c.issue(); // warm up
  const n = 100;
  let t = performance.now();
  const pending = [];
  for (let i = 0; i < n; i++) pending.push(c.issue().escrow);
  const issueMs = (performance.now() - t) / n;
  await Promise.all(pending);
  const withEscrowMs = (performance.now() - t) / n;
  const noEscrow = await createCommunity({ trustees: 3, threshold: 2, now: NOW, escrow: false });
  t = performance.now();
  for (let i = 0; i < n; i++) noEscrow.issue();
  const plainMs = (performance.now() - t) / n;
  console.log(`# issue (ed25519, 2-of-3): ${issueMs.toFixed(2)} ms synchronous, ${withEscrowMs.toFixed(2)} ms including the background escrow; ${plainMs.toFixed(2)} ms with escrow off`);
  assert.ok(issueMs < 25, `issue took ${issueMs} ms`);
});

test('bad community parameters are refused', async () => {
  await assert.rejects(createCommunity({ trustees: 0 }), is('CA_BAD_TRUSTEES'));
  await assert.rejects(createCommunity({ trustees: 2, threshold: 3 }), is('CA_BAD_THRESHOLD'));
  await assert.rejects(createCommunity({ keyType: 'dsa' as 'rsa' }), is('CA_BAD_KEY_TYPE'));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { utf8 } from '../../src/crypto/bytes.js';
import { generateHpkeKeyPair, hpkeOpen, hpkeSeal } from '../../src/crypto/hpke.js';
import { isTokumeiError } from '../../src/errors.js';

test('HPKE base mode round trip with info and aad', async () => {
  const r = generateHpkeKeyPair();
  const ctx = { info: utf8('tokumei test info'), aad: utf8('header') };
  const sealed = await hpkeSeal(r.publicKey, utf8('escrow share'), ctx);
  assert.equal(sealed.enc.length, 32);
  assert.equal(sealed.ciphertext.length, 'escrow share'.length + 16);
  assert.deepEqual(await hpkeOpen(r.privateKey, sealed, ctx), utf8('escrow share'));
});

test('a flipped bit, another info/aad or another key fails with HPKE_OPEN_FAILED', async () => {
  const r = generateHpkeKeyPair();
  const ctx = { info: utf8('i'), aad: utf8('a') };
  const sealed = await hpkeSeal(r.publicKey, utf8('secret'), ctx);
  const fails = async (p: Promise<unknown>) => assert.rejects(p, (e: unknown) => isTokumeiError(e, 'HPKE_OPEN_FAILED'));
  const ct = sealed.ciphertext.slice();
  ct[0]! ^= 1;
  await fails(hpkeOpen(r.privateKey, { enc: sealed.enc, ciphertext: ct }, ctx));
  const enc = sealed.enc.slice();
  enc[5]! ^= 1;
  await fails(hpkeOpen(r.privateKey, { enc, ciphertext: sealed.ciphertext }, ctx));
  await fails(hpkeOpen(r.privateKey, sealed, { info: utf8('j'), aad: ctx.aad }));
  await fails(hpkeOpen(r.privateKey, sealed, { info: ctx.info, aad: utf8('b') }));
  await fails(hpkeOpen(generateHpkeKeyPair().privateKey, sealed, ctx));
  await assert.rejects(hpkeOpen(r.privateKey, { enc: sealed.enc.subarray(1), ciphertext: sealed.ciphertext }, ctx), (e: unknown) => isTokumeiError(e, 'CRYPTO_BAD_ARGUMENT'));
});

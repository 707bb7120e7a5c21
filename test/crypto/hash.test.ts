import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex, utf8 } from '../../src/crypto/bytes.js';
import { hmacSha256, sha256 } from '../../src/crypto/hash.js';
import { hkdfExpand, hkdfExtract, hkdfSha256 } from '../../src/crypto/hkdf.js';
import { isTokumeiError } from '../../src/errors.js';

test('SHA-256 (FIPS 180-2 "abc") and HMAC-SHA-256 (RFC 4231 test case 2)', () => {
  assert.equal(toHex(sha256(utf8('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(toHex(sha256(utf8('a'), utf8('bc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(
    toHex(hmacSha256(utf8('Jefe'), utf8('what do ya want for nothing?'))),
    '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  );
});

test('HKDF-SHA-256, RFC 5869 test case A.1', () => {
  const ikm = new Uint8Array(22).fill(0x0b);
  const salt = fromHex('000102030405060708090a0b0c');
  const info = fromHex('f0f1f2f3f4f5f6f7f8f9');
  const prk = hkdfExtract(salt, ikm);
  assert.equal(toHex(prk), '077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5');
  const okm = '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865';
  assert.equal(toHex(hkdfExpand(prk, info, 42)), okm);
  assert.equal(toHex(hkdfSha256(ikm, salt, info, 42)), okm);
  assert.throws(() => hkdfSha256(ikm, salt, info, 255 * 32 + 1), (e: unknown) => isTokumeiError(e, 'CRYPTO_BAD_ARGUMENT'));
  assert.throws(() => hkdfExpand(prk.subarray(0, 16), info, 32), (e: unknown) => isTokumeiError(e, 'CRYPTO_BAD_ARGUMENT'));
});

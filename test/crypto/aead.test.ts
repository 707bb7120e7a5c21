import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex, utf8 } from '../../src/crypto/bytes.js';
import { aeadOpen, aeadSeal } from '../../src/crypto/aead.js';
import { isTokumeiError } from '../../src/errors.js';

// RFC 8439 §2.8.2
const key = fromHex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
const nonce = fromHex('070000004041424344454647');
const aad = fromHex('50515253c0c1c2c3c4c5c6c7');
const plaintext = utf8("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
const ciphertext =
  'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116';
const tag = '1ae10b594f09e26a7e902ecbd0600691';

test('ChaCha20-Poly1305 matches RFC 8439 §2.8.2', () => {
  const sealed = aeadSeal(key, nonce, plaintext, aad);
  assert.equal(toHex(sealed), ciphertext + tag);
  assert.deepEqual(aeadOpen(key, nonce, sealed, aad), plaintext);
});

test('any flipped bit, wrong AAD or wrong nonce fails with AEAD_FAILED', () => {
  const sealed = aeadSeal(key, nonce, plaintext, aad);
  for (const at of [0, 57, sealed.length - 1]) {
    const bad = sealed.slice();
    bad[at]! ^= 1;
    assert.throws(() => aeadOpen(key, nonce, bad, aad), (e: unknown) => isTokumeiError(e, 'AEAD_FAILED'));
  }
  assert.throws(() => aeadOpen(key, nonce, sealed, new Uint8Array(0)), (e: unknown) => isTokumeiError(e, 'AEAD_FAILED'));
  assert.throws(() => aeadOpen(key, new Uint8Array(12), sealed, aad), (e: unknown) => isTokumeiError(e, 'AEAD_FAILED'));
  assert.throws(() => aeadOpen(key, nonce, sealed.subarray(0, 10), aad), (e: unknown) => isTokumeiError(e, 'CRYPTO_BAD_ARGUMENT'));
  assert.throws(() => aeadSeal(key.subarray(1), nonce, plaintext), (e: unknown) => isTokumeiError(e, 'CRYPTO_BAD_ARGUMENT'));
  assert.deepEqual(aeadOpen(key, nonce, aeadSeal(key, nonce, new Uint8Array(0))), new Uint8Array(0));
});

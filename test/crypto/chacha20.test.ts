import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex, utf8 } from '../../src/crypto/bytes.js';
import { aeadSeal } from '../../src/crypto/aead.js';
import { chacha20Stream, chacha20Xor, counterNonce, tryAeadOpen, xorBytes } from '../../src/crypto/chacha20.js';

test('ChaCha20 matches RFC 8439 §2.4.2 (node IV = LE block counter | nonce)', () => {
  const key = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
  const nonce = fromHex('000000000000004a00000000');
  const plaintext = utf8("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
  const expected =
    '6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0bf91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8' +
    '07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab77937365af90bbf74a35be6b40b8eedf2785e42874d';
  assert.equal(toHex(chacha20Xor(key, nonce, plaintext, 1)), expected);
  assert.deepEqual(chacha20Xor(key, nonce, chacha20Xor(key, nonce, plaintext)), plaintext);
  assert.deepEqual(chacha20Stream(key, nonce, 64), chacha20Xor(key, nonce, new Uint8Array(64)));
});

test('counter nonces are 0^4 | u64 big-endian', () => {
  assert.equal(toHex(counterNonce(0)), '000000000000000000000000');
  assert.equal(toHex(counterNonce(0x1_0000_0002)), '000000000000000100000002');
  assert.throws(() => counterNonce(-1));
});

test('tryAeadOpen opens what aeadSeal sealed and returns undefined on any change', () => {
  const key = new Uint8Array(32).fill(7);
  const nonce = counterNonce(3);
  const sealed = aeadSeal(key, nonce, utf8('hello'), utf8('aad'));
  assert.deepEqual(tryAeadOpen(key, nonce, sealed, utf8('aad')), utf8('hello'));
  assert.equal(tryAeadOpen(key, nonce, sealed), undefined);
  assert.equal(tryAeadOpen(key, counterNonce(4), sealed, utf8('aad')), undefined);
  const bad = sealed.slice();
  bad[0]! ^= 1;
  assert.equal(tryAeadOpen(key, nonce, bad, utf8('aad')), undefined);
  assert.equal(tryAeadOpen(key, nonce, new Uint8Array(5)), undefined);
  assert.deepEqual(xorBytes(Uint8Array.of(1, 2), Uint8Array.of(3, 2)), Uint8Array.of(2, 0));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concatBytes, constantTimeEqual, fromBase64, fromHex, toBase64, toHex, wipe } from '../../src/crypto/bytes.js';
import { isTokumeiError } from '../../src/errors.js';

test('hex round-trips and refuses anything loose', () => {
  const b = Uint8Array.of(0, 1, 0xab, 0xff);
  assert.equal(toHex(b), '0001abff');
  assert.deepEqual(fromHex('0001ABff'), b);
  assert.deepEqual(fromHex(''), new Uint8Array(0));
  for (const bad of ['0', 'zz', '0x00', '00 ', ' 00', 'g0', '0001ab f']) {
    assert.throws(() => fromHex(bad), (e: unknown) => isTokumeiError(e, 'CRYPTO_BAD_ARGUMENT'), bad);
  }
  assert.throws(() => fromHex('0011', 3), (e: unknown) => isTokumeiError(e, 'CRYPTO_BAD_ARGUMENT'));
});

test('base64 is strict and canonical', () => {
  const b = Uint8Array.of(1, 2, 3, 4, 5);
  assert.equal(toBase64(b), 'AQIDBAU=');
  assert.deepEqual(fromBase64('AQIDBAU='), b);
  for (const bad of ['AQIDBAU', 'AQID BAU=', 'AQIDBAV=', '****']) assert.throws(() => fromBase64(bad), (e: unknown) => isTokumeiError(e));
});

test('concat, constant-time equal, wipe', () => {
  assert.deepEqual(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)), Uint8Array.of(1, 2, 3));
  assert.equal(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2)), true);
  assert.equal(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3)), false);
  assert.equal(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1)), false);
  const s = Uint8Array.of(9, 9, 9);
  wipe(s, undefined);
  assert.deepEqual(s, new Uint8Array(3));
  assert.throws(() => constantTimeEqual('ab' as unknown as Uint8Array, Uint8Array.of(1)), (e: unknown) => isTokumeiError(e, 'CRYPTO_BAD_ARGUMENT'));
});

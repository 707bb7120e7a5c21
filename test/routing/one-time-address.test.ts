import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTokumeiError } from '../../src/errors.js';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import { ADDRESS_TEXT_LENGTH, decodeAddress, encodeAddress } from '../../src/routing/formats/one-time-address.js';

const random = new SeededRandom(2, 'address');
const invalid = (e: unknown): boolean => isTokumeiError(e, 'ADDRESS_INVALID') && (e as { kind: string }).kind === 'bad-input';

test('an address round-trips and reads "tk1…"', () => {
  const id = random.bytes(64);
  const key = random.bytes(32);
  const text = encodeAddress({ id, key });
  assert.ok(text.startsWith('tk1'));
  assert.equal(text.length, ADDRESS_TEXT_LENGTH);
  assert.match(text.slice(3), /^[A-Za-z0-9_-]+$/);
  const back = decodeAddress(text);
  assert.deepEqual(back.id, id);
  assert.deepEqual(back.key, key);
});

test('bad prefix, alphabet, length, trailing bits and version are ADDRESS_INVALID', () => {
  const text = encodeAddress({ id: random.bytes(64), key: random.bytes(32) });
  const body = text.slice(3);
  assert.throws(() => decodeAddress('tk2' + body), invalid);
  assert.throws(() => decodeAddress(body), invalid);
  assert.throws(() => decodeAddress('tk1' + body.slice(0, -1) + '+'), invalid);
  assert.throws(() => decodeAddress('tk1' + body + 'AA'), invalid);
  assert.throws(() => decodeAddress('tk1' + body.slice(0, -4)), invalid);
  assert.throws(() => decodeAddress(text + '='), invalid);
  // 97 bytes leave 4 unused bits in the last character: a non-zero one is not canonical.
  const last = body[body.length - 1]!;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const twisted = alphabet[alphabet.indexOf(last) ^ 1]!;
  assert.throws(() => decodeAddress('tk1' + body.slice(0, -1) + twisted), invalid);
  const v2 = Buffer.from(body, 'base64url');
  v2[0] = 2;
  assert.throws(() => decodeAddress('tk1' + v2.toString('base64url')), invalid);
  assert.throws(() => decodeAddress(42 as unknown as string), invalid);
});

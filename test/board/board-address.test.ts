import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTokumeiError } from '../../src/errors.js';
import { concatBytes } from '../../src/crypto/bytes.js';
import { encodePoint, IDENTITY_POINT } from '../../src/crypto/ristretto.js';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import { decodeAddress } from '../../src/routing/formats/one-time-address.js';
import { BOARD_ADDRESS_TEXT_LENGTH, decodeBoardAddress, encodeBoardAddress, type BoardAddressKeys } from '../../src/board/board-address.js';
import { generateBoardKeys } from '../../src/board/board-keys.js';

const random = new SeededRandom(3, 'board-address');
const keys = generateBoardKeys(random);
const invalid = (e: unknown): boolean => isTokumeiError(e, 'BOARD_ADDRESS_INVALID') && (e as { kind: string }).kind === 'bad-input';

function raw(text: string): Buffer {
  return Buffer.from(text.slice(4), 'base64url');
}
function text(bytes: Uint8Array): string {
  return 'tkb1' + Buffer.from(bytes).toString('base64url');
}

test('a board address round-trips, reads "tkb1…", and its routing address is the tk1 of (ID, route key)', () => {
  const a = keys.address;
  assert.ok(a.startsWith('tkb1'));
  assert.equal(a.length, BOARD_ADDRESS_TEXT_LENGTH);
  const back = decodeBoardAddress(a);
  assert.equal(encodeBoardAddress(back), a);
  assert.deepEqual(back.id, keys.boardId);
  const routing = decodeAddress(back.routingAddress);
  assert.deepEqual(routing.id, keys.boardId);
  assert.deepEqual(routing.key, back.routeKey);
  // §7.1: the first 97 bytes (version, ID, route key) are exactly the one-time address's.
  assert.deepEqual(raw(a).subarray(0, 97), Buffer.from(back.routingAddress.slice(3), 'base64url'));
});

test('every malformed form is BOARD_ADDRESS_INVALID', () => {
  const a = keys.address;
  const body = a.slice(4);
  const bad: unknown[] = [
    42,
    null,
    '',
    'tkb1',
    body,
    'tkb2' + body,
    'tk1' + body,
    'TKB1' + body,
    'tkb1' + body.slice(0, -1) + '+',
    'tkb1' + body.slice(0, -1) + '=',
    a + '=',
    a + 'A',
    a.slice(0, -1),
    a.slice(0, -4),
    ' ' + a,
    a + '\n',
    'tkb1' + Buffer.from(body, 'base64url').toString('base64'),
  ];
  for (const b of bad) assert.throws(() => decodeBoardAddress(b as string), invalid, JSON.stringify(b));
  // 161 bytes leave 4 unused bits in the last character: a non-zero one is not canonical.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = body[body.length - 1]!;
  assert.throws(() => decodeBoardAddress('tkb1' + body.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1]!), invalid);
  // Unknown version.
  const v2 = raw(a);
  v2[0] = 2;
  assert.throws(() => decodeBoardAddress(text(v2)), invalid);
});

test('an ID that is nobody\'s, or a signing key that is no Ed25519 point, is refused', () => {
  const k: BoardAddressKeys = decodeBoardAddress(keys.address);
  const zero = encodePoint(IDENTITY_POINT);
  const ff = new Uint8Array(32).fill(0xff);
  assert.throws(() => decodeBoardAddress(encodeBoardAddress({ ...k, id: concatBytes(zero, zero) })), invalid);
  assert.throws(() => decodeBoardAddress(encodeBoardAddress({ ...k, id: concatBytes(ff, k.id.subarray(32)) })), invalid);
  assert.throws(() => decodeBoardAddress(encodeBoardAddress({ ...k, id: concatBytes(k.id.subarray(0, 32), ff) })), invalid);
  assert.throws(() => decodeBoardAddress(encodeBoardAddress({ ...k, signingKey: ff })), invalid);
  // The identity of edwards25519 (small order) as a signing key.
  const edIdentity = new Uint8Array(32);
  edIdentity[0] = 1;
  assert.throws(() => decodeBoardAddress(encodeBoardAddress({ ...k, signingKey: edIdentity })), invalid);
});

test('encoding checks its arguments', () => {
  const k = decodeBoardAddress(keys.address);
  assert.throws(() => encodeBoardAddress({ ...k, sealKey: new Uint8Array(31) }), (e) => isTokumeiError(e, 'CRYPTO_BAD_ARGUMENT'));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hkdfSync } from 'node:crypto';
import { generateX25519, x25519PrivateKeyFromRaw, x25519RawPrivateKey, x25519RawPublicKey } from '../../src/crypto/x25519.js';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import { boardUserKey } from '../../src/board/user-key.js';

const random = new SeededRandom(5, 'user-key');

test('the user key is HKDF of the onion key (§7.1), fixed per member, different between members', () => {
  const onion = generateX25519(random);
  const y = boardUserKey(onion.privateKey);
  const expected = new Uint8Array(hkdfSync('sha256', x25519RawPrivateKey(onion.privateKey), new Uint8Array(0), 'tokumei-board/1 user key', 32));
  assert.deepEqual(y.privateKey, expected);
  assert.deepEqual(y.publicKey, x25519RawPublicKey(x25519PrivateKeyFromRaw(expected)));
  assert.deepEqual(boardUserKey(onion.privateKey), y);
  assert.notDeepEqual(boardUserKey(generateX25519(random).privateKey).publicKey, y.publicKey);
  // Not the onion key itself: Y_pub says nothing about the passport's onion key.
  assert.notDeepEqual(y.publicKey, onion.publicRaw);
});

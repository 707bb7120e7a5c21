import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomScalar } from '../../src/crypto/ristretto.js';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import { ANON_ID_LENGTH, AnonymousIdBook, createAnonymousId, isOwnAnonymousId } from '../../src/anonymous-id/anonymous-id.js';

const random = new SeededRandom(1, 'anonymous-id');

test('an anonymous ID is 64 bytes and only its owner recognises it', () => {
  const k = randomScalar(random);
  const other = randomScalar(random);
  const id = createAnonymousId(k, random);
  assert.equal(id.length, ANON_ID_LENGTH);
  assert.equal(isOwnAnonymousId(id, k), true);
  assert.equal(isOwnAnonymousId(id, other), false);
});

test('two IDs of one owner share no bytes at the same position', () => {
  const k = randomScalar(random);
  const a = createAnonymousId(k, random);
  const b = createAnonymousId(k, random);
  let same = 0;
  for (let i = 0; i < ANON_ID_LENGTH; i++) if (a[i] === b[i]) same++;
  // Random 64-byte strings agree in ~0.25 positions; anything structural would show here.
  assert.ok(same <= 3, `${same} equal bytes`);
  assert.notDeepEqual(a.subarray(0, 32), b.subarray(0, 32));
  assert.notDeepEqual(a.subarray(32), b.subarray(32));
});

test('malformed IDs are "not mine", and the identity pair is nobody\'s', () => {
  const k = randomScalar(random);
  const id = createAnonymousId(k, random);
  assert.equal(isOwnAnonymousId(id.subarray(0, 63), k), false);
  assert.equal(isOwnAnonymousId(new Uint8Array(64).fill(0xff), k), false); // not a canonical point
  assert.equal(isOwnAnonymousId(new Uint8Array(64), k), false); // (identity, identity) would match every k
  const flipped = id.slice();
  flipped[40]! ^= 1;
  assert.equal(isOwnAnonymousId(flipped, k), false);
  assert.throws(() => isOwnAnonymousId(id, new Uint8Array(32)), /zero/);
});

test('the ID book finds recent IDs by lookup and evicts the oldest beyond its capacity', () => {
  const evicted: string[] = [];
  const book = new AnonymousIdBook<string>(3, (v) => evicted.push(v));
  const ids = [0, 1, 2, 3].map((i) => {
    const id = new Uint8Array(64);
    id[0] = i;
    return id;
  });
  ids.forEach((id, i) => book.add(id, `v${i}`));
  assert.equal(book.size, 3);
  assert.equal(book.lookup(ids[0]!), undefined);
  assert.deepEqual(evicted, ['v0']);
  assert.equal(book.lookup(ids[3]!), 'v3');
  book.add(ids[1]!, 'v1'); // refresh: ids[2] is now the oldest
  book.add(ids[0]!, 'v0b');
  assert.equal(book.lookup(ids[2]!), undefined);
  assert.equal(book.lookup(ids[1]!), 'v1');
  assert.equal(book.lookup(new Uint8Array(5)), undefined);
  assert.equal(book.delete(ids[1]!), true);
  assert.equal(book.lookup(ids[1]!), undefined);
});

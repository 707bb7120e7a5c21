import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTokumeiError } from '../../src/errors.js';
import { concatBytes, utf8 } from '../../src/crypto/bytes.js';
import { encodePoint, encodeScalar, GROUP_ORDER, hashToScalar, IDENTITY_POINT, mulBase, randomScalar, decodeScalar, modL } from '../../src/crypto/ristretto.js';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import { createAnonymousId } from '../../src/anonymous-id/anonymous-id.js';
import { ANON_SIGNATURE_LENGTH, signWithAnonymousId, verifyAnonymousIdSignature } from '../../src/anonymous-id/anonymous-id-signature.js';

const random = new SeededRandom(7, 'id-sig');
const k = randomScalar(random);
const id = createAnonymousId(k, random);
const msg = utf8('a post body');
const sig = signWithAnonymousId(k, id, msg, random);

/** s as 32 little-endian bytes of any value below 2^256 (non-canonical ones included). */
function le32(x: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

test('hashToScalar is SHA-512 read little-endian mod ℓ, and below ℓ', () => {
  const s = hashToScalar(utf8('abc'));
  assert.ok(s >= 0n && s < GROUP_ORDER);
  assert.equal(hashToScalar(utf8('a'), utf8('bc')), s); // parts are concatenated
  assert.notEqual(hashToScalar(utf8('abd')), s);
});

test('a signature is 64 bytes and verifies under its ID', () => {
  assert.equal(sig.length, ANON_SIGNATURE_LENGTH);
  assert.equal(verifyAnonymousIdSignature(id, msg, sig), true);
  // Hedged nonce: signing twice gives two different valid signatures.
  const again = signWithAnonymousId(k, id, msg, random);
  assert.notDeepEqual(again, sig);
  assert.equal(verifyAnonymousIdSignature(id, msg, again), true);
  // Without a random source (OS randomness) too.
  assert.equal(verifyAnonymousIdSignature(id, msg, signWithAnonymousId(k, id, msg)), true);
});

test('signing under an ID made with another key is ANON_ID_NOT_MINE', () => {
  const other = randomScalar(random);
  assert.throws(() => signWithAnonymousId(other, id, msg, random), (e) => isTokumeiError(e, 'ANON_ID_NOT_MINE'));
  const identityId = concatBytes(encodePoint(IDENTITY_POINT), encodePoint(IDENTITY_POINT));
  assert.throws(() => signWithAnonymousId(k, identityId, msg, random), (e) => isTokumeiError(e, 'ANON_ID_NOT_MINE'));
});

test('a signature does not verify under another ID, even of the same owner', () => {
  assert.equal(verifyAnonymousIdSignature(createAnonymousId(randomScalar(random), random), msg, sig), false);
  assert.equal(verifyAnonymousIdSignature(createAnonymousId(k, random), msg, sig), false);
});

test('a tampered message, T or s does not verify', () => {
  const m2 = msg.slice();
  m2[0]! ^= 1;
  assert.equal(verifyAnonymousIdSignature(id, m2, sig), false);
  assert.equal(verifyAnonymousIdSignature(id, concatBytes(msg, Uint8Array.of(0)), sig), false);
  for (const at of [0, 17, 31, 32, 45, 63]) {
    const bad = sig.slice();
    bad[at]! ^= 0x04;
    assert.equal(verifyAnonymousIdSignature(id, msg, bad), false, `byte ${at}`);
  }
  // A valid but different T (another point) with the same s.
  const otherT = concatBytes(encodePoint(mulBase(5n)), sig.subarray(32));
  assert.equal(verifyAnonymousIdSignature(id, msg, otherT), false);
});

test('a non-canonical s (s + ℓ) is refused although it is the same scalar', () => {
  const s = decodeScalar(sig.subarray(32));
  const big = s + GROUP_ORDER;
  assert.ok(big < 2n ** 256n);
  const forged = concatBytes(sig.subarray(0, 32), le32(big));
  assert.equal(verifyAnonymousIdSignature(id, msg, forged), false);
  assert.deepEqual(le32(s), encodeScalar(s));
});

test('IDs with R = identity or K = identity verify nothing, whatever the signature', () => {
  const zero = encodePoint(IDENTITY_POINT);
  // With R = identity, s·R == T + c·K holds for T = identity, K = identity and any s.
  const trivial = concatBytes(zero, encodeScalar(1n));
  assert.equal(verifyAnonymousIdSignature(concatBytes(zero, zero), msg, trivial), false);
  // K = identity (k = 0, nobody's key): anyone could sign with s = t, T = t·R.
  const R = mulBase(modL(12345n));
  const t = 777n;
  const forged = concatBytes(encodePoint(R.multiply(t)), encodeScalar(t));
  assert.equal(verifyAnonymousIdSignature(concatBytes(encodePoint(R), zero), msg, forged), false);
  assert.equal(verifyAnonymousIdSignature(concatBytes(zero, id.subarray(32)), msg, sig), false);
});

test('malformed inputs are false, never a throw', () => {
  const junk = new Uint8Array(64).fill(0xff);
  assert.equal(verifyAnonymousIdSignature(junk, msg, sig), false);
  assert.equal(verifyAnonymousIdSignature(id, msg, junk), false);
  assert.equal(verifyAnonymousIdSignature(id, msg, sig.subarray(0, 63)), false);
  assert.equal(verifyAnonymousIdSignature(id.subarray(0, 63), msg, sig), false);
  assert.equal(verifyAnonymousIdSignature(id, msg, new Uint8Array(64)), false);
  assert.equal(verifyAnonymousIdSignature(null as unknown as Uint8Array, msg, sig), false);
  assert.equal(verifyAnonymousIdSignature(id, 'text' as unknown as Uint8Array, sig), false);
  assert.equal(verifyAnonymousIdSignature(id, msg, undefined as unknown as Uint8Array), false);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basePointMul, decodeScalar, encodeScalar, modL, randomScalar } from '../../src/crypto/ristretto.js';
import { lagrangeCoefficient, reconstructSecret, splitSecret, verifyShare, type Share } from '../../src/crypto/shamir.js';
import { isTokumeiError } from '../../src/errors.js';

function subsets<T>(items: T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (items.length < k) return [];
  const [head, ...rest] = items;
  return [...subsets(rest, k - 1).map((s) => [head!, ...s]), ...subsets(rest, k)];
}

test('any k of n shares reconstruct the secret; every share verifies', () => {
  for (const [n, k] of [[1, 1], [3, 2], [5, 3], [4, 4]] as const) {
    const secret = randomScalar();
    const { shares, commitments } = splitSecret(secret, n, k);
    assert.equal(shares.length, n);
    assert.equal(commitments.length, k);
    assert.deepEqual(commitments[0], basePointMul(secret)); // C_0 = G·secret
    for (const s of shares) assert.equal(verifyShare(s, commitments), true);
    for (const set of subsets(shares, k)) assert.deepEqual(reconstructSecret(set), secret, `${n}/${k}`);
  }
});

test('k−1 shares do not determine the secret: every candidate secret is consistent with them', () => {
  const { shares } = splitSecret(randomScalar(), 3, 2);
  const one = shares[0]!;
  // With k = 2, for any candidate s there is a line through (0, s) and (1, f(1)); so one share
  // says nothing. Check that interpolating with a forged (0, s) yields s back for arbitrary s.
  for (let t = 0; t < 5; t++) {
    const candidate = randomScalar();
    const slope = modL(decodeScalar(one.value) - decodeScalar(candidate));
    const other: Share = { index: 2, value: encodeScalar(modL(decodeScalar(candidate) + 2n * slope)) };
    assert.deepEqual(reconstructSecret([one, other]), candidate);
  }
  // And in practice: a single share reconstructs to the share value, not the secret.
  assert.notDeepEqual(reconstructSecret([one]), reconstructSecret(shares.slice(0, 2)));
});

test('a tampered share or commitment fails Feldman verification', () => {
  const { shares, commitments } = splitSecret(randomScalar(), 3, 2);
  const s = shares[1]!;
  const tampered: Share = { index: s.index, value: encodeScalar(modL(decodeScalar(s.value) + 1n)) };
  assert.equal(verifyShare(tampered, commitments), false);
  assert.equal(verifyShare({ index: 3, value: s.value }, commitments), false); // right value, wrong index
  const badCommitments = [commitments[0]!, basePointMul(randomScalar())];
  assert.equal(verifyShare(s, badCommitments), false);
  assert.equal(verifyShare(s, [new Uint8Array(32).fill(0xff), commitments[1]!]), false); // invalid point
  assert.equal(verifyShare({ index: 0, value: s.value }, commitments), false);
});

test('Lagrange coefficients at 0 and argument checks', () => {
  // For S = {1, 2}: λ_1 = 2/(2−1) = 2, λ_2 = 1/(1−2) = −1.
  assert.equal(lagrangeCoefficient([1, 2], 1), 2n);
  assert.equal(lagrangeCoefficient([1, 2], 2), modL(-1n));
  assert.throws(() => lagrangeCoefficient([1, 1], 1), (e: unknown) => isTokumeiError(e, 'CRYPTO_BAD_ARGUMENT'));
  assert.throws(() => lagrangeCoefficient([1, 2], 3), (e: unknown) => isTokumeiError(e, 'CRYPTO_BAD_ARGUMENT'));
  assert.throws(() => splitSecret(randomScalar(), 2, 3), (e: unknown) => isTokumeiError(e, 'CRYPTO_BAD_ARGUMENT'));
  assert.throws(() => splitSecret(randomScalar(), 0, 0), (e: unknown) => isTokumeiError(e, 'CRYPTO_BAD_ARGUMENT'));
});

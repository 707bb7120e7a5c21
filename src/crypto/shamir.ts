/**
 * Shamir k-of-n secret sharing over the ristretto255 scalar field Z_ℓ, with Feldman commitments
 * (Feldman 1987) so that each trustee can check its own share against the dealer's public
 * commitments C_j = G·a_j, where f(x) = a_0 + a_1·x + … + a_{k-1}·x^{k-1} and a_0 is the secret.
 *
 * Share i is (i, f(i)) for i = 1..n; G·f(i) must equal Σ_j C_j·i^j. C_0 = G·secret is public: the
 * member's anonymity public key, which threshold exponentiation needs anyway (DESIGN §4).
 *
 * The real opening protocol never rebuilds the secret: k trustees compute R·k_m = Σ λ_i·(R·s_i)
 * with the Lagrange coefficients below. `reconstructSecret` exists only for tests.
 */

import { badArgument } from './bytes.js';
import type { RandomSource } from './random.js';
import {
  BASE_POINT,
  decodePoint,
  decodeScalar,
  encodePoint,
  encodeScalar,
  IDENTITY_POINT,
  invertScalar,
  modL,
  mulPoint,
  randomScalarBigint,
} from './ristretto.js';
import { CryptoErrors } from './crypto-errors.js';

/** Trustee counts are small; the bound keeps a hostile record from costing much. */
export const SHAMIR_MAX_SHARES = 255;

export interface Share {
  /** The evaluation point x = i, 1..n (never 0: f(0) is the secret). */
  readonly index: number;
  /** f(i) as a canonical 32-byte scalar. */
  readonly value: Uint8Array;
}

export interface SplitResult {
  readonly shares: Share[];
  /** C_0..C_{k-1}, encoded ristretto255 points. */
  readonly commitments: Uint8Array[];
}

function checkIndex(i: number): number {
  if (!Number.isInteger(i) || i < 1 || i > SHAMIR_MAX_SHARES) badArgument(`share index must be 1..${SHAMIR_MAX_SHARES}, got ${i}`);
  return i;
}

/** Splits a 32-byte scalar into n shares, any k of which determine it. */
export function splitSecret(secret: Uint8Array, n: number, k: number, random?: RandomSource): SplitResult {
  if (!Number.isInteger(n) || n < 1 || n > SHAMIR_MAX_SHARES) badArgument(`n must be 1..${SHAMIR_MAX_SHARES}`);
  if (!Number.isInteger(k) || k < 1 || k > n) badArgument('threshold k must be 1..n');
  const coeffs: bigint[] = [decodeScalar(secret)];
  for (let j = 1; j < k; j++) coeffs.push(randomScalarBigint(random));
  const commitments = coeffs.map((a) => encodePoint(mulPoint(BASE_POINT, a)));
  const shares: Share[] = [];
  for (let i = 1; i <= n; i++) {
    // Horner: f(i) = a_0 + i·(a_1 + i·(…)).
    let y = 0n;
    for (let j = k - 1; j >= 0; j--) y = modL(y * BigInt(i) + coeffs[j]!);
    shares.push({ index: i, value: encodeScalar(y) });
  }
  coeffs.fill(0n); // bigints cannot be wiped in place; drop the references at least
  return { shares, commitments };
}

/** Feldman check: G·f(i) == Σ_j C_j·i^j. False for a bad share or malformed commitments. */
export function verifyShare(share: Share, commitments: readonly Uint8Array[]): boolean {
  try {
    const i = BigInt(checkIndex(share.index));
    if (commitments.length < 1 || commitments.length > SHAMIR_MAX_SHARES) return false;
    const lhs = mulPoint(BASE_POINT, decodeScalar(share.value));
    let rhs = IDENTITY_POINT;
    let power = 1n;
    for (const c of commitments) {
      rhs = rhs.add(mulPoint(decodePoint(c), power));
      power = modL(power * i);
    }
    return lhs.equals(rhs);
  } catch {
    return false;
  }
}

/** λ_i = Π_{j∈S, j≠i} j / (j − i) mod ℓ: the Lagrange coefficient at x = 0 for index i in S. */
export function lagrangeCoefficient(indexSet: readonly number[], i: number): bigint {
  checkIndex(i);
  const seen = new Set<number>();
  for (const j of indexSet) {
    checkIndex(j);
    if (seen.has(j)) badArgument(`duplicate share index ${j}`);
    seen.add(j);
  }
  if (!seen.has(i)) badArgument(`index ${i} is not in the set`);
  let num = 1n;
  let den = 1n;
  for (const j of indexSet) {
    if (j === i) continue;
    num = modL(num * BigInt(j));
    den = modL(den * modL(BigInt(j) - BigInt(i)));
  }
  return modL(num * invertScalar(den));
}

/**
 * TESTS ONLY: f(0) = Σ λ_i·f(i). The protocol never calls this (see the file comment). With fewer
 * than k shares the result is just some unrelated scalar.
 */
export function reconstructSecret(shares: readonly Share[]): Uint8Array {
  if (shares.length === 0) throw CryptoErrors.SHAMIR_NO_SHARES('no shares');
  const indices = shares.map((s) => s.index);
  let acc = 0n;
  for (const s of shares) acc = modL(acc + lagrangeCoefficient(indices, s.index) * decodeScalar(s.value));
  return encodeScalar(acc);
}

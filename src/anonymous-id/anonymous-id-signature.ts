/**
 * Schnorr signatures under a one-time anonymous ID (docs/protocol.md §7.2). The ID `R | K` with
 * `K = k·R` is a public key on base point R, so a signature proves knowledge of the anonymity key
 * k without showing it, and never links two IDs of one member:
 *
 *   t = H("tokumei-id-sig/1 nonce" | k | 32 random bytes | msg) mod ℓ ;  T = t·R
 *   c = H("tokumei-id-sig/1" | ID | T | msg) mod ℓ ;  s = t + c·k ;  sig = T (32) | s (32)
 *
 * H is SHA-512. The nonce is hedged: deterministic in (k, msg) plus fresh randomness, so neither a
 * weak random source nor a fault alone repeats t.
 */

import { checkBytes, concatBytes, constantTimeEqual, utf8 } from '../crypto/bytes.js';
import { randomBytesFrom, type RandomSource } from '../crypto/random.js';
import {
  decodePoint,
  decodeScalar,
  encodePoint,
  encodeScalar,
  hashToScalar,
  IDENTITY_POINT,
  modL,
  mulPoint,
  SCALAR_LENGTH,
  type RistrettoPoint,
} from '../crypto/ristretto.js';
import { ANON_ID_LENGTH } from './anonymous-id.js';
import { AnonymousIdErrors } from './anonymous-id-errors.js';

export const ANON_SIGNATURE_LENGTH = 64;
const NONCE_LABEL = utf8('tokumei-id-sig/1 nonce');
const CHALLENGE_LABEL = utf8('tokumei-id-sig/1');

/** R and K of an ID, or undefined when either does not decode or is the identity (nobody's ID). */
function idPoints(id: Uint8Array): { R: RistrettoPoint; K: RistrettoPoint } | undefined {
  try {
    const R = decodePoint(id.subarray(0, 32));
    const K = decodePoint(id.subarray(32, 64));
    if (R.equals(IDENTITY_POINT) || K.equals(IDENTITY_POINT)) return undefined;
    return { R, K };
  } catch {
    return undefined;
  }
}

function challenge(id: Uint8Array, T: Uint8Array, msg: Uint8Array): bigint {
  return hashToScalar(CHALLENGE_LABEL, id, T, msg);
}

/** Signs `msg` under `id`, which must be k's (K == k·R), else ANON_ID_NOT_MINE. */
export function signWithAnonymousId(k: Uint8Array, id: Uint8Array, msg: Uint8Array, random?: RandomSource): Uint8Array {
  checkBytes('anonymity key', k, SCALAR_LENGTH);
  checkBytes('anonymous ID', id, ANON_ID_LENGTH);
  checkBytes('message', msg);
  const ks = decodeScalar(k);
  const points = idPoints(id);
  if (ks === 0n || points === undefined || !constantTimeEqual(encodePoint(mulPoint(points.R, ks)), id.subarray(32))) {
    throw AnonymousIdErrors.ANON_ID_NOT_MINE('cannot sign: the anonymous ID was not made with this anonymity key');
  }
  const noise = randomBytesFrom(random, 32);
  const t = hashToScalar(NONCE_LABEL, k, noise, msg);
  noise.fill(0);
  // t = 0 has probability 2^-252; it would make T the identity and s reveal c·k.
  if (t === 0n) throw AnonymousIdErrors.ANON_SIG_ZERO_NONCE('Schnorr nonce was zero');
  const T = encodePoint(mulPoint(points.R, t));
  const s = modL(t + challenge(id, T, msg) * ks);
  return concatBytes(T, encodeScalar(s));
}

/**
 * True when `sig` is a valid signature of `msg` under `id`. Never throws on bad input: a malformed
 * ID, a T that does not decode, a non-canonical s (≥ ℓ) or a wrong length is simply false.
 */
export function verifyAnonymousIdSignature(id: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  if (!(id instanceof Uint8Array) || id.length !== ANON_ID_LENGTH) return false;
  if (!(msg instanceof Uint8Array)) return false;
  if (!(sig instanceof Uint8Array) || sig.length !== ANON_SIGNATURE_LENGTH) return false;
  const points = idPoints(id);
  if (points === undefined) return false;
  try {
    const Tbytes = sig.subarray(0, 32);
    const T = decodePoint(Tbytes);
    const s = decodeScalar(sig.subarray(32, 64)); // refuses s ≥ ℓ: one signature, one encoding
    const c = challenge(id, Tbytes, msg);
    // Public data only, so the faster variable-time multiplication is fine here.
    const left = s === 0n ? IDENTITY_POINT : points.R.multiplyUnsafe(s);
    const right = c === 0n ? T : T.add(points.K.multiplyUnsafe(c));
    return left.equals(right);
  } catch {
    return false;
  }
}

/**
 * Chaum–Pedersen proof of discrete-log equality on ristretto255 (docs/protocol.md §2.7): the
 * prover knows x with X = x·G and Y = x·H and shows log_G(X) = log_H(Y) without showing x. A
 * trustee proves that its opening partial P = s·R uses the share s behind its public share point
 * S = s·G (Feldman, §2.5). Non-interactive by Fiat–Shamir:
 *
 *   t = SHA-512("tokumei-dleq/1 nonce" | x | 32 random bytes | H | ctx) mod ℓ   (hedged nonce)
 *   c = SHA-512("tokumei-dleq/1" | len(ctx) u16 | ctx | G | H | X | Y | t·G | t·H) mod ℓ
 *   s' = t + c·x;   proof = c (32, LE) | s' (32, LE)
 *   verify: c, s' < ℓ; H ≠ identity; c == SHA-512(… | s'·G − c·X | s'·H − c·Y) mod ℓ
 *
 * `ctx` binds the proof to one request, trustee and member, so it cannot be replayed elsewhere.
 */
import { badArgument, checkBytes, concatBytes, constantTimeEqual, utf8, wipe } from '../crypto/bytes.js';
import { randomBytesFrom, type RandomSource } from '../crypto/random.js';
import {
  BASE_POINT,
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

export const DLEQ_PROOF_LENGTH = 64;
const CHALLENGE_LABEL = utf8('tokumei-dleq/1');
const NONCE_LABEL = utf8('tokumei-dleq/1 nonce');
const MAX_CONTEXT = 0xffff;
const G_BYTES = encodePoint(BASE_POINT);


function u16(n: number): Uint8Array {
  return new Uint8Array([n >> 8, n & 0xff]);
}

function checkContext(context: Uint8Array): Uint8Array {
  checkBytes('DLEQ context', context);
  if (context.length > MAX_CONTEXT) badArgument(`DLEQ context must be at most ${MAX_CONTEXT} bytes`);
  return context;
}

function challenge(context: Uint8Array, h: Uint8Array, x: Uint8Array, y: Uint8Array, t1: RistrettoPoint, t2: RistrettoPoint): bigint {
  return hashToScalar(CHALLENGE_LABEL, u16(context.length), context, G_BYTES, h, x, y, encodePoint(t1), encodePoint(t2));
}

export interface DleqProof {
  /** X = x·G, encoded. */
  readonly xG: Uint8Array;
  /** Y = x·H, encoded. */
  readonly xH: Uint8Array;
  /** c | s', 64 bytes. */
  readonly proof: Uint8Array;
}

/**
 * Proves log_G(x·G) = log_H(x·H) for the 32-byte scalar `x` (the caller wipes it). `random` only
 * hedges the nonce: with a broken source the nonce still depends on x and the statement.
 */
export function proveDleq(x: Uint8Array, h: Uint8Array, context: Uint8Array, random?: RandomSource): DleqProof {
  checkBytes('DLEQ secret', x, SCALAR_LENGTH);
  checkContext(context);
  const xs = decodeScalar(x);
  const H = decodePoint(h);
  if (H.equals(IDENTITY_POINT)) badArgument('DLEQ base H must not be the identity');
  const xG = encodePoint(mulPoint(BASE_POINT, xs));
  const xH = encodePoint(mulPoint(H, xs));
  const extra = randomBytesFrom(random, 32);
  const nonceInput = concatBytes(NONCE_LABEL, x, extra, h, context);
  let t = 0n;
  try {
    t = hashToScalar(nonceInput);
    if (t === 0n) badArgument('DLEQ nonce is zero'); // probability 2^-252
    const c = challenge(context, h, xG, xH, mulPoint(BASE_POINT, t), mulPoint(H, t));
    const s = modL(t + c * xs);
    return { xG, xH, proof: concatBytes(encodeScalar(c), encodeScalar(s)) };
  } finally {
    wipe(nonceInput, extra); // bigints (t, xs) cannot be wiped; their references die here
    t = 0n;
  }
}

/** True when `proof` shows log_G(xG) = log_H(xH) under `context`; false for anything malformed. */
export function verifyDleq(h: Uint8Array, xG: Uint8Array, xH: Uint8Array, proof: Uint8Array, context: Uint8Array): boolean {
  try {
    checkContext(context);
    if (!(proof instanceof Uint8Array) || proof.length !== DLEQ_PROOF_LENGTH) return false;
    const H = decodePoint(h);
    if (H.equals(IDENTITY_POINT)) return false;
    const X = decodePoint(xG);
    const Y = decodePoint(xH);
    const c = decodeScalar(proof.subarray(0, 32)); // both refuse values ≥ ℓ (non-canonical)
    const s = decodeScalar(proof.subarray(32));
    const t1 = mulPoint(BASE_POINT, s).subtract(mulPoint(X, c));
    const t2 = mulPoint(H, s).subtract(mulPoint(Y, c));
    return constantTimeEqual(encodeScalar(challenge(context, h, xG, xH, t1, t2)), proof.subarray(0, 32));
  } catch {
    return false;
  }
}

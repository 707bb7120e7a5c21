/**
 * ristretto255 (RFC 9496), the prime-order group behind anonymity keys and escrow (DESIGN §4), over
 * @noble/curves. Two layers: bytes in / bytes out for storage and wire, and bigint scalars with
 * point objects for protocol code that chains operations (Shamir, threshold exponentiation).
 */
import { createHash } from 'node:crypto';
import { ristretto255 } from '@noble/curves/ed25519.js';

import { badArgument, checkBytes } from './bytes.js';
import { randomBytesFrom, type RandomSource } from './random.js';
import { CryptoErrors } from './crypto-errors.js';

const Point = ristretto255.Point;
/** noble's point class is not exported by name; its BASE point's type is the same, and can be named. */
export type RistrettoPoint = typeof ristretto255.Point.BASE;

export const SCALAR_LENGTH = 32;
export const POINT_LENGTH = 32;
/** ℓ = 2^252 + 27742317777372353535851937790883648493, the group order (RFC 9496 §4). */
export const GROUP_ORDER: bigint = Point.Fn.ORDER;

// ---- bigint scalars mod ℓ -------------------------------------------------------------------

export function modL(x: bigint): bigint {
  const r = x % GROUP_ORDER;
  return r < 0n ? r + GROUP_ORDER : r;
}

function checkScalar(s: bigint): bigint {
  if (typeof s !== 'bigint' || s < 0n || s >= GROUP_ORDER) badArgument('scalar must be a bigint in [0, ℓ)');
  return s;
}

/** s⁻¹ mod ℓ; zero has no inverse. */
export function invertScalar(s: bigint): bigint {
  if (checkScalar(s) === 0n) badArgument('zero scalar has no inverse');
  return Point.Fn.inv(s);
}

/** Decodes a canonical 32-byte little-endian scalar (< ℓ); non-canonical encodings are refused. */
export function decodeScalar(bytes: Uint8Array): bigint {
  checkBytes('scalar', bytes, SCALAR_LENGTH);
  let x = 0n;
  for (let i = SCALAR_LENGTH - 1; i >= 0; i--) x = (x << 8n) | BigInt(bytes[i]!);
  if (x >= GROUP_ORDER) throw CryptoErrors.RISTRETTO_BAD_SCALAR('scalar is not reduced mod ℓ');
  return x;
}

export function encodeScalar(s: bigint): Uint8Array {
  let x = checkScalar(s);
  const out = new Uint8Array(SCALAR_LENGTH);
  for (let i = 0; i < SCALAR_LENGTH; i++) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/**
 * A uniform nonzero scalar: 64 random bytes reduced mod ℓ (bias < 2^-250, as RFC 9496 §4.4 does for
 * 64-byte inputs). Zero is redrawn: it is no key.
 */
export function randomScalarBigint(random?: RandomSource): bigint {
  for (;;) {
    const wide = randomBytesFrom(random, 64);
    let x = 0n;
    for (let i = 63; i >= 0; i--) x = (x << 8n) | BigInt(wide[i]!);
    wide.fill(0);
    const s = modL(x);
    if (s !== 0n) return s;
  }
}

/**
 * SHA-512 of the concatenated parts, read little-endian and reduced mod ℓ (the wide reduction of
 * RFC 9496 §4.4, so the bias is below 2^-250). Used for Schnorr nonces and challenges (protocol §7.2).
 */
export function hashToScalar(...parts: Uint8Array[]): bigint {
  const h = createHash('sha512');
  for (const p of parts) h.update(checkBytes('data', p));
  const wide = h.digest();
  let x = 0n;
  for (let i = 63; i >= 0; i--) x = (x << 8n) | BigInt(wide[i]!);
  wide.fill(0);
  return modL(x);
}

// ---- points ---------------------------------------------------------------------------------

/** RFC 9496 §4.3.1 decode; non-canonical or invalid encodings are RISTRETTO_BAD_POINT. */
export function decodePoint(bytes: Uint8Array): RistrettoPoint {
  checkBytes('point', bytes, POINT_LENGTH);
  try {
    return Point.fromBytes(bytes);
  } catch (e) {
    throw CryptoErrors.RISTRETTO_BAD_POINT('invalid ristretto255 encoding', { cause: e });
  }
}

/** RFC 9496 §4.3.2 encode. */
export function encodePoint(p: RistrettoPoint): Uint8Array {
  return p.toBytes();
}

export const BASE_POINT: RistrettoPoint = Point.BASE;
export const IDENTITY_POINT: RistrettoPoint = Point.ZERO;

/** s·P, constant-time in s; 0·P is the identity (noble refuses a zero scalar). */
export function mulPoint(p: RistrettoPoint, s: bigint): RistrettoPoint {
  checkScalar(s);
  return s === 0n ? Point.ZERO : p.multiply(s);
}

export function mulBase(s: bigint): RistrettoPoint {
  return mulPoint(Point.BASE, s);
}

// ---- bytes API ------------------------------------------------------------------------------

export function randomScalar(random?: RandomSource): Uint8Array {
  return encodeScalar(randomScalarBigint(random));
}

export function scalarAdd(a: Uint8Array, b: Uint8Array): Uint8Array {
  return encodeScalar(modL(decodeScalar(a) + decodeScalar(b)));
}

export function scalarSub(a: Uint8Array, b: Uint8Array): Uint8Array {
  return encodeScalar(modL(decodeScalar(a) - decodeScalar(b)));
}

export function scalarMul(a: Uint8Array, b: Uint8Array): Uint8Array {
  return encodeScalar(modL(decodeScalar(a) * decodeScalar(b)));
}

export function scalarNegate(a: Uint8Array): Uint8Array {
  return encodeScalar(modL(-decodeScalar(a)));
}

export function scalarInvert(a: Uint8Array): Uint8Array {
  return encodeScalar(invertScalar(decodeScalar(a)));
}

/** G·s, encoded. */
export function basePointMul(scalar: Uint8Array): Uint8Array {
  return encodePoint(mulBase(decodeScalar(scalar)));
}

/** P·s, encoded. */
export function pointMul(point: Uint8Array, scalar: Uint8Array): Uint8Array {
  return encodePoint(mulPoint(decodePoint(point), decodeScalar(scalar)));
}

export function pointAdd(a: Uint8Array, b: Uint8Array): Uint8Array {
  return encodePoint(decodePoint(a).add(decodePoint(b)));
}

export function pointSub(a: Uint8Array, b: Uint8Array): Uint8Array {
  return encodePoint(decodePoint(a).subtract(decodePoint(b)));
}

/** True when `bytes` is a canonical encoding of a group element. */
export function isValidPoint(bytes: Uint8Array): boolean {
  try {
    decodePoint(bytes);
    return true;
  } catch {
    return false;
  }
}

/** HKDF-SHA-256 (RFC 5869), extract and expand separately or in one call. */
import { hkdfSync } from 'node:crypto';
import { badArgument, checkBytes, concatBytes } from './bytes.js';
import { hmacSha256, SHA256_LENGTH } from './hash.js';

/** RFC 5869 §2.3: L <= 255·HashLen. */
export const HKDF_SHA256_MAX_LENGTH = 255 * SHA256_LENGTH;

function checkLength(length: number): void {
  if (!Number.isInteger(length) || length < 1 || length > HKDF_SHA256_MAX_LENGTH) {
    badArgument(`HKDF length must be 1..${HKDF_SHA256_MAX_LENGTH}, got ${length}`);
  }
}

/** RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM); an empty salt means HashLen zero bytes. */
export function hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  checkBytes('salt', salt);
  checkBytes('ikm', ikm);
  return hmacSha256(salt.length === 0 ? new Uint8Array(SHA256_LENGTH) : salt, ikm);
}

/** RFC 5869 §2.3: T(i) = HMAC-Hash(PRK, T(i-1) | info | i). */
export function hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  checkBytes('prk', prk);
  checkBytes('info', info);
  checkLength(length);
  if (prk.length < SHA256_LENGTH) badArgument('PRK must be at least HashLen bytes (RFC 5869 §2.3)');
  const out = new Uint8Array(length);
  let t: Uint8Array = new Uint8Array(0);
  for (let i = 1, at = 0; at < length; i++) {
    t = hmacSha256(prk, concatBytes(t, info, Uint8Array.of(i)));
    out.set(t.subarray(0, Math.min(t.length, length - at)), at);
    at += t.length;
  }
  return out;
}

/** Extract-then-expand in one OpenSSL call (RFC 5869 §2). */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  checkBytes('ikm', ikm);
  checkBytes('salt', salt);
  checkBytes('info', info);
  checkLength(length);
  return new Uint8Array(hkdfSync('sha256', ikm, salt, info, length));
}

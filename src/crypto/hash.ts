/** SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104) over node:crypto. */
import { createHash, createHmac } from 'node:crypto';
import { asU8, checkBytes } from './bytes.js';

export const SHA256_LENGTH = 32;

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(checkBytes('data', p));
  return asU8(h.digest());
}

export function hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const h = createHmac('sha256', checkBytes('key', key));
  for (const p of parts) h.update(checkBytes('data', p));
  return asU8(h.digest());
}

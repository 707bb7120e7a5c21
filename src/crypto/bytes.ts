/**
 * Byte helpers shared by every crypto wrapper: strict hex, concatenation, constant-time compare,
 * wiping, and the argument checks every entry point runs (bytes in, bytes out).
 */
import { timingSafeEqual } from 'node:crypto';

import { CryptoErrors } from './crypto-errors.js';

/** Throws the bad-input error every crypto entry point uses for a wrong argument. */
export function badArgument(message: string): never {
  throw CryptoErrors.CRYPTO_BAD_ARGUMENT(message);
}

/** Checks that `value` is a Uint8Array (of exactly `length` bytes when given) and returns it. */
export function checkBytes(name: string, value: unknown, length?: number): Uint8Array {
  if (!(value instanceof Uint8Array)) badArgument(`${name} must be a Uint8Array`);
  if (length !== undefined && value.length !== length) {
    badArgument(`${name} must be ${length} bytes, got ${value.length}`);
  }
  return value;
}

/** A plain Uint8Array view of a Buffer (same memory), so callers and deepEqual see one type. */
export function asU8(buf: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(buf) === Uint8Array.prototype ? buf : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** A Buffer view of a Uint8Array (same memory), for node:crypto calls. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const HEX = '0123456789abcdef';

/** Lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  checkBytes('bytes', bytes);
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return out;
}

/**
 * Strict hex decode: even length, only [0-9a-fA-F] (no whitespace, no `0x`). Buffer.from(s,'hex')
 * silently stops at the first bad character, which would turn a corrupt file into short keys.
 */
export function fromHex(hex: string, expectedLength?: number): Uint8Array {
  if (typeof hex !== 'string') badArgument('hex must be a string');
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) badArgument('malformed hex string');
  if (expectedLength !== undefined && hex.length !== expectedLength * 2) {
    badArgument(`hex must encode ${expectedLength} bytes, got ${hex.length / 2}`);
  }
  return asU8(Buffer.from(hex, 'hex'));
}

/** Strict standard base64 (RFC 4648 §4, with padding); rejects anything Buffer would skip. */
export function fromBase64(b64: string): Uint8Array {
  if (typeof b64 !== 'string') badArgument('base64 must be a string');
  if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) badArgument('malformed base64 string');
  const out = Buffer.from(b64, 'base64');
  if (out.toString('base64') !== b64) badArgument('non-canonical base64 string');
  return asU8(out);
}

export function toBase64(bytes: Uint8Array): string {
  return asBuffer(checkBytes('bytes', bytes)).toString('base64');
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += checkBytes('part', p).length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Constant-time equality (for MACs, keys). Different lengths are unequal (and not secret). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  checkBytes('a', a);
  checkBytes('b', b);
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/** Overwrites a secret in place. JS strings and KeyObjects cannot be wiped; buffers can. */
export function wipe(...buffers: (Uint8Array | undefined)[]): void {
  for (const b of buffers) b?.fill(0);
}

export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

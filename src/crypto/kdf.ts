/**
 * scrypt (RFC 7914), the memory-hard passphrase KDF behind keystores. Parameters come from files a
 * hostile party may have written, so they are bounded before any memory is allocated.
 */
import { scrypt as scryptCb, scryptSync } from 'node:crypto';

import { asU8, badArgument, checkBytes } from './bytes.js';
import { CryptoErrors } from './crypto-errors.js';

export interface ScryptParams {
  /** log2 of the CPU/memory cost N (RFC 7914 §2). */
  readonly logN: number;
  /** Block size r. */
  readonly r: number;
  /** Parallelisation p. */
  readonly p: number;
}

export interface ScryptLimits {
  readonly logN: readonly [number, number];
  readonly r: readonly [number, number];
  readonly p: readonly [number, number];
  /** Upper bound on scrypt's 128·r·N bytes of working memory. */
  readonly maxMemory: number;
}

/**
 * Bounds for keystore files: logN 10..20, r 1..16, p 1..4, and at most 1 GiB of memory (logN 20
 * with r 16 alone would be 2 GiB). The slowest allowed file costs ~30 s, never gigabytes beyond 1.
 */
export const SCRYPT_LIMITS: ScryptLimits = { logN: [10, 20], r: [1, 16], p: [1, 4], maxMemory: 1 << 30 };

function inRange(v: number, [lo, hi]: readonly [number, number]): boolean {
  return Number.isInteger(v) && v >= lo && v <= hi;
}

/** Memory scrypt needs: 128·r·N for V plus 128·r·p for B (RFC 7914 §6). */
export function scryptMemory(params: ScryptParams): number {
  return 128 * params.r * 2 ** params.logN + 128 * params.r * params.p;
}

/** Throws KDF_PARAMS_OUT_OF_BOUNDS unless `params` are within `limits`. */
export function checkScryptParams(params: ScryptParams, limits: ScryptLimits = SCRYPT_LIMITS): void {
  const ok =
    typeof params === 'object' &&
    params !== null &&
    inRange(params.logN, limits.logN) &&
    inRange(params.r, limits.r) &&
    inRange(params.p, limits.p) &&
    128 * params.r * 2 ** params.logN <= limits.maxMemory;
  if (!ok) {
    throw CryptoErrors.KDF_PARAMS_OUT_OF_BOUNDS(`scrypt parameters out of bounds: ${JSON.stringify(params)}`);
  }
}

function nodeOptions(params: ScryptParams) {
  // maxmem must cover what OpenSSL allocates, or it refuses; add slack for its bookkeeping.
  return { N: 2 ** params.logN, r: params.r, p: params.p, maxmem: scryptMemory(params) + (1 << 20) };
}

function checkArgs(passphrase: Uint8Array, salt: Uint8Array, length: number): void {
  checkBytes('passphrase', passphrase);
  checkBytes('salt', salt);
  if (!Number.isInteger(length) || length < 1 || length > 1024) badArgument('scrypt output length must be 1..1024');
}

/** scrypt(P, S, N, r, p, dkLen) (RFC 7914 §6), blocking. */
export function scryptSyncDerive(passphrase: Uint8Array, salt: Uint8Array, params: ScryptParams, length: number, limits: ScryptLimits = SCRYPT_LIMITS): Uint8Array {
  checkArgs(passphrase, salt, length);
  checkScryptParams(params, limits);
  return asU8(scryptSync(passphrase, salt, length, nodeOptions(params)));
}

/** scrypt on libuv's thread pool, so a 0.5 s derivation does not stall the event loop. */
export function scryptDerive(passphrase: Uint8Array, salt: Uint8Array, params: ScryptParams, length: number, limits: ScryptLimits = SCRYPT_LIMITS): Promise<Uint8Array> {
  checkArgs(passphrase, salt, length);
  checkScryptParams(params, limits);
  return new Promise((resolve, reject) => {
    scryptCb(passphrase, salt, length, nodeOptions(params), (err, key) => {
      if (err) reject(CryptoErrors.KDF_FAILED(`scrypt failed: ${err.message}`, { cause: err }));
      else resolve(asU8(key));
    });
  });
}

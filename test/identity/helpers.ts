/** Test helpers: a seeded random source (SHA-256 in counter mode) and a few builders. */
import { createHash } from 'node:crypto';
import type { RandomSource } from '../../src/crypto/random.js';

export function seededRandom(seed: string): RandomSource {
  let counter = 0;
  let pool = new Uint8Array(0);
  return {
    bytes(n: number): Uint8Array {
      const out = new Uint8Array(n);
      let at = 0;
      while (at < n) {
        if (pool.length === 0) pool = new Uint8Array(createHash('sha256').update(`${seed}/${counter++}`).digest());
        const take = Math.min(pool.length, n - at);
        out.set(pool.subarray(0, take), at);
        pool = pool.subarray(take);
        at += take;
      }
      return out;
    },
  };
}

export const DAY = 86_400_000;
/** A fixed "now" (2026-05-28) so dates in tests do not depend on the clock. */
export const NOW = 1_780_000_000_000;

/** Mean milliseconds per call of `fn` over `n` calls. */
export function msPerCall(n: number, fn: () => void): number {
  const t = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - t) / n;
}

/**
 * Where randomness comes from. Protocol code takes a `RandomSource` (the runtime's `Random` fits:
 * seeded in the simulator for reproducible runs); without one we use the OS CSPRNG.
 */
import { randomBytes } from 'node:crypto';
import { asU8, badArgument } from './bytes.js';

export interface RandomSource {
  /** `n` random bytes. */
  bytes(n: number): Uint8Array;
}

export const systemRandom: RandomSource = {
  bytes(n: number): Uint8Array {
    return asU8(randomBytes(n));
  },
};

/** `n` bytes from `random` (or the OS), checked: a broken source must not yield short keys. */
export function randomBytesFrom(random: RandomSource | undefined, n: number): Uint8Array {
  const out = (random ?? systemRandom).bytes(n);
  if (!(out instanceof Uint8Array) || out.length !== n) badArgument(`random source returned ${String((out as Uint8Array | undefined)?.length)} bytes, wanted ${n}`);
  return out;
}

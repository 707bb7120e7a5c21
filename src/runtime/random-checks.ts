/** Argument checks shared by the real and the seeded Random: bad arguments are typed errors. */

import { RuntimeErrors } from './runtime-errors.js';

/** BOUNDED(64 MiB) per call: nothing in the protocol needs more random bytes at once. */
export const MAX_RANDOM_BYTES = 64 * 1024 * 1024;

export function checkByteCount(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_RANDOM_BYTES) {
    throw RuntimeErrors.RUNTIME_BAD_RANDOM_ARGUMENT(`random.bytes(${n}): need an integer in [0, ${MAX_RANDOM_BYTES}]`);
  }
}

export function checkIntMax(max: number): void {
  if (!Number.isSafeInteger(max) || max < 1) {
    throw RuntimeErrors.RUNTIME_BAD_RANDOM_ARGUMENT(`random.int(${max}): need a safe integer >= 1`);
  }
}

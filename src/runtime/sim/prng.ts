/**
 * A small, fast, seeded PRNG for the simulator: sfc32 (Chris Doty-Humphrey's Small Fast Chaotic
 * generator, 128-bit state, passes PractRand), seeded from (seed, label) with cyrb128 so every
 * host gets its own reproducible stream. Not for keys outside the simulator.
 */
import type { Random } from '../runtime.js';
import { checkByteCount, checkIntMax } from '../random-checks.js';

/** cyrb128: four 32-bit hashes of a string, a good spread for seeding. */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

export class SeededRandom implements Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A stream determined by `seed` and `label` (e.g. a host name); equal inputs, equal stream. */
  constructor(seed: number, label = '') {
    [this.a, this.b, this.c, this.d] = cyrb128(`${seed}\u0000${label}`);
    for (let i = 0; i < 12; i++) this.nextU32(); // sfc32 warm-up
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  float(): number {
    return ((this.nextU32() >>> 11) * 2 ** 32 + this.nextU32()) / 2 ** 53;
  }

  int(max: number): number {
    checkIntMax(max);
    if (max <= 2 ** 32) {
      // Rejection sampling keeps it exactly uniform.
      const limit = 2 ** 32 - (2 ** 32 % max);
      for (;;) {
        const x = this.nextU32();
        if (x < limit) return x % max;
      }
    }
    const limit = 2 ** 53 - (2 ** 53 % max);
    for (;;) {
      const x = (this.nextU32() >>> 11) * 2 ** 32 + this.nextU32();
      if (x < limit) return x % max;
    }
  }

  bytes(n: number): Uint8Array {
    checkByteCount(n);
    const out = new Uint8Array(n);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const x = this.nextU32();
      out[i] = x & 0xff;
      out[i + 1] = (x >>> 8) & 0xff;
      out[i + 2] = (x >>> 16) & 0xff;
      out[i + 3] = x >>> 24;
    }
    if (i < n) {
      let x = this.nextU32();
      for (; i < n; i++, x >>>= 8) out[i] = x & 0xff;
    }
    return out;
  }

  /** A uniform integer in [min, max] (both included). */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }
}

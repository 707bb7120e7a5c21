/**
 * The real runtime: wall-clock time and Node timers, OpenSSL randomness, TLS 1.3 links.
 * Everything above the runtime gets these through the `Runtime` interface only (DESIGN §3).
 */
import { randomFillSync, randomInt } from 'node:crypto';
import type { Clock, Random, Runtime, TimerHandle } from '../runtime.js';
import { createTlsNet } from './tls-net.js';
import { type TlsNetOptions } from './tls-settings.js';
import { checkByteCount, checkIntMax } from '../random-checks.js';

/** Node timers fire at once (with a warning) past 2^31-1 ms; longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function createRealClock(): Clock {
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      let timer: NodeJS.Timeout;
      let remaining = Math.max(0, Number.isFinite(ms) ? ms : 0);
      const arm = (): void => {
        const step = Math.min(remaining, MAX_TIMER_MS);
        remaining -= step;
        timer = setTimeout(remaining > 0 ? arm : fn, step);
      };
      arm();
      return { cancel: () => clearTimeout(timer) };
    },
    setInterval(fn, ms) {
      const period = Math.min(Math.max(1, Number.isFinite(ms) ? ms : 1), MAX_TIMER_MS);
      const timer = setInterval(fn, period);
      return { cancel: () => clearInterval(timer) } satisfies TimerHandle;
    },
  };
}

export function createCryptoRandom(): Random {
  const scratch = new Uint8Array(8);
  return {
    bytes(n) {
      checkByteCount(n);
      return randomFillSync(new Uint8Array(n));
    },
    int(max) {
      checkIntMax(max);
      if (max <= 2 ** 48) return randomInt(max);
      // randomInt stops at 2^48; above it, rejection-sample 53 bits.
      const limit = 2 ** 53 - (2 ** 53 % max);
      for (;;) {
        const x = random53(scratch);
        if (x < limit) return x % max;
      }
    },
    float() {
      return random53(scratch) / 2 ** 53;
    },
  };
}

function random53(scratch: Uint8Array): number {
  randomFillSync(scratch);
  const view = new DataView(scratch.buffer, scratch.byteOffset, 8);
  return (view.getUint32(0) >>> 11) * 2 ** 32 + view.getUint32(4);
}

export interface RealRuntimeOptions {
  net?: TlsNetOptions;
}

export function createRealRuntime(options: RealRuntimeOptions = {}): Runtime {
  return { clock: createRealClock(), random: createCryptoRandom(), net: createTlsNet(options.net) };
}

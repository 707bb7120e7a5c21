/**
 * Lets promise continuations of simulated nodes run between two simulator events, as Node runs
 * them between two macrotasks. A drain is one trip through the real event loop
 * (`setImmediate`, about 1 µs); it is skipped when no promise was created or settled since the
 * last one (V8 promise hooks set a flag), so pure timer work runs at full speed.
 *
 * Limits: work queued with bare `queueMicrotask`/`process.nextTick` without any promise is not
 * seen by the flag (the next drain still runs it); real asynchronous I/O (WebCrypto, files)
 * finishes on real time, outside the simulation's control.
 */
import { promiseHooks } from 'node:v8';

let dirty = true;
let users = 0;
let stopHooks: (() => void) | undefined;

const markDirty = (): void => {
  dirty = true;
};

/** Starts watching promises; returns the function that stops (reference-counted). */
export function watchPromises(): () => void {
  users += 1;
  if (users === 1 && promiseHooks) {
    const stopInit = promiseHooks.onInit(markDirty);
    const stopSettled = promiseHooks.onSettled(markDirty);
    stopHooks = () => {
      stopInit();
      stopSettled();
    };
  }
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    users -= 1;
    if (users === 0) {
      stopHooks?.();
      stopHooks = undefined;
    }
  };
}

/** True when continuations may be waiting (always true without promise hooks). */
export function mayHavePendingWork(): boolean {
  return dirty || !stopHooks;
}

/**
 * Resolves once every queued microtask and nextTick (and their follow-ups) has run. The caller
 * calls `markDrained()` right after awaiting it: the promises of the drain itself set the flag.
 */
export function drainMicrotasks(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

export function markDrained(): void {
  dirty = false;
}

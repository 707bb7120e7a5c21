/**
 * A bound on the control calls that wait for the network at once (a send's acknowledgement, a
 * board request, an opening): one slot is held from before the body is read until the answer, and
 * a call past the bound is 503 CONTROL_BUSY at once rather than a queue that grows.
 */
import { ControlHttpError } from './http-error.js';

/** BOUNDED(max): the calls running through the returned function at once. */
export function inFlightLimit(max: number, busy: string): <T>(fn: () => Promise<T>) => Promise<T> {
  let inFlight = 0;
  return async (fn) => {
    if (inFlight >= max) throw new ControlHttpError(503, 'CONTROL_BUSY', `${max} ${busy}`);
    inFlight++;
    try {
      return await fn();
    } finally {
      inFlight--;
    }
  };
}

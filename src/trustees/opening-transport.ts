/**
 * How the opening's messages travel (docs/protocol.md §2.8): each one is a request on a fresh
 * onion route to a one-time address (Router.request), answered in the same session; a route that
 * fails is replaced and the request tried again, a bounded number of times.
 */
import { describeError, retrying } from '../errors.js';
import type { Logger } from '../log.js';
import type { Router } from '../routing/router.js';

export interface OpeningConfig {
  /** One try of a request over an onion route (the answer may need a combination first). */
  requestTimeoutMs: number;
  /** Tries per request, each on a fresh route. */
  attempts: number;
  /** A trustee's list of requests on a board is searched again when older than this. */
  listingFreshMs: number;
  /** How long the audit record stays on the board (the board keeps a post at most 30 days). */
  auditTtlSeconds: number;
  /** Tries to post the audit record, `publishRetryMs` apart, before the opening fails. */
  publishAttempts: number;
  publishRetryMs: number;
  /** How long a finished opening's approval address still answers that it is closed. */
  closedGraceMs: number;
}

export const DEFAULT_OPENING_CONFIG: OpeningConfig = {
  requestTimeoutMs: 60_000,
  attempts: 3,
  listingFreshMs: 30_000,
  auditTtlSeconds: 30 * 86_400,
  publishAttempts: 5,
  publishRetryMs: 60_000,
  closedGraceMs: 15 * 60_000,
};

/** Sends `bytes` to `address` and returns the answer; retried on a fresh route when the route failed. */
export async function askOverRoute(router: Router, logger: Logger, address: string, bytes: Uint8Array, config: OpeningConfig): Promise<Uint8Array> {
  return retrying(() => router.request(address, bytes, { timeoutMs: config.requestTimeoutMs }), {
    attempts: config.attempts,
    onRetry: (e) => logger.log('debug', 'opening.retry', { reason: describeError(e) }),
  });
}

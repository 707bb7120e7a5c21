/**
 * What the health roles (member, intermediary, clinic) need from their node, as narrow
 * interfaces so tests can wrap them (e.g. to record every payload a member hands to routing):
 * the routing layer's one-time addresses, serving and requests, the board client, the clock,
 * the identity and the community's trust anchors. Also the one way the roles talk to each other
 * off the board: an exchange message (exchange-message.ts) sent as a request on a fresh route,
 * tried again on a new route when the route failed (the error's retry advice says so).
 */
import { describeError, retrying } from '../../errors.js';
import type { NodeIdentity, RevocationList } from '../../identity/types.js';
import type { Logger } from '../../log.js';
import type { BoardClient } from '../../board/client.js';
import type { Router } from '../../routing/router.js';
import type { Runtime } from '../../runtime/runtime.js';
import type { LetterTrust } from '../formats/letter-of-intent.js';

export type HealthRouter = Pick<Router, 'newAddress' | 'serve' | 'unserve' | 'request'>;
export type HealthBoard = Pick<BoardClient, 'post' | 'search' | 'searchAll' | 'get' | 'reply' | 'replies'>;

export interface HealthContext {
  router: HealthRouter;
  board: HealthBoard;
  runtime: Runtime;
  identity: NodeIdentity;
  logger: Logger;
  /** The CRL in force (letters of intent are checked against it), if any. */
  crl: () => RevocationList | undefined;
  /** How long one exchange request waits for its answer (default 30 s). */
  requestTimeoutMs?: number;
}

const ATTEMPTS = 3;

export function now(ctx: HealthContext): number {
  return ctx.runtime.clock.now();
}

/** What checking a letter of intent needs now: the community CA, the CRL, the time. */
export function letterTrust(ctx: HealthContext): LetterTrust {
  return { ca: ctx.identity.caPem, crl: ctx.crl(), now: now(ctx) };
}

/**
 * Sends one exchange message to `address` on a fresh route and returns the answer's bytes. Every
 * exchange message is idempotent at its receiver (a repeated proposal, request or letter is
 * answered as the first was), so a lost answer is safely asked again.
 */
export async function exchangeRequest(ctx: HealthContext, address: string, bytes: Uint8Array): Promise<Uint8Array> {
  return retrying(() => ctx.router.request(address, bytes, { timeoutMs: ctx.requestTimeoutMs ?? 30_000 }), {
    attempts: ATTEMPTS,
    onRetry: (e) => ctx.logger.log('debug', 'health.retry', { reason: describeError(e) }),
  });
}

/**
 * Shared error kinds. Every layer throws `TokumeiError` with a stable `code` (e.g. `LINK_REVOKED`),
 * one of a few `kind`s and a retry advice, after arti's `HasKind` / `HasRetryTime`: callers branch
 * on the kind or the advice, never on lists of codes; logs print the code. Each layer declares its
 * codes once, in a table made with `defineErrors` (its `*-errors.ts` file), which gives one
 * constructor per code.
 */
export type ErrorKind =
  | 'bad-input' // the caller (CLI, API, file) gave something malformed
  | 'not-found' // the caller named something that is not there (a post, a message, a request)
  | 'too-large' // the caller gave more than a limit allows
  | 'protocol' // a peer sent something malformed or out of order
  | 'refused' // authentication or policy said no (passport, challenge, rate limit)
  | 'crypto' // a MAC, signature or decryption failed
  | 'corrupt' // stored data of our own is unreadable (a file altered or broken)
  | 'io' // the network or the file system failed
  | 'timeout'
  | 'internal'; // a bug: an invariant did not hold

/**
 * Whether trying again can help (arti's `RetryTime`): `immediate` — at once, on a fresh route;
 * `after-waiting` — later, once the other side caught up; `never` — the same call fails the same way.
 */
export type RetryTime = 'never' | 'immediate' | 'after-waiting';

export interface ErrorSpec {
  readonly kind: ErrorKind;
  /** Default `never`. */
  readonly retry?: RetryTime;
  /** The failure comes within seconds (no timeout was spent): a retry loop does not count it against its attempts. */
  readonly quick?: boolean;
  /** A refusal because the caller's secret (a passphrase) was wrong: the control API answers 403. */
  readonly wrongSecret?: boolean;
}

export interface ErrorOptions {
  cause?: unknown;
  /**
   * Another kind for this one site, where a code's kind depends on the direction: our own
   * encoder's mistake (`internal`, `bad-input`) against the same code for a peer's bytes.
   */
  kind?: ErrorKind;
}

export class TokumeiError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly retry: RetryTime;
  readonly quick: boolean;
  constructor(kind: ErrorKind, code: string, message: string, options?: ErrorOptions & { retry?: RetryTime; quick?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TokumeiError';
    this.kind = kind;
    this.code = code;
    const spec = registry.get(code);
    this.retry = options?.retry ?? spec?.retry ?? 'never';
    this.quick = options?.quick ?? spec?.quick ?? false;
  }
}

/** Every declared code, across layers: a code is declared once. */
const registry = new Map<string, ErrorSpec & { layer: string }>(); // BOUNDED: the codes in the source

/** One constructor per declared code: `RoutingErrors.NO_ROUTE('no route to the destination')`. */
export type ErrorTable<T extends Record<string, ErrorSpec>> = { readonly [K in keyof T]: (message: string, options?: ErrorOptions) => TokumeiError } & {
  /** The layer's codes and their specs. */
  readonly specs: Readonly<T>;
};

/** Declares a layer's codes; a code declared by two layers is a bug, caught when the second loads. */
export function defineErrors<T extends Record<string, ErrorSpec>>(layer: string, specs: T): ErrorTable<T> {
  const table: Record<string, unknown> = { specs };
  for (const [code, spec] of Object.entries(specs)) {
    const other = registry.get(code);
    if (other) throw new Error(`error code ${code} is declared by ${other.layer} and ${layer}`);
    registry.set(code, { ...spec, layer });
    table[code] = (message: string, options?: ErrorOptions) => new TokumeiError(options?.kind ?? spec.kind, code, message, options);
  }
  return table as ErrorTable<T>;
}

/** The spec of a declared code (undefined for codes made at run time, e.g. a peer's refusal). */
export function errorSpec(code: string): (ErrorSpec & { layer: string }) | undefined {
  return registry.get(code);
}

/** Every declared code with its layer and spec, for documentation and tests. */
export function declaredErrors(): ReadonlyMap<string, ErrorSpec & { layer: string }> {
  return registry;
}

/**
 * A TokumeiError for a code chosen at run time (a rule helper's, a codec's): the code's declared
 * kind when it has one, else `fallback`.
 */
export function errorFor(code: string, message: string, fallback: ErrorKind, options?: ErrorOptions): TokumeiError {
  return new TokumeiError(registry.get(code)?.kind ?? fallback, code, message, options);
}

/**
 * What the other side refused, by its code (a board replica's, a clinic's, a trustee's): a policy's
 * no (`refused`) — unless the code says that what was named is not there or too large, which the
 * caller may want to tell apart (a missing post, a text over the limit).
 */
export function remoteRefusal(code: string, message: string): TokumeiError {
  const kind = registry.get(code)?.kind;
  return new TokumeiError(kind === 'not-found' || kind === 'too-large' ? kind : 'refused', code, message);
}

export function isTokumeiError(e: unknown, code?: string): e is TokumeiError {
  return e instanceof TokumeiError && (code === undefined || e.code === code);
}

/**
 * Runs `attempt` until it succeeds, or fails with an error whose advice is not `immediate`:
 * `attempts` failures that cost time, and at most `maxTries` tries in all (default `attempts`;
 * `quick` failures such as NO_ROUTE count only against `maxTries`). Used for requests on fresh
 * routes: a lost route is no reason to give up, a refusal is.
 */
export async function retrying<T>(attempt: (i: number) => Promise<T>, o: { attempts: number; maxTries?: number; onRetry?: (e: TokumeiError) => void }): Promise<T> {
  const maxTries = o.maxTries ?? o.attempts;
  let last: unknown;
  for (let i = 0, slow = 0; slow < o.attempts && i < maxTries; i++) {
    try {
      return await attempt(i);
    } catch (e) {
      last = e;
      if (!(e instanceof TokumeiError) || e.retry !== 'immediate') throw e;
      if (!e.quick) slow++;
      o.onRetry?.(e);
    }
  }
  throw last;
}

/** A short, log-safe description of any thrown value. */
export function describeError(e: unknown): string {
  if (e instanceof TokumeiError) return `${e.code}: ${e.message}`;
  if (e instanceof Error) return `${(e as NodeJS.ErrnoException).code ?? e.name}: ${e.message}`;
  return String(e);
}

/**
 * Why a link was refused. The same codes come from the real TLS transport (mapped from OpenSSL's
 * verification errors), the simulated transport and the link handshake, so logs read alike.
 */
export const LinkRefusal = {
  NO_CERTIFICATE: 'LINK_NO_CERTIFICATE',
  OTHER_CA: 'LINK_OTHER_CA',
  EXPIRED: 'LINK_EXPIRED',
  NOT_YET_VALID: 'LINK_NOT_YET_VALID',
  REVOKED: 'LINK_REVOKED',
  BAD_PASSPORT: 'LINK_BAD_PASSPORT',
  CHALLENGE_FAILED: 'LINK_CHALLENGE_FAILED',
  HANDSHAKE_FAILED: 'LINK_HANDSHAKE_FAILED',
  TIMEOUT: 'LINK_TIMEOUT',
  UNREACHABLE: 'LINK_UNREACHABLE',
  SELF: 'LINK_SELF',
  DUPLICATE: 'LINK_DUPLICATE',
  FLOODING: 'LINK_FLOODING',
} as const;
export type LinkRefusalCode = (typeof LinkRefusal)[keyof typeof LinkRefusal];

/** The link refusals' kinds: a policy's no, but the network (unreachable, a duplicate link) or a deadline. */
defineErrors('link refusal', {
  LINK_NO_CERTIFICATE: { kind: 'refused' },
  LINK_OTHER_CA: { kind: 'refused' },
  LINK_EXPIRED: { kind: 'refused' },
  LINK_NOT_YET_VALID: { kind: 'refused' },
  LINK_REVOKED: { kind: 'refused' },
  LINK_BAD_PASSPORT: { kind: 'refused' },
  LINK_CHALLENGE_FAILED: { kind: 'refused' },
  LINK_HANDSHAKE_FAILED: { kind: 'refused' },
  LINK_TIMEOUT: { kind: 'timeout' },
  LINK_UNREACHABLE: { kind: 'io' },
  LINK_SELF: { kind: 'refused' },
  LINK_DUPLICATE: { kind: 'io' },
  LINK_FLOODING: { kind: 'refused' },
} satisfies Record<LinkRefusalCode, ErrorSpec>);

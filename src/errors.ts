/**
 * Shared error kinds. Every layer throws `TokumeiError` (or a subclass) with a stable `code`
 * (e.g. `LINK_REVOKED`) and one of a few `kind`s, after arti's error-kind habit: callers branch on
 * the kind, logs print the code.
 */
export type ErrorKind =
  | 'bad-input' // the caller (CLI, API, file) gave something malformed
  | 'protocol' // a peer sent something malformed or out of order
  | 'refused' // authentication or policy said no (passport, challenge, rate limit)
  | 'crypto' // a MAC, signature or decryption failed
  | 'io' // the network or the file system failed
  | 'timeout'
  | 'internal'; // a bug: an invariant did not hold

export class TokumeiError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokumeiError';
    this.kind = kind;
    this.code = code;
  }
}

export function isTokumeiError(e: unknown, code?: string): e is TokumeiError {
  return e instanceof TokumeiError && (code === undefined || e.code === code);
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

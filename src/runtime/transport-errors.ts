/**
 * Maps what node:tls / node:net report onto tokumei's link refusal codes (src/errors.ts), so the
 * real and the simulated transports fail alike and logs read alike.
 */
import { LinkRefusal, TokumeiError, type ErrorKind, type LinkRefusalCode } from '../errors.js';

/** Transport failures that are not refusals. */
export const TransportFailure = {
  /** The peer (or the network) reset an established link. */
  RESET: 'LINK_RESET',
  /** The peer stopped reading: our write buffer passed its bound. */
  STALLED: 'LINK_STALLED',
  /** The listen address is taken. */
  ADDRESS_IN_USE: 'RUNTIME_ADDRESS_IN_USE',
  /** Listening failed for another reason (permissions, no such interface…). */
  LISTEN_FAILED: 'RUNTIME_LISTEN_FAILED',
  /** Certificate, key or CA PEM that OpenSSL would not load. */
  BAD_CREDENTIALS: 'RUNTIME_BAD_CREDENTIALS',
} as const;

/** OpenSSL X509 verification results (socket.authorizationError, client verify errors). */
const VERIFY_CODES: Record<string, LinkRefusalCode> = {
  CERT_HAS_EXPIRED: LinkRefusal.EXPIRED,
  CERT_NOT_YET_VALID: LinkRefusal.NOT_YET_VALID,
  CERT_REVOKED: LinkRefusal.REVOKED,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: LinkRefusal.OTHER_CA,
  UNABLE_TO_GET_ISSUER_CERT: LinkRefusal.OTHER_CA,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: LinkRefusal.OTHER_CA,
  SELF_SIGNED_CERT_IN_CHAIN: LinkRefusal.OTHER_CA,
  DEPTH_ZERO_SELF_SIGNED_CERT: LinkRefusal.OTHER_CA,
  CERT_SIGNATURE_FAILURE: LinkRefusal.OTHER_CA,
  CERT_UNTRUSTED: LinkRefusal.OTHER_CA,
  CERT_REJECTED: LinkRefusal.BAD_PASSPORT,
  INVALID_PURPOSE: LinkRefusal.BAD_PASSPORT,
  INVALID_CA: LinkRefusal.BAD_PASSPORT,
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: LinkRefusal.BAD_PASSPORT,
};

/** Node error codes: local OpenSSL errors, TLS alerts the peer sent us, socket errors. */
const ERROR_CODES: Record<string, LinkRefusalCode> = {
  ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE: LinkRefusal.NO_CERTIFICATE,
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: LinkRefusal.NO_CERTIFICATE,
  ERR_SSL_SSLV3_ALERT_NO_CERTIFICATE: LinkRefusal.NO_CERTIFICATE,
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: LinkRefusal.EXPIRED,
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED: LinkRefusal.REVOKED,
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: LinkRefusal.OTHER_CA,
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: LinkRefusal.BAD_PASSPORT,
  ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE: LinkRefusal.BAD_PASSPORT,
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: LinkRefusal.BAD_PASSPORT,
  ERR_TLS_HANDSHAKE_TIMEOUT: LinkRefusal.TIMEOUT,
  ETIMEDOUT: LinkRefusal.TIMEOUT,
  ECONNREFUSED: LinkRefusal.UNREACHABLE,
  EHOSTUNREACH: LinkRefusal.UNREACHABLE,
  ENETUNREACH: LinkRefusal.UNREACHABLE,
  EADDRNOTAVAIL: LinkRefusal.UNREACHABLE,
};

const MESSAGES: Partial<Record<LinkRefusalCode, string>> = {
  [LinkRefusal.NO_CERTIFICATE]: 'no passport was presented',
  [LinkRefusal.OTHER_CA]: 'the passport was not issued by our community CA',
  [LinkRefusal.EXPIRED]: 'the passport has expired',
  [LinkRefusal.NOT_YET_VALID]: 'the passport is not valid yet',
  [LinkRefusal.REVOKED]: 'the passport is revoked',
  [LinkRefusal.BAD_PASSPORT]: 'the passport was rejected',
  [LinkRefusal.TIMEOUT]: 'the handshake did not finish in time',
  [LinkRefusal.UNREACHABLE]: 'nothing answers at that address',
  [LinkRefusal.HANDSHAKE_FAILED]: 'the TLS handshake failed',
};

function kindOf(code: LinkRefusalCode): ErrorKind {
  if (code === LinkRefusal.UNREACHABLE) return 'io';
  if (code === LinkRefusal.TIMEOUT) return 'timeout';
  return 'refused';
}

/** A link error with the standard message for `code`; `detail` says who refused and why. */
export function linkError(code: LinkRefusalCode, detail: string, cause?: unknown): TokumeiError {
  const what = MESSAGES[code] ?? code;
  return new TokumeiError(kindOf(code), code, `${detail}: ${what}`, cause === undefined ? undefined : { cause });
}

/** The refusal code for an OpenSSL verification result, if it is one we know. */
export function refusalForVerifyCode(verifyCode: string | undefined | null): LinkRefusalCode | undefined {
  return verifyCode ? VERIFY_CODES[verifyCode] : undefined;
}

/**
 * Maps any error node:tls or node:net raised during a handshake; `detail` says which side saw
 * it (e.g. "dial 127.0.0.1:7000"). Unknown errors become HANDSHAKE_FAILED with the original as
 * `cause`.
 */
export function mapHandshakeError(error: unknown, detail: string): TokumeiError {
  if (error instanceof TokumeiError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const mapped = (code && (VERIFY_CODES[code] ?? ERROR_CODES[code])) || LinkRefusal.HANDSHAKE_FAILED;
  const why = code ? ` (${code})` : '';
  return linkError(mapped, `${detail}${why}`, error);
}

/** Maps an error on an established link: alerts keep their refusal code, the rest is a reset. */
export function mapLinkError(error: unknown, detail: string): TokumeiError {
  if (error instanceof TokumeiError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const mapped = code ? (VERIFY_CODES[code] ?? ERROR_CODES[code]) : undefined;
  if (mapped && mapped !== LinkRefusal.UNREACHABLE) return linkError(mapped, `${detail} (${code})`, error);
  const message = error instanceof Error ? error.message : String(error);
  return new TokumeiError('io', TransportFailure.RESET, `${detail}: link lost (${code ?? message})`, { cause: error });
}

/**
 * Just enough PEM (RFC 7468) to take the DER out of a certificate. The simulator uses it to hand
 * each side the other's passport without importing src/identity (the runtime sits below it).
 */
import { TokumeiError } from '../../errors.js';

export const BAD_PEM = 'RUNTIME_BAD_PEM';

const BLOCK = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/;

/** DER of the first CERTIFICATE block; throws TokumeiError(RUNTIME_BAD_PEM) on anything else. */
export function certificateDerFromPem(pem: string): Uint8Array {
  if (typeof pem !== 'string' || pem.length > 1_000_000) {
    throw new TokumeiError('bad-input', BAD_PEM, 'certificate PEM is not a string of sane size');
  }
  const match = BLOCK.exec(pem);
  const body = match?.[1]?.replace(/\s+/g, '');
  if (!body || body.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
    throw new TokumeiError('bad-input', BAD_PEM, 'no well-formed CERTIFICATE block in PEM');
  }
  const der = Buffer.from(body, 'base64');
  // A DER certificate is a SEQUENCE (0x30); anything else cannot be a passport.
  if (der.length < 2 || der[0] !== 0x30) {
    throw new TokumeiError('bad-input', BAD_PEM, 'CERTIFICATE block does not hold a DER SEQUENCE');
  }
  return new Uint8Array(der); // a copy: small Buffers share Node's pool
}

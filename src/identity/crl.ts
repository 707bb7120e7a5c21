/**
 * Certificate revocation lists (RFC 5280 §5): X.509 v2 CRLs signed by the community CA, with a
 * cRLNumber (§5.2.3) that only grows; nodes keep the highest-numbered CRL they have seen and
 * spread it over the overlay. nextUpdate is set (RFC 5280 §5.1.2.5 wants it) to a year on, but
 * nodes do not expire CRLs: freshness comes from the number.
 */
import { TokumeiError } from '../errors.js';
import { constantTimeEqual } from '../crypto/bytes.js';
import type { CommunityCa } from './ca.js';
import { trustAnchor } from './trust-anchor.js';
import type { RevocationList } from './types.js';
import * as asn from '@peculiar/asn1-x509';
import { buildCrl, CRL_PARSE_LIMITS, isCanonicalSigned, OID, pemToDer, serialBytes, serialHex, toPem, verifyTbs, x509Time } from './x509.js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { IdentityErrors } from './identity-errors.js';

/** ~100k revoked members fit; a larger "CRL" is hostile. */
export const CRL_MAX_BYTES = 8 * 1024 * 1024;
/** cRLNumber bound (RFC 5280 allows 20 octets; we keep it a safe JS integer). */
export const CRL_MAX_NUMBER = Number.MAX_SAFE_INTEGER;
const YEAR_MS = 365 * 86_400_000;

export interface RevokedEntry {
  serial: string;
  /** ms since the epoch; default: the CRL's thisUpdate. */
  revokedAt?: number;
}

/** Builds and signs the CRL number `number` listing `revoked` (hex serials as Passport.serial). */
export function createCrl(ca: CommunityCa, revoked: Iterable<string | RevokedEntry>, number: number, now: number = Date.now()): RevocationList {
  if (!Number.isSafeInteger(number) || number < 1) throw IdentityErrors.CRL_BAD_NUMBER(`CRL number must be a positive integer, got ${number}`);
  const thisUpdate = x509Time(now, 'thisUpdate');
  const entries = [...revoked].map((r) => {
    const e = typeof r === 'string' ? { serial: r } : r;
    return { serial: serialBytes(e.serial), revokedAt: x509Time(e.revokedAt ?? thisUpdate.getTime(), 'revocationDate') };
  });
  const der = buildCrl({ issuer: ca.subject, thisUpdate, nextUpdate: new Date(thisUpdate.getTime() + YEAR_MS), entries, number, issuerKey: ca.privateKey });
  return parseCrl(der, ca.der);
}

function malformed(message: string, cause?: unknown): never {
  throw IdentityErrors.CRL_MALFORMED(`CRL: ${message}`, { cause });
}

/**
 * Parses a CRL (PEM or DER) and checks it against the CA: CRL_MALFORMED for anything
 * unparseable, CRL_BAD_SIGNATURE when the CA did not sign it (or another CA issued it).
 */
export function parseCrl(input: string | Uint8Array, caCert: string | Uint8Array): RevocationList {
  const anchor = trustAnchor(caCert);
  const raw = typeof input === 'string' || input instanceof Uint8Array ? pemToDer(input, 'X509 CRL', CRL_MAX_BYTES) : undefined;
  if (!raw) malformed('not a PEM X509 CRL or DER of sane size');
  const der = raw.slice();
  let crl: asn.CertificateList;
  try {
    crl = AsnConvert.parse(der, asn.CertificateList, CRL_PARSE_LIMITS);
  } catch (e) {
    return malformed('invalid DER', e);
  }
  try {
    const tbs = crl.tbsCertList;
    if (tbs.version !== asn.Version.v2 || !crl.tbsCertListRaw) malformed('not an X.509 v2 CRL');
    if (!isCanonicalSigned(der, new Uint8Array(crl.tbsCertListRaw), crl.signatureAlgorithm, new Uint8Array(crl.signature))) malformed('not canonical DER');
    const issuer = new Uint8Array(AsnConvert.serialize(tbs.issuer));
    const ok =
      constantTimeEqual(issuer, anchor.subjectDer) &&
      constantTimeEqual(new Uint8Array(AsnConvert.serialize(tbs.signature)), new Uint8Array(AsnConvert.serialize(crl.signatureAlgorithm))) &&
      verifyTbs(new Uint8Array(crl.tbsCertListRaw), crl.signatureAlgorithm, new Uint8Array(crl.signature), anchor.publicKey, anchor.keyType);
    if (!ok) throw IdentityErrors.CRL_BAD_SIGNATURE('CRL was not signed by this community CA');
    const numberExt = (tbs.crlExtensions ?? []).find((e) => e.extnID === OID.cRLNumber);
    if (!numberExt) malformed('no cRLNumber extension');
    const number = AsnConvert.parse(numberExt.extnValue.buffer, asn.CRLNumber).value;
    if (!Number.isSafeInteger(number) || number < 0) malformed('cRLNumber out of range');
    for (const e of tbs.crlExtensions ?? []) {
      if (e.critical && e.extnID !== OID.cRLNumber) malformed(`unknown critical extension ${e.extnID}`);
    }
    const revoked = new Set<string>();
    for (const entry of tbs.revokedCertificates ?? []) revoked.add(serialHex(entry.userCertificate));
    return { der, pem: toPem('X509 CRL', der), number, thisUpdate: tbs.thisUpdate.getTime(), revoked };
  } catch (e) {
    if (e instanceof TokumeiError) throw e;
    return malformed(`malformed content: ${(e as Error)?.message ?? String(e)}`, e);
  }
}

/**
 * The community CA certificate as a trust anchor: parsed once, checked (self-signed, CA:true,
 * keyCertSign) and cached, so that verifying a passport or a CRL costs one signature check.
 */
import type { KeyObject } from 'node:crypto';
import { TokumeiError } from '../errors.js';
import { constantTimeEqual, toHex } from '../crypto/bytes.js';
import * as asn from '@peculiar/asn1-x509';
import { CERT_PARSE_LIMITS, isCanonicalSigned, OID, pemToDer, publicKeyFromSpki, toPem, verifyTbs } from './x509.js';
import { AsnConvert } from '@peculiar/asn1-schema';
import type { KeyType } from './types.js';
import { IdentityErrors } from './identity-errors.js';

export interface TrustAnchor {
  readonly der: Uint8Array;
  readonly pem: string;
  readonly keyType: KeyType;
  readonly publicKey: KeyObject;
  /** DER of the CA's subject Name: the issuer of every passport and CRL. */
  readonly subjectDer: Uint8Array;
  readonly subject: asn.Name;
  readonly notAfter: Date;
}

/** BOUNDED(16): a node trusts one CA; tests and the simulator make a few. */
const CACHE_LIMIT = 16;
const cache = new Map<string, TrustAnchor>();

function invalid(message: string, cause?: unknown): never {
  throw IdentityErrors.CA_CERT_INVALID(`community CA certificate: ${message}`, { cause });
}

/** Parses and checks a CA certificate (PEM or DER); throws CA_CERT_INVALID. Cached. */
export function trustAnchor(caCert: string | Uint8Array): TrustAnchor {
  const key = typeof caCert === 'string' ? caCert : caCert instanceof Uint8Array ? toHex(caCert) : invalid('must be PEM text or DER bytes');
  const hit = cache.get(key);
  if (hit) return hit;
  const anchor = parseAnchor(caCert);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, anchor);
  return anchor;
}

function parseAnchor(caCert: string | Uint8Array): TrustAnchor {
  const der = pemToDer(caCert, 'CERTIFICATE', 64 * 1024) ?? invalid('not a PEM CERTIFICATE or DER');
  let cert: asn.Certificate;
  try {
    cert = AsnConvert.parse(der, asn.Certificate, CERT_PARSE_LIMITS);
  } catch (e) {
    return invalid('malformed DER', e);
  }
  const tbs = cert.tbsCertificate;
  if (tbs.version !== asn.Version.v3 || !cert.tbsCertificateRaw) invalid('not an X.509 v3 certificate');
  if (!isCanonicalSigned(der, new Uint8Array(cert.tbsCertificateRaw), cert.signatureAlgorithm, new Uint8Array(cert.signatureValue))) invalid('not canonical DER');
  let publicKey: KeyObject;
  let keyType: KeyType;
  try {
    const spki = new Uint8Array(AsnConvert.serialize(tbs.subjectPublicKeyInfo));
    ({ key: publicKey, keyType } = publicKeyFromSpki(spki));
  } catch (e) {
    return invalid('unsupported public key', e);
  }
  const subjectDer = new Uint8Array(AsnConvert.serialize(tbs.subject));
  const issuerDer = new Uint8Array(AsnConvert.serialize(tbs.issuer));
  if (!constantTimeEqual(subjectDer, issuerDer)) invalid('not self-signed');
  const tbsDer = new Uint8Array(cert.tbsCertificateRaw);
  if (!verifyTbs(tbsDer, cert.signatureAlgorithm, new Uint8Array(cert.signatureValue), publicKey, keyType)) invalid('bad self-signature');
  const exts = tbs.extensions ?? [];
  const bc = exts.find((e) => e.extnID === OID.basicConstraints);
  const ku = exts.find((e) => e.extnID === OID.keyUsage);
  try {
    if (!bc || !AsnConvert.parse(bc.extnValue.buffer, asn.BasicConstraints).cA) invalid('basicConstraints CA:true missing');
    if (!ku || !(AsnConvert.parse(ku.extnValue.buffer, asn.KeyUsage).toNumber() & asn.KeyUsageFlags.keyCertSign)) invalid('keyUsage keyCertSign missing');
  } catch (e) {
    if (e instanceof TokumeiError) throw e;
    invalid('malformed extension', e);
  }
  return { der, pem: toPem('CERTIFICATE', der), keyType, publicKey, subjectDer, subject: tbs.subject, notAfter: tbs.validity.notAfter.getTime() };
}

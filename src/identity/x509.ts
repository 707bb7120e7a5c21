/**
 * The little X.509 toolkit the passport office needs (RFC 5280), over the @peculiar/asn1-x509
 * schema: build and sign certificates and CRLs synchronously with node:crypto, parse them with
 * resource limits, PEM in and out.
 *
 * Why not @peculiar/x509's generators: they re-parse every extension and lose OID arcs above
 * 2^56, so our UUID-arc ONION_KEY_OID (2.25.<128-bit>) came out as "2.25". The schema library they
 * are built on encodes it correctly, and signing here is synchronous, so issuing is fast and the
 * simulator can issue without awaiting.
 *
 * Signature algorithms (RFC 5280 §4.1.1.2): Ed25519 (RFC 8410 §3, no parameters) and, for RSA
 * CAs, sha256WithRSAEncryption (RFC 4055 §5, NULL parameters) — the X.509 convention every TLS
 * stack accepts. (Application signatures use RSASSA-PSS: crypto/signing.ts.)
 */
import { constants, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { AsnConvert, BitString, OctetString } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';

import { asU8, toHex } from '../crypto/bytes.js';
import { ed25519PublicKeyFromRaw, signingKeyType } from '../crypto/signing.js';
import type { KeyType } from './types.js';
import { IdentityErrors } from './identity-errors.js';

export const OID = {
  ed25519: '1.3.101.112',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  commonName: '2.5.4.3',
  basicConstraints: asn.id_ce_basicConstraints,
  keyUsage: asn.id_ce_keyUsage,
  extKeyUsage: asn.id_ce_extKeyUsage,
  cRLNumber: asn.id_ce_cRLNumber,
  serverAuth: asn.id_kp_serverAuth,
  clientAuth: asn.id_kp_clientAuth,
} as const;


/** asn1js limits for untrusted input; CRLs get more nodes (one member ≈ 5 nodes). */
export const CERT_PARSE_LIMITS = { berOptions: { maxDepth: 32, maxNodes: 2_000, maxContentLength: 64 * 1024 } };
export const CRL_PARSE_LIMITS = { berOptions: { maxDepth: 32, maxNodes: 1_000_000, maxContentLength: 16 * 1024 * 1024 } };

export function signatureAlgorithm(keyType: KeyType): asn.AlgorithmIdentifier {
  return keyType === 'ed25519'
    ? new asn.AlgorithmIdentifier({ algorithm: OID.ed25519 })
    : new asn.AlgorithmIdentifier({ algorithm: OID.sha256WithRSAEncryption, parameters: null });
}

/** True when `alg` is exactly the signature algorithm a `keyType` key makes (OID and parameters). */
export function isSignatureAlgorithm(alg: asn.AlgorithmIdentifier, keyType: KeyType): boolean {
  if (keyType === 'ed25519') return alg.algorithm === OID.ed25519 && alg.parameters === undefined;
  if (alg.algorithm !== OID.sha256WithRSAEncryption) return false;
  // NULL parameters, or absent (RFC 4055 §5 says NULL; some encoders omit it).
  return alg.parameters === undefined || alg.parameters === null || (alg.parameters instanceof ArrayBuffer && toHex(new Uint8Array(alg.parameters)) === '0500');
}

/** Signs a DER TBS structure with the issuer key. */
export function signTbs(tbs: Uint8Array, privateKey: KeyObject): Uint8Array {
  const keyType = signingKeyType(privateKey);
  return asU8(keyType === 'ed25519' ? sign(null, tbs, privateKey) : sign('sha256', tbs, { key: privateKey, padding: constants.RSA_PKCS1_PADDING }));
}

export function verifyTbs(tbs: Uint8Array, alg: asn.AlgorithmIdentifier, signature: Uint8Array, publicKey: KeyObject, keyType: KeyType): boolean {
  if (!isSignatureAlgorithm(alg, keyType)) return false;
  try {
    return keyType === 'ed25519'
      ? verify(null, tbs, publicKey, signature)
      : verify('sha256', tbs, { key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
}

export function commonNameOf(cn: string): asn.Name {
  return new asn.Name([
    new asn.RelativeDistinguishedName([new asn.AttributeTypeAndValue({ type: OID.commonName, value: new asn.AttributeValue({ utf8String: cn }) })]),
  ]);
}

export function extension(extnID: string, critical: boolean, valueDer: ArrayBuffer | Uint8Array): asn.Extension {
  const value = valueDer instanceof Uint8Array ? valueDer : new Uint8Array(valueDer);
  return new asn.Extension({ extnID, critical, extnValue: new OctetString(value) });
}

/** The string asn1-schema yields for a parsed OID; differs from the dotted form for arcs > 2^56. */
export function parsedOidString(oid: string): string {
  const der = AsnConvert.serialize(extension(oid, false, new Uint8Array([5, 0])));
  return AsnConvert.parse(der, asn.Extension).extnID;
}

/** RFC 5280 §4.1.2.5: X.509 times have one-second resolution and must fit UTCTime/GeneralizedTime. */
export function x509Time(t: Date | number, what: string): Date {
  const d = new Date(typeof t === 'number' ? t : t.getTime());
  if (!Number.isFinite(d.getTime()) || d.getUTCFullYear() < 1950 || d.getUTCFullYear() > 9999) {
    throw IdentityErrors.X509_BAD_TIME(`${what} is not a valid certificate time`);
  }
  d.setUTCMilliseconds(0);
  return d;
}

export interface CertificateParams {
  serial: Uint8Array;
  issuer: asn.Name;
  subject: asn.Name;
  notBefore: Date;
  notAfter: Date;
  spki: Uint8Array;
  extensions: asn.Extension[];
  issuerKey: KeyObject;
}

/** Builds and signs an X.509 v3 certificate (RFC 5280 §4.1); returns DER. */
export function buildCertificate(p: CertificateParams): Uint8Array {
  const alg = signatureAlgorithm(signingKeyType(p.issuerKey));
  const tbs = new asn.TBSCertificate({
    version: asn.Version.v3,
    serialNumber: p.serial.slice().buffer,
    signature: alg,
    issuer: p.issuer,
    validity: new asn.Validity({ notBefore: p.notBefore, notAfter: p.notAfter }),
    subject: p.subject,
    subjectPublicKeyInfo: AsnConvert.parse(p.spki, asn.SubjectPublicKeyInfo),
    extensions: new asn.Extensions(p.extensions),
  });
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  return assembleSigned(tbsDer, alg, signTbs(tbsDer, p.issuerKey));
}

export interface CrlEntry {
  serial: Uint8Array;
  revokedAt: Date;
}

/** Builds and signs an X.509 v2 CRL (RFC 5280 §5.1) with a cRLNumber (§5.2.3); returns DER. */
export function buildCrl(p: { issuer: asn.Name; thisUpdate: Date; nextUpdate: Date; entries: CrlEntry[]; number: number; issuerKey: KeyObject }): Uint8Array {
  const alg = signatureAlgorithm(signingKeyType(p.issuerKey));
  const tbs = new asn.TBSCertList({
    version: asn.Version.v2,
    signature: alg,
    issuer: p.issuer,
    thisUpdate: new asn.Time(p.thisUpdate),
    nextUpdate: new asn.Time(p.nextUpdate),
    revokedCertificates: p.entries.length
      ? p.entries.map((e) => new asn.RevokedCertificate({ userCertificate: e.serial.slice().buffer, revocationDate: new asn.Time(e.revokedAt) }))
      : undefined,
    crlExtensions: [extension(OID.cRLNumber, false, AsnConvert.serialize(new asn.CRLNumber(p.number)))],
  });
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  return assembleSigned(tbsDer, alg, signTbs(tbsDer, p.issuerKey));
}

/**
 * DER of SEQUENCE { tbs, signatureAlgorithm, BIT STRING (0 unused bits) signature }, the outer
 * structure of certificates (RFC 5280 §4.1) and CRLs (§5.1), assembled around the TBS bytes that
 * were signed, so they are serialised once.
 */
export function assembleSigned(tbsDer: Uint8Array, alg: asn.AlgorithmIdentifier, signature: Uint8Array): Uint8Array {
  const algDer = new Uint8Array(AsnConvert.serialize(alg));
  const sigDer = new Uint8Array(AsnConvert.serialize(new BitString(signature, 0)));
  const innerLength = tbsDer.length + algDer.length + sigDer.length;
  // DER definite length (X.690 §10.1): short form below 128, else minimal big-endian bytes.
  const lengthBytes: number[] = [];
  for (let l = innerLength; l > 0; l = Math.floor(l / 256)) lengthBytes.unshift(l % 256);
  const header = innerLength < 128 ? [0x30, innerLength] : [0x30, 0x80 | lengthBytes.length, ...lengthBytes];
  const out = new Uint8Array(header.length + innerLength);
  out.set(header, 0);
  out.set(tbsDer, header.length);
  out.set(algDer, header.length + tbsDer.length);
  out.set(sigDer, header.length + tbsDer.length + algDer.length);
  return out;
}

/**
 * True when `der` is exactly the DER `assembleSigned` makes from its parsed parts and nothing
 * more. The parser tolerates BER quirks (e.g. unused bits in the signature BIT STRING) and
 * trailing bytes outside the signed part; this makes such malleated copies fail instead.
 */
export function isCanonicalSigned(der: Uint8Array, tbsRaw: Uint8Array, alg: asn.AlgorithmIdentifier, signature: Uint8Array): boolean {
  const expected = assembleSigned(tbsRaw, alg, signature);
  return expected.length === der.length && Buffer.compare(Buffer.from(expected.buffer), Buffer.from(der.buffer, der.byteOffset, der.byteLength)) === 0;
}

/** A certificate serial as Passport.serial spells it: lower-case hex, no DER sign byte. */
export function serialHex(raw: ArrayBuffer | Uint8Array): string {
  let b = raw instanceof Uint8Array ? raw : new Uint8Array(raw);
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  return toHex(b);
}

/** The DER INTEGER content for a serial in hex (a sign byte is added when the top bit is set). */
export function serialBytes(hex: string): Uint8Array {
  if (!/^[0-9a-f]{1,40}$/.test(hex) || hex.length % 2 !== 0) throw IdentityErrors.X509_BAD_SERIAL(`bad serial ${JSON.stringify(hex)}`);
  const b = new Uint8Array(Buffer.from(hex, 'hex'));
  return b[0]! & 0x80 ? Uint8Array.of(0, ...b) : b;
}

/**
 * The public key of an SPKI (DER or parsed), and its tokumei key type (RSA bounds in
 * crypto/signing.ts). Ed25519 keys take the JWK fast path (~10× faster than SPKI import).
 */
export function publicKeyFromSpki(spki: Uint8Array | asn.SubjectPublicKeyInfo): { key: KeyObject; keyType: KeyType } {
  if (!(spki instanceof Uint8Array)) {
    const raw = new Uint8Array(spki.subjectPublicKey);
    if (spki.algorithm.algorithm === OID.ed25519 && spki.algorithm.parameters === undefined && raw.length === 32) {
      return { key: ed25519PublicKeyFromRaw(raw), keyType: 'ed25519' };
    }
    spki = new Uint8Array(AsnConvert.serialize(spki));
  }
  const key = createPublicKey({ key: Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength), format: 'der', type: 'spki' });
  return { key, keyType: signingKeyType(key) };
}

/** SPKI DER of a public key, or of the public half of a private key. */
export function spkiOf(key: KeyObject): Uint8Array {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return asU8(pub.export({ format: 'der', type: 'spki' }));
}

// ---- PEM (RFC 7468) -------------------------------------------------------------------------

export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

/**
 * DER from a PEM string with exactly one `label` block (RFC 7468 §2, strict base64), or the bytes
 * as given when DER is passed. Returns undefined when the text is not such a PEM.
 */
export function pemToDer(input: string | Uint8Array, label: string, maxBytes: number): Uint8Array | undefined {
  if (input instanceof Uint8Array) return input.length <= maxBytes ? input : undefined;
  if (typeof input !== 'string' || input.length > maxBytes * 2) return undefined;
  const m = /^\s*-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END ([A-Z0-9 ]+)-----\s*$/.exec(input);
  if (!m || m[1] !== label || m[3] !== label) return undefined;
  const b64 = m[2]!.replace(/\r?\n/g, '');
  if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return undefined;
  const der = new Uint8Array(Buffer.from(b64, 'base64'));
  return der.length > 0 && der.length <= maxBytes ? der : undefined;
}

/**
 * Passports (DESIGN §4): the X.509 v3 certificate the community CA issues to one member.
 *
 * Profile: subject `CN=tokumei member <serialhex>`; basicConstraints CA:false (critical); keyUsage
 * digitalSignature (critical); extKeyUsage serverAuth+clientAuth (a link is TLS in both roles);
 * the member's X25519 onion key in the non-critical ONION_KEY_OID extension, whose extnValue is
 * the DER of an OCTET STRING of 32 bytes. The member key has the CA's key type.
 *
 * `verifyPassport` is what links and descriptors call on every peer passport. It never throws
 * anything but a TokumeiError('refused', LINK_*) however hostile the bytes.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { LinkRefusal, TokumeiError, type LinkRefusalCode } from '../errors.js';
import { checkBytes, constantTimeEqual, toHex, utf8 } from '../crypto/bytes.js';
import { sha256 } from '../crypto/hash.js';
import type { RandomSource } from '../crypto/random.js';
import { X25519_KEY_LENGTH, x25519PublicKeyFromRaw } from '../crypto/x25519.js';
import { signingKeyType } from '../crypto/signing.js';
import type { CommunityCa } from './ca.js';
import { randomSerial } from './serial.js';
import { trustAnchor } from './trust-anchor.js';
import { ONION_KEY_OID, type KeyType, type Passport, type RevocationList } from './types.js';
import * as asn from '@peculiar/asn1-x509';
import { buildCertificate, CERT_PARSE_LIMITS, commonNameOf, extension, isCanonicalSigned, OID, parsedOidString, pemToDer, publicKeyFromSpki, serialHex, spkiOf, toPem, verifyTbs, x509Time } from './x509.js';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { IdentityErrors } from './identity-errors.js';

export const PASSPORT_VALIDITY_DAYS = 365;
/** A passport is ~0.5 KB (Ed25519) or ~1.3 KB (RSA-3072); anything far larger is hostile. */
export const PASSPORT_MAX_BYTES = 16 * 1024;
const DAY_MS = 86_400_000;
const ONION_OID_PARSED = parsedOidString(ONION_KEY_OID);

export interface IssuePassportOptions {
  /** The member's long-term signing public key (same key type as the CA). */
  signingPublicKey: KeyObject;
  /** The member's X25519 onion public key, 32 bytes. */
  onionPublicKey: Uint8Array;
  random?: RandomSource;
  /** ms since the epoch; default notBefore (default: Date.now()). */
  now?: number;
  notBefore?: Date | number;
  /** Default: notBefore + 365 days. */
  notAfter?: Date | number;
}

/** Issues a passport; the result is what `parsePassport` would return for it. */
export function issuePassport(ca: CommunityCa, options: IssuePassportOptions): Passport {
  checkBytes('onionPublicKey', options.onionPublicKey, X25519_KEY_LENGTH);
  const keyType = signingKeyType(options.signingPublicKey);
  if (keyType !== ca.keyType) throw IdentityErrors.PASSPORT_KEY_TYPE(`member key is ${keyType}, the CA issues ${ca.keyType}`);
  const notBefore = x509Time(options.notBefore ?? options.now ?? Date.now(), 'notBefore');
  const notAfter = x509Time(options.notAfter ?? notBefore.getTime() + PASSPORT_VALIDITY_DAYS * DAY_MS, 'notAfter');
  if (notAfter.getTime() <= notBefore.getTime()) throw IdentityErrors.PASSPORT_BAD_VALIDITY('notAfter must be later than notBefore');
  const serialRaw = randomSerial(options.random);
  const serial = serialHex(serialRaw);
  const der = buildCertificate({
    serial: serialRaw,
    issuer: ca.subject,
    subject: commonNameOf(`tokumei member ${serial}`),
    notBefore,
    notAfter,
    spki: spkiOf(options.signingPublicKey),
    extensions: [
      extension(OID.basicConstraints, true, AsnConvert.serialize(new asn.BasicConstraints({ cA: false }))),
      extension(OID.keyUsage, true, AsnConvert.serialize(new asn.KeyUsage(asn.KeyUsageFlags.digitalSignature))),
      extension(OID.extKeyUsage, false, AsnConvert.serialize(new asn.ExtendedKeyUsage([OID.serverAuth, OID.clientAuth]))),
      extension(ONION_KEY_OID, false, AsnConvert.serialize(new OctetString(options.onionPublicKey))),
    ],
    issuerKey: ca.privateKey,
  });
  const signingKey = options.signingPublicKey.type === 'private' ? createPublicKey(options.signingPublicKey) : options.signingPublicKey;
  return { der, pem: toPem('CERTIFICATE', der), serial, notBefore, notAfter, onionKey: options.onionPublicKey.slice(), signingKey, keyType };
}

function refuse(code: LinkRefusalCode, message: string, cause?: unknown): never {
  throw new TokumeiError('refused', code, message, { cause });
}

interface Decoded {
  cert: asn.Certificate;
  der: Uint8Array;
  tbsDer: Uint8Array;
  issuerDer: Uint8Array;
  serial: string;
  signingKey: KeyObject;
  keyType: KeyType;
}

/** Structure only: DER, v3, consistent signature algorithm, a supported key. */
function decode(input: string | Uint8Array): Decoded {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) refuse(LinkRefusal.BAD_PASSPORT, 'passport must be DER bytes or PEM');
  const raw = pemToDer(input, 'CERTIFICATE', PASSPORT_MAX_BYTES);
  if (!raw) refuse(LinkRefusal.BAD_PASSPORT, 'passport is not a certificate of sane size');
  const der = raw.slice();
  let cert: asn.Certificate;
  try {
    cert = AsnConvert.parse(der, asn.Certificate, CERT_PARSE_LIMITS);
  } catch (e) {
    return refuse(LinkRefusal.BAD_PASSPORT, 'passport is not valid DER', e);
  }
  try {
    const tbs = cert.tbsCertificate;
    if (tbs.version !== asn.Version.v3 || !cert.tbsCertificateRaw) refuse(LinkRefusal.BAD_PASSPORT, 'passport is not an X.509 v3 certificate');
    // RFC 5280 §4.1.1.2: the outer and inner signature algorithms must be the same.
    const outer = new Uint8Array(AsnConvert.serialize(cert.signatureAlgorithm));
    const inner = new Uint8Array(AsnConvert.serialize(tbs.signature));
    if (!constantTimeEqual(outer, inner)) refuse(LinkRefusal.BAD_PASSPORT, 'passport signature algorithms disagree');
    if (!isCanonicalSigned(der, new Uint8Array(cert.tbsCertificateRaw), cert.signatureAlgorithm, new Uint8Array(cert.signatureValue))) {
      refuse(LinkRefusal.BAD_PASSPORT, 'passport is not canonical DER');
    }
    const serialRaw = new Uint8Array(tbs.serialNumber);
    if (serialRaw.length < 1 || serialRaw.length > 21 || serialRaw[0]! & 0x80) refuse(LinkRefusal.BAD_PASSPORT, 'passport serial is not a positive integer of at most 20 octets');
    const { key, keyType } = publicKeyFromSpki(tbs.subjectPublicKeyInfo);
    return {
      cert,
      der,
      tbsDer: new Uint8Array(cert.tbsCertificateRaw),
      issuerDer: new Uint8Array(AsnConvert.serialize(tbs.issuer)),
      serial: serialHex(serialRaw),
      signingKey: key,
      keyType,
    };
  } catch (e) {
    if (e instanceof TokumeiError && e.kind === 'refused') throw e;
    return refuse(LinkRefusal.BAD_PASSPORT, `malformed passport: ${(e as Error)?.message ?? String(e)}`, e);
  }
}

/** The passport profile (see the file comment); returns the onion key. */
function checkProfile(d: Decoded): Uint8Array {
  const exts = d.cert.tbsCertificate.extensions ?? [];
  const seen = new Set<string>();
  let onionKey: Uint8Array | undefined;
  let keyUsage: number | undefined;
  let ekus: string[] | undefined;
  try {
    for (const e of exts) {
      if (seen.has(e.extnID)) refuse(LinkRefusal.BAD_PASSPORT, `duplicate extension ${e.extnID}`); // RFC 5280 §4.2
      seen.add(e.extnID);
      const value = new Uint8Array(e.extnValue.buffer);
      if (e.extnID === OID.basicConstraints) {
        if (AsnConvert.parse(value, asn.BasicConstraints).cA) refuse(LinkRefusal.BAD_PASSPORT, 'passport claims to be a CA (basicConstraints CA:true)');
      } else if (e.extnID === OID.keyUsage) {
        keyUsage = AsnConvert.parse(value, asn.KeyUsage).toNumber();
      } else if (e.extnID === OID.extKeyUsage) {
        ekus = [...AsnConvert.parse(value, asn.ExtendedKeyUsage)];
      } else if (e.extnID === ONION_OID_PARSED) {
        // extnValue = the DER of an OCTET STRING holding the 32-byte X25519 key, and nothing else.
        const key = new Uint8Array(AsnConvert.parse(value, OctetString).buffer);
        if (key.length !== X25519_KEY_LENGTH || !constantTimeEqual(new Uint8Array(AsnConvert.serialize(new OctetString(key))), value)) {
          refuse(LinkRefusal.BAD_PASSPORT, 'passport onion key is not a 32-byte OCTET STRING');
        }
        onionKey = key;
        x25519PublicKeyFromRaw(onionKey);
      } else if (e.critical) {
        refuse(LinkRefusal.BAD_PASSPORT, `passport has an unknown critical extension ${e.extnID}`); // RFC 5280 §4.2
      }
    }
  } catch (e) {
    if (e instanceof TokumeiError && e.kind === 'refused') throw e;
    return refuse(LinkRefusal.BAD_PASSPORT, 'passport has a malformed extension', e);
  }
  if (!onionKey) refuse(LinkRefusal.BAD_PASSPORT, 'passport carries no onion key');
  if (keyUsage === undefined || !(keyUsage & asn.KeyUsageFlags.digitalSignature)) refuse(LinkRefusal.BAD_PASSPORT, 'passport lacks keyUsage digitalSignature');
  if (keyUsage & (asn.KeyUsageFlags.keyCertSign | asn.KeyUsageFlags.cRLSign)) refuse(LinkRefusal.BAD_PASSPORT, 'passport may sign certificates');
  if (!ekus || !ekus.includes(OID.serverAuth) || !ekus.includes(OID.clientAuth)) refuse(LinkRefusal.BAD_PASSPORT, 'passport lacks extKeyUsage serverAuth+clientAuth');
  return onionKey;
}

function toPassport(d: Decoded, onionKey: Uint8Array): Passport {
  const v = d.cert.tbsCertificate.validity;
  return {
    der: d.der,
    pem: toPem('CERTIFICATE', d.der),
    serial: d.serial,
    notBefore: v.notBefore.getTime(),
    notAfter: v.notAfter.getTime(),
    onionKey,
    signingKey: d.signingKey,
    keyType: d.keyType,
  };
}

/** Parses a passport and checks its profile, trusting no CA: BAD_PASSPORT when malformed. */
export function parsePassport(input: string | Uint8Array): Passport {
  const d = decode(input);
  return toPassport(d, checkProfile(d));
}

function checkIssuer(d: Decoded, ca: string | Uint8Array): void {
  let anchor;
  try {
    anchor = trustAnchor(ca);
  } catch (e) {
    // Our own configuration is broken, not the peer: say so, but still as a refusal.
    return refuse(LinkRefusal.OTHER_CA, `cannot use the community CA certificate: ${(e as Error).message}`, e);
  }
  const sig = new Uint8Array(d.cert.signatureValue);
  if (!constantTimeEqual(d.issuerDer, anchor.subjectDer) || !verifyTbs(d.tbsDer, d.cert.signatureAlgorithm, sig, anchor.publicKey, anchor.keyType)) {
    refuse(LinkRefusal.OTHER_CA, 'passport was not issued by this community CA');
  }
}

/**
 * BOUNDED(8192) cache of passports already found well-formed and issued by a CA, keyed by the CA
 * and the passport's SHA-256: a node sees the same peers' passports again and again (links,
 * descriptors), and a first check costs ~0.6 ms of parsing where a hit costs microseconds.
 * Dates and revocation are checked on every call. (8,192 × ~2 KiB: the simulator runs thousands of
 * nodes in one process, and they share it.)
 */
const VERIFIED_LIMIT = 8192;
const verified = new Map<string, Passport>();

function cacheKey(input: string | Uint8Array, ca: string | Uint8Array): string | undefined {
  const der = typeof input === 'string' || input instanceof Uint8Array ? pemToDer(input, 'CERTIFICATE', PASSPORT_MAX_BYTES) : undefined;
  if (!der) return undefined;
  const caKey = typeof ca === 'string' ? sha256(utf8(ca)) : ca instanceof Uint8Array ? sha256(ca) : undefined;
  return caKey ? toHex(caKey) + toHex(sha256(der)) : undefined;
}

/**
 * Parses a passport and checks that this community's CA issued it, and its profile, but neither
 * its dates nor revocation: what a node checks about its own passport when it loads it.
 */
export function verifyPassportIssuer(input: string | Uint8Array, ca: string | Uint8Array): Passport {
  const key = cacheKey(input, ca);
  const hit = key === undefined ? undefined : verified.get(key);
  if (hit) {
    verified.delete(key!);
    verified.set(key!, hit); // LRU: most recent last
    return hit;
  }
  const d = decode(input);
  checkIssuer(d, ca);
  const passport = toPassport(d, checkProfile(d));
  if (key !== undefined) {
    if (verified.size >= VERIFIED_LIMIT) verified.delete(verified.keys().next().value!);
    verified.set(key, passport);
  }
  return passport;
}

export interface VerifyPassportOptions {
  /** The community CA certificate (PEM or DER), the only trust anchor. */
  ca: string | Uint8Array;
  crl?: RevocationList | undefined;
  /** ms since the epoch. */
  now: number;
}

/**
 * Full check of a peer's passport, in this order: well-formed (BAD_PASSPORT), issued by the CA
 * (OTHER_CA), profile (BAD_PASSPORT), NOT_YET_VALID / EXPIRED (RFC 5280 §4.1.2.5, inclusive
 * bounds), REVOKED.
 */
export function verifyPassport(input: string | Uint8Array, options: VerifyPassportOptions): Passport {
  if (typeof options !== 'object' || options === null || typeof options.now !== 'number' || !Number.isFinite(options.now)) {
    throw IdentityErrors.PASSPORT_VERIFY_ARGS('verifyPassport needs { ca, now }');
  }
  const passport = verifyPassportIssuer(input, options.ca);
  if (options.now < passport.notBefore.getTime()) refuse(LinkRefusal.NOT_YET_VALID, `passport ${passport.serial} is not valid before ${passport.notBefore.toISOString()}`);
  if (options.now > passport.notAfter.getTime()) refuse(LinkRefusal.EXPIRED, `passport ${passport.serial} expired at ${passport.notAfter.toISOString()}`);
  if (options.crl?.revoked.has(passport.serial)) refuse(LinkRefusal.REVOKED, `passport ${passport.serial} is revoked (CRL #${options.crl.number})`);
  return passport;
}

/**
 * The community CA (DESIGN §4): one self-signed X.509 v3 certificate, `CN=tokumei community CA`,
 * basicConstraints CA:true (critical), keyUsage keyCertSign+cRLSign (critical), valid ten years.
 * Ed25519 by default; RSA-3072 accepted, as the original design used RSA.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';

import { constantTimeEqual } from '../crypto/bytes.js';
import type { RandomSource } from '../crypto/random.js';
import { generateSigningKeyPair, signingKeyType } from '../crypto/signing.js';
import { randomSerial } from './serial.js';
import { trustAnchor } from './trust-anchor.js';
import type { KeyType } from './types.js';
import * as asn from '@peculiar/asn1-x509';
import { buildCertificate, commonNameOf, extension, OID, spkiOf, toPem, x509Time } from './x509.js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { IdentityErrors } from './identity-errors.js';

export const CA_COMMON_NAME = 'tokumei community CA';
export const CA_VALIDITY_DAYS = 3650;
const DAY_MS = 86_400_000;

/** A CA able to sign: its certificate and private key. */
export interface CommunityCa {
  readonly keyType: KeyType;
  readonly der: Uint8Array;
  readonly pem: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The CA's subject Name, the issuer of every passport and CRL. */
  readonly subject: asn.Name;
}

export interface CreateCaOptions {
  keyType?: KeyType;
  /** Randomness for the serial (and the Ed25519 key), for reproducible simulations. */
  random?: RandomSource;
  /** Start of validity, ms since the epoch (default: now). */
  now?: number;
}

export function createCa(options: CreateCaOptions = {}): CommunityCa {
  const keyType = options.keyType ?? 'ed25519';
  if (keyType !== 'ed25519' && keyType !== 'rsa') throw IdentityErrors.CA_BAD_KEY_TYPE(`unknown key type ${String(keyType)}`);
  const { privateKey, publicKey } = generateSigningKeyPair(keyType, options.random);
  const now = options.now ?? Date.now();
  const name = commonNameOf(CA_COMMON_NAME);
  const der = buildCertificate({
    serial: randomSerial(options.random),
    issuer: name,
    subject: name,
    notBefore: x509Time(now, 'notBefore'),
    notAfter: x509Time(now + CA_VALIDITY_DAYS * DAY_MS, 'notAfter'),
    spki: spkiOf(publicKey),
    extensions: [
      extension(OID.basicConstraints, true, AsnConvert.serialize(new asn.BasicConstraints({ cA: true }))),
      extension(OID.keyUsage, true, AsnConvert.serialize(new asn.KeyUsage(asn.KeyUsageFlags.keyCertSign | asn.KeyUsageFlags.cRLSign))),
    ],
    issuerKey: privateKey,
  });
  return { keyType, der, pem: toPem('CERTIFICATE', der), privateKey, publicKey, subject: name };
}

/** A signing CA from its certificate and private key (e.g. unlocked from ca-key.json). */
export function caFromKey(caCert: string | Uint8Array, privateKey: KeyObject): CommunityCa {
  const anchor = trustAnchor(caCert);
  if (signingKeyType(privateKey) !== anchor.keyType || !constantTimeEqual(spkiOf(privateKey), spkiOf(anchor.publicKey))) {
    throw IdentityErrors.CA_KEY_MISMATCH('the CA private key does not match ca.pem');
  }
  return { keyType: anchor.keyType, der: anchor.der, pem: anchor.pem, privateKey, publicKey: createPublicKey(privateKey), subject: anchor.subject };
}

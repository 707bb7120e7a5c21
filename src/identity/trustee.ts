/**
 * Trustees (DESIGN §4): the n people a community names to hold escrow shares, k of whom can open
 * one anonymous ID. Each has an X25519 key pair that escrow shares are sealed to (HPKE) and an
 * Ed25519 key pair to sign approvals and audit records with (later).
 */
import type { KeyObject } from 'node:crypto';

import { fromHex, toHex } from '../crypto/bytes.js';
import { generateHpkeKeyPair } from '../crypto/hpke.js';
import type { RandomSource } from '../crypto/random.js';
import { ed25519PrivateKeyFromSeed, ed25519PublicKeyFromRaw, ed25519RawPublicKey, generateSigningKeyPair } from '../crypto/signing.js';
import { x25519PrivateKeyFromRaw, x25519RawPublicKey } from '../crypto/x25519.js';
import type { KeystoreSecrets } from './keystore.js';
import { IdentityErrors } from './identity-errors.js';

export const TRUSTEE_MAX = 255;

/** What everyone may know about trustee `index` (1-based: it is also the Shamir x-coordinate). */
export interface TrusteePublic {
  readonly index: number;
  /** X25519 public key, hex (HPKE recipient key, RFC 9180 §7.1.1). */
  readonly hpkePublicKey: string;
  /** Ed25519 public key, hex (RFC 8032 §5.1.5). */
  readonly signingPublicKey: string;
}

/** What only the trustee holds. */
export interface TrusteeKeys {
  readonly index: number;
  readonly hpkePrivateKey: Uint8Array;
  readonly hpkePublicKey: Uint8Array;
  readonly signingPrivateKey: KeyObject;
  readonly signingPublicKey: Uint8Array;
}

function checkIndex(index: number): number {
  if (!Number.isInteger(index) || index < 1 || index > TRUSTEE_MAX) throw IdentityErrors.TRUSTEE_BAD_INDEX(`trustee index must be 1..${TRUSTEE_MAX}`);
  return index;
}

export function generateTrustee(index: number, random?: RandomSource): TrusteeKeys {
  checkIndex(index);
  const hpke = generateHpkeKeyPair(random);
  const sig = generateSigningKeyPair('ed25519', random);
  return { index, hpkePrivateKey: hpke.privateKey, hpkePublicKey: hpke.publicKey, signingPrivateKey: sig.privateKey, signingPublicKey: ed25519RawPublicKey(sig.publicKey) };
}

export function trusteePublic(keys: TrusteeKeys): TrusteePublic {
  return { index: keys.index, hpkePublicKey: toHex(keys.hpkePublicKey), signingPublicKey: toHex(keys.signingPublicKey) };
}

/** Validates an untrusted TrusteePublic (from community.json or trustee.json). */
export function parseTrusteePublic(value: unknown): TrusteePublic {
  const o = value as Record<string, unknown>;
  try {
    if (typeof o !== 'object' || o === null) throw new Error('not an object');
    const index = checkIndex(o.index as number);
    if (typeof o.hpkePublicKey !== 'string' || typeof o.signingPublicKey !== 'string') throw new Error('missing keys');
    fromHex(o.hpkePublicKey, 32);
    ed25519PublicKeyFromRaw(fromHex(o.signingPublicKey, 32));
    return { index, hpkePublicKey: o.hpkePublicKey.toLowerCase(), signingPublicKey: o.signingPublicKey.toLowerCase() };
  } catch (e) {
    throw IdentityErrors.TRUSTEE_MALFORMED(`bad trustee public record: ${(e as Error).message}`, { cause: e });
  }
}

/** The trustee's secrets as keystore strings (kind "trustee"). */
export function trusteeSecrets(keys: TrusteeKeys): KeystoreSecrets {
  const seed = keys.signingPrivateKey.export({ format: 'jwk' }).d;
  return { index: String(keys.index), hpkePrivateKey: toHex(keys.hpkePrivateKey), signingSeed: Buffer.from(seed ?? '', 'base64url').toString('hex') };
}

export function trusteeFromSecrets(s: KeystoreSecrets): TrusteeKeys {
  try {
    const index = checkIndex(Number(s.index));
    const hpkePrivateKey = fromHex(s.hpkePrivateKey ?? '', 32);
    const signingPrivateKey = ed25519PrivateKeyFromSeed(fromHex(s.signingSeed ?? '', 32));
    return {
      index,
      hpkePrivateKey,
      hpkePublicKey: x25519RawPublicKey(x25519PrivateKeyFromRaw(hpkePrivateKey)),
      signingPrivateKey,
      signingPublicKey: ed25519RawPublicKey(signingPrivateKey),
    };
  } catch (e) {
    throw IdentityErrors.KEYSTORE_MALFORMED(`trustee keystore holds malformed keys: ${(e as Error).message}`, { cause: e });
  }
}

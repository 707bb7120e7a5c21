/**
 * Signatures with a member's (or the CA's, or a trustee's) long-term key.
 *
 * - Ed25519: pure EdDSA (RFC 8032 §5.1), deterministic.
 * - RSA (3072-bit keys): RSASSA-PSS (RFC 8017 §8.1) with SHA-256, MGF1-SHA-256 and a 32-byte salt,
 *   the parameters TLS 1.3 uses (RFC 8446 §4.2.3 rsa_pss_rsae_sha256). Chosen over PKCS#1 v1.5
 *   for its security proof. (Certificates and CRLs, which OpenSSL checks, use the X.509 convention
 *   sha256WithRSAEncryption instead: see identity/x509.ts.)
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, constants, sign, verify } from 'node:crypto';
import { asU8, badArgument, checkBytes } from './bytes.js';
import { randomBytesFrom, type RandomSource } from './random.js';

export const RSA_MODULUS_BITS = 3072;
/** Larger moduli are refused: a hostile key must not make one verification cost seconds. */
export const RSA_MAX_MODULUS_BITS = 8192;
export const RSA_MIN_MODULUS_BITS = 2048;
export const ED25519_SIGNATURE_LENGTH = 64;
const PSS_SALT_LENGTH = 32;

/** The signing key types a passport may carry (identity/types.ts KeyType is the same union). */
export type SigningKeyType = 'ed25519' | 'rsa';

export interface SigningKeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly keyType: SigningKeyType;
}

/** The key type of a signing key, or a bad-input error for anything else (or RSA of odd size). */
export function signingKeyType(key: KeyObject): SigningKeyType {
  if (!(key instanceof KeyObject) || key.type === 'secret') badArgument('signing key must be an asymmetric KeyObject');
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < RSA_MIN_MODULUS_BITS || bits > RSA_MAX_MODULUS_BITS) badArgument(`RSA modulus of ${bits} bits is out of bounds`);
    return 'rsa';
  }
  return badArgument(`unsupported signing key type ${String(key.asymmetricKeyType)}`);
}

/**
 * A fresh signing key pair. Ed25519 keys come from `random` when given (RFC 8032 §5.1.5: the
 * private key is 32 random bytes), so simulations are reproducible; RSA keys always from OpenSSL.
 */
export function generateSigningKeyPair(keyType: SigningKeyType, random?: RandomSource): SigningKeyPair {
  if (keyType === 'ed25519') {
    if (random) {
      const seed = randomBytesFrom(random, 32);
      const privateKey = ed25519PrivateKeyFromSeed(seed);
      seed.fill(0);
      return { privateKey, publicKey: createPublicKey(privateKey), keyType };
    }
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    return { privateKey, publicKey, keyType };
  }
  if (keyType === 'rsa') {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: RSA_MODULUS_BITS, publicExponent: 0x10001 });
    return { privateKey, publicKey, keyType };
  }
  return badArgument(`unknown key type ${String(keyType)}`);
}

/** An Ed25519 private key from its 32-byte seed (RFC 8032 §5.1.5). See x25519.ts for the JWK `x`. */
export function ed25519PrivateKeyFromSeed(seed: Uint8Array): KeyObject {
  checkBytes('Ed25519 seed', seed, 32);
  const d = Buffer.from(seed.buffer, seed.byteOffset, seed.byteLength).toString('base64url');
  return createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d, x: '' }, format: 'jwk' });
}

/** The raw 32-byte Ed25519 public key (RFC 8032 §5.1.5), e.g. for a trustee's published key. */
export function ed25519RawPublicKey(key: KeyObject): Uint8Array {
  if (!(key instanceof KeyObject) || key.asymmetricKeyType !== 'ed25519') badArgument('key must be an Ed25519 KeyObject');
  const x = key.export({ format: 'jwk' }).x;
  if (typeof x !== 'string') badArgument('Ed25519 key export failed');
  return asU8(Buffer.from(x, 'base64url'));
}

export function ed25519PublicKeyFromRaw(raw: Uint8Array): KeyObject {
  checkBytes('Ed25519 public key', raw, 32);
  const x = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
}

function pssOptions(key: KeyObject) {
  return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT_LENGTH };
}

export function signBytes(privateKey: KeyObject, message: Uint8Array): Uint8Array {
  checkBytes('message', message);
  if (!(privateKey instanceof KeyObject) || privateKey.type !== 'private') badArgument('signing needs a private KeyObject');
  const type = signingKeyType(privateKey);
  return asU8(type === 'ed25519' ? sign(null, message, privateKey) : sign('sha256', message, pssOptions(privateKey)));
}

/** True when `signature` is valid; false for any wrong, malformed or wrong-length signature. */
export function verifyBytes(publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  checkBytes('message', message);
  checkBytes('signature', signature);
  const type = signingKeyType(publicKey);
  if (type === 'ed25519' && signature.length !== ED25519_SIGNATURE_LENGTH) return false;
  try {
    return type === 'ed25519' ? verify(null, message, publicKey, signature) : verify('sha256', message, pssOptions(publicKey), signature);
  } catch {
    return false;
  }
}

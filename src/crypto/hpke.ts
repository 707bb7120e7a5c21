/**
 * HPKE (RFC 9180) base mode, single-shot seal/open, over @hpke/core:
 * DHKEM(X25519, HKDF-SHA256) (KEM 0x0020) · HKDF-SHA256 (KDF 0x0001) · AES-256-GCM (AEAD 0x0002).
 * Keys are raw 32-byte X25519 keys (RFC 9180 §7.1.1 SerializePublicKey/DeserializePrivateKey).
 * Used for escrow shares sealed to trustees and, later, the bulletin board's key scheme (DESIGN §7).
 */
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';

import { badArgument, checkBytes } from './bytes.js';
import type { RandomSource } from './random.js';
import { generateX25519, x25519RawPrivateKey, X25519_KEY_LENGTH } from './x25519.js';
import { CryptoErrors } from './crypto-errors.js';

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });

/** RFC 9180 §4: Nenc for DHKEM(X25519) is 32; the AES-GCM tag adds 16 bytes. */
export const HPKE_ENC_LENGTH = 32;
export const HPKE_OVERHEAD = 16;

export interface HpkeSealed {
  /** The encapsulated ephemeral public key (RFC 9180 §5.1.1 `enc`). */
  readonly enc: Uint8Array;
  readonly ciphertext: Uint8Array;
}

export interface HpkeContext {
  /** Application-supplied context bound into the key schedule (RFC 9180 §5.1). */
  readonly info?: Uint8Array;
  /** Additional authenticated data for the single AEAD call (RFC 9180 §6.1). */
  readonly aad?: Uint8Array;
}

export interface HpkeKeyPair {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** A recipient key pair (raw X25519), from `random` when given. */
export function generateHpkeKeyPair(random?: RandomSource): HpkeKeyPair {
  const kp = generateX25519(random);
  return { privateKey: x25519RawPrivateKey(kp.privateKey), publicKey: kp.publicRaw };
}

/** RFC 9180 §6.1 SealBase(pkR, info, aad, pt). */
export async function hpkeSeal(recipientPublicKey: Uint8Array, plaintext: Uint8Array, context: HpkeContext = {}): Promise<HpkeSealed> {
  checkBytes('recipientPublicKey', recipientPublicKey, X25519_KEY_LENGTH);
  checkBytes('plaintext', plaintext);
  const info = checkBytes('info', context.info ?? new Uint8Array(0));
  const aad = checkBytes('aad', context.aad ?? new Uint8Array(0));
  let pk: CryptoKey;
  try {
    pk = await suite.kem.deserializePublicKey(recipientPublicKey);
  } catch (e) {
    return badArgument(`bad HPKE recipient key: ${(e as Error).message}`);
  }
  try {
    const { enc, ct } = await suite.seal({ recipientPublicKey: pk, info }, plaintext, aad);
    return { enc: new Uint8Array(enc), ciphertext: new Uint8Array(ct) };
  } catch (e) {
    // A small-order recipient key makes the DH output zero (RFC 9180 §7.1.4).
    throw CryptoErrors.HPKE_SEAL_FAILED(`HPKE seal failed: ${(e as Error).message}`, { cause: e });
  }
}

/** RFC 9180 §6.1 OpenBase(enc, skR, info, aad, ct). Any failure is HPKE_OPEN_FAILED. */
export async function hpkeOpen(recipientPrivateKey: Uint8Array, sealed: HpkeSealed, context: HpkeContext = {}): Promise<Uint8Array> {
  checkBytes('recipientPrivateKey', recipientPrivateKey, X25519_KEY_LENGTH);
  if (typeof sealed !== 'object' || sealed === null) badArgument('sealed must be { enc, ciphertext }');
  checkBytes('enc', sealed.enc, HPKE_ENC_LENGTH);
  checkBytes('ciphertext', sealed.ciphertext);
  const info = checkBytes('info', context.info ?? new Uint8Array(0));
  const aad = checkBytes('aad', context.aad ?? new Uint8Array(0));
  if (sealed.ciphertext.length < HPKE_OVERHEAD) throw CryptoErrors.HPKE_OPEN_FAILED('HPKE ciphertext shorter than its tag');
  try {
    const sk = await suite.kem.deserializePrivateKey(recipientPrivateKey);
    const pt = await suite.open({ recipientKey: sk, enc: sealed.enc, info }, sealed.ciphertext, aad);
    return new Uint8Array(pt);
  } catch (e) {
    throw CryptoErrors.HPKE_OPEN_FAILED('HPKE open failed (wrong key, context or tampered ciphertext)', { cause: e });
  }
}

/**
 * Everything a new member gets at issuance, in memory: a signing key of the CA's key type, an
 * X25519 onion key, a passport binding both, and an anonymity key k_m (escrowed separately:
 * escrow.ts). Shared by the on-disk passport office (ca-store.ts) and the in-memory community.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';

import { fromHex, toHex } from '../crypto/bytes.js';
import type { RandomSource } from '../crypto/random.js';
import { randomScalar, decodeScalar } from '../crypto/ristretto.js';
import { generateSigningKeyPair, signingKeyType } from '../crypto/signing.js';
import { generateX25519, x25519PrivateKeyFromRaw, x25519RawPrivateKey } from '../crypto/x25519.js';
import type { CommunityCa } from './ca.js';
import type { KeystoreSecrets } from './keystore.js';
import { issuePassport } from './passport.js';
import type { NodeIdentity } from './types.js';
import { IdentityErrors } from './identity-errors.js';

export interface IssueMemberIdentityOptions {
  random?: RandomSource;
  /** ms since the epoch; the default notBefore. */
  now?: number;
  notBefore?: Date | number;
  notAfter?: Date | number;
  /**
   * TEST AID ONLY: the identity gets an onion private key that does NOT match the passport, so
   * tests can check that the link challenge refuses such a node. Never use it otherwise.
   */
  wrongOnionKey?: boolean;
}

export function issueMemberIdentity(ca: CommunityCa, o: IssueMemberIdentityOptions = {}): NodeIdentity {
  const signing = generateSigningKeyPair(ca.keyType, o.random);
  const onion = generateX25519(o.random);
  const passport = issuePassport(ca, {
    signingPublicKey: signing.publicKey,
    onionPublicKey: onion.publicRaw,
    random: o.random,
    now: o.now,
    notBefore: o.notBefore,
    notAfter: o.notAfter,
  });
  const onionPrivateKey = o.wrongOnionKey ? generateX25519(o.random).privateKey : onion.privateKey;
  return {
    passport,
    caPem: ca.pem,
    signingKeyPem: signing.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    signingPrivateKey: signing.privateKey,
    onionPrivateKey,
    anonymityKey: randomScalar(o.random),
  };
}

/** The member keystore's secrets (kind "member"). */
export function memberSecrets(identity: Pick<NodeIdentity, 'signingKeyPem' | 'onionPrivateKey' | 'anonymityKey'>): KeystoreSecrets {
  return {
    signingKey: identity.signingKeyPem,
    onionKey: toHex(x25519RawPrivateKey(identity.onionPrivateKey)),
    anonymityKey: toHex(identity.anonymityKey),
  };
}

export interface MemberKeys {
  signingKeyPem: string;
  signingPrivateKey: KeyObject;
  onionPrivateKey: KeyObject;
  anonymityKey: Uint8Array;
}

export function memberKeysFromSecrets(s: KeystoreSecrets): MemberKeys {
  try {
    const signingKeyPem = s.signingKey ?? '';
    const signingPrivateKey = createPrivateKey({ key: signingKeyPem, format: 'pem' });
    signingKeyType(signingPrivateKey);
    const onionPrivateKey = x25519PrivateKeyFromRaw(fromHex(s.onionKey ?? '', 32));
    const anonymityKey = fromHex(s.anonymityKey ?? '', 32);
    decodeScalar(anonymityKey);
    return { signingKeyPem, signingPrivateKey, onionPrivateKey, anonymityKey };
  } catch (e) {
    throw IdentityErrors.KEYSTORE_MALFORMED(`member keystore holds malformed keys: ${(e as Error).message}`, { cause: e });
  }
}

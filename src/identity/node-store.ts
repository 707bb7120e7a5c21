/**
 * A node's directory (NODEDIR), written by `issueMember` and read by `tokumei node`:
 *
 *   passport.pem   the member's passport (PEM CERTIFICATE)
 *   ca.pem         the community CA certificate, the only trust anchor
 *   crl.pem        the newest CRL this node knows (PEM X509 CRL); crl-store.ts keeps it
 *   keystore.json  keystore kind "member": signingKey (PKCS#8 PEM), onionKey (X25519 private,
 *                  hex), anonymityKey (ristretto255 scalar, hex) — see keystore.ts
 */
import { join } from 'node:path';

import { constantTimeEqual } from '../crypto/bytes.js';
import { openKeystore, sealKeystore, type KeystoreOptions } from './keystore.js';
import { createDirAtomic } from '../files/atomic-write.js';
import { readTextFile } from '../files/bounded-read.js';
import { memberKeysFromSecrets, memberSecrets } from './member.js';
import { verifyPassportIssuer } from './passport.js';
import { trustAnchor } from './trust-anchor.js';
import type { NodeIdentity } from './types.js';
import { spkiOf } from './x509.js';
import { IdentityErrors } from './identity-errors.js';

export const NODE_FILES = { passport: 'passport.pem', ca: 'ca.pem', crl: 'crl.pem', keystore: 'keystore.json' } as const;
const MAX_PEM = 64 * 1024;

/** Creates a NODEDIR atomically; refuses (NODE_DIR_EXISTS) when `dir` exists with content. */
export async function writeNodeDir(dir: string, identity: NodeIdentity, crlPem: string, passphrase: string, options: KeystoreOptions = {}): Promise<void> {
  const keystore = await sealKeystore('member', memberSecrets(identity), passphrase, options);
  await createDirAtomic(
    dir,
    {
      [NODE_FILES.passport]: { data: identity.passport.pem, mode: 0o644 },
      [NODE_FILES.ca]: { data: identity.caPem, mode: 0o644 },
      [NODE_FILES.crl]: { data: crlPem, mode: 0o644 },
      [NODE_FILES.keystore]: { data: keystore },
    },
    'NODE_DIR_EXISTS',
  );
}

/**
 * Unlocks a node's identity: opens the keystore (KEYSTORE_BAD_PASSPHRASE on a wrong passphrase),
 * checks that the CA in ca.pem issued passport.pem (its dates and revocation are the peers'
 * business: an expired node still starts and is refused with a clear reason), and that the
 * keystore's signing key is the passport's (KEYSTORE_KEY_MISMATCH). The onion key is not
 * compared: a node with a wrong one (a test aid) must be able to start and fail the challenge.
 */
export async function loadNodeIdentity(dir: string, passphrase: string): Promise<NodeIdentity> {
  const [passportPem, caPem, keystoreText] = await Promise.all([
    readTextFile(join(dir, NODE_FILES.passport), MAX_PEM),
    readTextFile(join(dir, NODE_FILES.ca), MAX_PEM),
    readTextFile(join(dir, NODE_FILES.keystore), MAX_PEM),
  ]);
  const anchor = trustAnchor(caPem);
  let passport;
  try {
    passport = verifyPassportIssuer(passportPem, anchor.der);
  } catch (e) {
    throw IdentityErrors.NODE_BAD_PASSPORT(`${join(dir, NODE_FILES.passport)}: ${(e as Error).message}`, { cause: e });
  }
  const keys = memberKeysFromSecrets(await openKeystore(keystoreText, passphrase, 'member'));
  if (!constantTimeEqual(spkiOf(keys.signingPrivateKey), spkiOf(passport.signingKey))) {
    throw IdentityErrors.KEYSTORE_KEY_MISMATCH(`the signing key in ${join(dir, NODE_FILES.keystore)} does not match ${join(dir, NODE_FILES.passport)}`);
  }
  return { passport, caPem: anchor.pem, ...keys };
}

/**
 * The health application's keys on a member's device (docs/protocol.md §8.6), derived from the
 * member's onion private key as the board user key is (§7.1), so the application keeps no new
 * secret on disk and none of them is the onion key itself:
 *
 *   profile key      = HKDF-SHA256(ikm = onion private key, salt = "", info = "tokumei-health/1 profile key", 32)
 *   pseudonym secret = HKDF-SHA256(ikm = onion private key, salt = "", info = "tokumei-health/1 pseudonym secret", 32)
 *
 * The profile key opens the encrypted profile file (profile-store.ts); the pseudonym secret makes
 * the per-study pseudonym of §8.2. Neither ever leaves the node.
 */
import type { KeyObject } from 'node:crypto';
import { utf8, wipe } from '../../crypto/bytes.js';
import { hkdfSha256 } from '../../crypto/hkdf.js';
import { x25519RawPrivateKey } from '../../crypto/x25519.js';

const PROFILE_KEY_INFO = utf8('tokumei-health/1 profile key');
const PSEUDONYM_SECRET_INFO = utf8('tokumei-health/1 pseudonym secret');

export interface HealthKeys {
  /** 32 bytes: the key of the profile file. */
  profileKey: Uint8Array;
  /** 32 bytes: the secret behind study pseudonyms. */
  pseudonymSecret: Uint8Array;
}

export function deriveHealthKeys(onionPrivateKey: KeyObject): HealthKeys {
  const onion = x25519RawPrivateKey(onionPrivateKey);
  try {
    return {
      profileKey: hkdfSha256(onion, new Uint8Array(0), PROFILE_KEY_INFO, 32),
      pseudonymSecret: hkdfSha256(onion, new Uint8Array(0), PSEUDONYM_SECRET_INFO, 32),
    };
  } finally {
    wipe(onion);
  }
}

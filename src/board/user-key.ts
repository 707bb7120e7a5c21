/**
 * A member's board user key Y (docs/protocol.md §7.1): a fixed X25519 pair derived from the onion
 * key, so it needs no new secret on disk. Posts seal their reply key x_priv to Y_pub; only the
 * poster's node can open replies.
 *
 *   y = HKDF-SHA256(ikm = onion private key, salt = "", info = "tokumei-board/1 user key", 32)
 */
import type { KeyObject } from 'node:crypto';
import { utf8, wipe } from '../crypto/bytes.js';
import { hkdfSha256 } from '../crypto/hkdf.js';
import { x25519PrivateKeyFromRaw, x25519RawPrivateKey, x25519RawPublicKey } from '../crypto/x25519.js';

const USER_KEY_INFO = utf8('tokumei-board/1 user key');

export interface BoardUserKey {
  /** y, raw 32 bytes (HPKE takes raw keys). */
  privateKey: Uint8Array;
  /** Y_pub, raw 32 bytes. */
  publicKey: Uint8Array;
}

export function boardUserKey(onionPrivateKey: KeyObject): BoardUserKey {
  const onion = x25519RawPrivateKey(onionPrivateKey);
  const privateKey = hkdfSha256(onion, new Uint8Array(0), USER_KEY_INFO, 32);
  wipe(onion);
  return { privateKey, publicKey: x25519RawPublicKey(x25519PrivateKeyFromRaw(privateKey)) };
}

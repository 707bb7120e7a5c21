/**
 * Replica announcements (docs/protocol.md §7.6): a replica names the one-time sync address it
 * serves, signed with the board key, so only the board's replicas can join its synchronisation:
 *
 *   announcement = "TKA" | version u8 (1) | replica_id (16) | issued u64 | string8 sync address
 *                  | sig (Ed25519 by the board signing key over everything before it)
 *
 * The "TKA" prefix keeps the board key's two kinds of signature apart (notifications are "TKN").
 */
import type { KeyObject } from 'node:crypto';
import { checkBytes } from '../crypto/bytes.js';
import { ED25519_SIGNATURE_LENGTH, ed25519PublicKeyFromRaw, signBytes, verifyBytes } from '../crypto/signing.js';
import { decodeAddress } from '../routing/formats/one-time-address.js';
import { Writer } from '../wire/codec.js';
import { boardError, parseWith } from './record-codec.js';
import { decodeText } from './text-rules.js';
import { BOARD_LIMITS, type Announcement } from './types.js';

const MAGIC = Uint8Array.of(0x54, 0x4b, 0x41); // "TKA"
export const ANNOUNCEMENT_VERSION = 1;
export const REPLICA_ID_LENGTH = 16;
/** §7.6: announcements issued within this window are listed and trusted. */
export const ANNOUNCEMENT_FRESH_MS = 10 * 60_000;

export interface AnnouncementContent {
  replicaId: Uint8Array;
  issued: number;
  syncAddress: string;
}

function checkSyncAddress(address: string): string {
  try {
    decodeAddress(address);
  } catch (e) {
    throw boardError('BOARD_BAD_RECORD', `announcement sync address: ${(e as Error).message}`);
  }
  return address;
}

export function createAnnouncement(a: AnnouncementContent, boardSigningKey: KeyObject): Announcement {
  const body = new Writer()
    .bytes(MAGIC)
    .u8(ANNOUNCEMENT_VERSION)
    .bytes(checkBytes('replica id', a.replicaId, REPLICA_ID_LENGTH))
    .u64(a.issued)
    .string8(checkSyncAddress(a.syncAddress))
    .finish();
  const sig = signBytes(boardSigningKey, body);
  return { replicaId: a.replicaId.slice(), issued: a.issued, syncAddress: a.syncAddress, sig, bytes: new Writer().bytes(body).bytes(sig).finish() };
}

/**
 * Checks an announcement against the board's raw signing key: structure (BOARD_BAD_RECORD), the
 * board's signature (BOARD_BAD_SIGNATURE) and, given `now`, freshness: issued within the last
 * 10 minutes (BOARD_EXPIRED) and not more than 5 minutes ahead (BOARD_FUTURE).
 */
export function decodeAnnouncement(bytes: Uint8Array, boardSigningKey: Uint8Array, now?: number): Announcement {
  const a = parseWith(bytes, 'announcement', 'BOARD_BAD_RECORD', (r) => {
    const m = r.bytes(3, 'magic');
    if (m[0] !== MAGIC[0] || m[1] !== MAGIC[1] || m[2] !== MAGIC[2]) throw boardError('BOARD_BAD_RECORD', 'announcement: not an announcement');
    const v = r.u8('version');
    if (v !== ANNOUNCEMENT_VERSION) throw boardError('BOARD_BAD_RECORD', `announcement: unknown version ${v}`);
    const replicaId = r.bytes(REPLICA_ID_LENGTH, 'replica_id').slice();
    const issued = r.u64('issued');
    const syncAddress = checkSyncAddress(decodeText(r.bytes8('sync address'), 'sync address', 'BOARD_BAD_RECORD'));
    const sig = r.bytes(ED25519_SIGNATURE_LENGTH, 'sig').slice();
    return { replicaId, issued, syncAddress, sig, bytes: bytes.slice() };
  });
  if (!verifyBytes(ed25519PublicKeyFromRaw(boardSigningKey), bytes.subarray(0, bytes.length - ED25519_SIGNATURE_LENGTH), a.sig)) {
    throw boardError('BOARD_BAD_SIGNATURE', 'announcement: not signed by the board', 'crypto');
  }
  if (now !== undefined) {
    if (a.issued > now + BOARD_LIMITS.futureSkewMs) throw boardError('BOARD_FUTURE', `announcement issued ${a.issued - now} ms in the future`, 'refused');
    if (a.issued + ANNOUNCEMENT_FRESH_MS < now) throw boardError('BOARD_EXPIRED', 'announcement is older than 10 minutes', 'refused');
  }
  return a;
}

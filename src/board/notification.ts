/**
 * Reservation notifications (docs/protocol.md §7.5): a replica tells a searcher that a post
 * matching its reservation was stored, signed with the board key so that only the board's
 * replicas can send one:
 *
 *   notification = "TKN" | version u8 (1) | reservation_id (16) | issued u64 | entry
 *                  | sig (Ed25519 by the board signing key over everything before it)
 */
import type { KeyObject } from 'node:crypto';
import { fromHex, toHex } from '../crypto/bytes.js';
import { ED25519_SIGNATURE_LENGTH, ed25519PublicKeyFromRaw, signBytes, verifyBytes } from '../crypto/signing.js';
import { Writer } from '../wire/codec.js';
import { checkEntry, readEntry, writeEntry, type EntryBytes } from './messages.js';
import { boardError, parseWith, RECORD_ID_LENGTH } from './record-codec.js';
import type { BoardEntry } from './types.js';

const MAGIC = Uint8Array.of(0x54, 0x4b, 0x4e); // "TKN"
export const NOTIFICATION_VERSION = 1;

export interface NotificationContent {
  reservationId: string;
  /** ms since the epoch. */
  issued: number;
  entry: EntryBytes;
}

export interface Notification {
  reservationId: string;
  issued: number;
  entry: BoardEntry;
}

export function createNotification(n: NotificationContent, boardSigningKey: KeyObject): Uint8Array {
  const body = writeEntry(new Writer().bytes(MAGIC).u8(NOTIFICATION_VERSION).bytes(fromHex(n.reservationId, RECORD_ID_LENGTH)).u64(n.issued), n.entry).finish();
  return new Writer().bytes(body).bytes(signBytes(boardSigningKey, body)).finish();
}

/**
 * Checks a notification against the board's raw signing key (from its address): structure
 * (BOARD_BAD_RECORD), board signature, then the entry's post signature (BOARD_BAD_SIGNATURE).
 */
export function decodeNotification(bytes: Uint8Array, boardSigningKey: Uint8Array): Notification {
  const parsed = parseWith(bytes, 'notification', 'BOARD_BAD_RECORD', (r) => {
    const m = r.bytes(3, 'magic');
    if (m[0] !== MAGIC[0] || m[1] !== MAGIC[1] || m[2] !== MAGIC[2]) throw boardError('BOARD_BAD_RECORD', 'notification: not a notification');
    const v = r.u8('version');
    if (v !== NOTIFICATION_VERSION) throw boardError('BOARD_BAD_RECORD', `notification: unknown version ${v}`);
    const reservationId = toHex(r.bytes(RECORD_ID_LENGTH, 'reservation_id'));
    const issued = r.u64('issued');
    const entry = readEntry(r);
    const sig = r.bytes(ED25519_SIGNATURE_LENGTH, 'sig');
    return { reservationId, issued, entry, sig };
  });
  const body = bytes.subarray(0, bytes.length - ED25519_SIGNATURE_LENGTH);
  if (!verifyBytes(ed25519PublicKeyFromRaw(boardSigningKey), body, parsed.sig)) {
    throw boardError('BOARD_BAD_SIGNATURE', 'notification: not signed by the board', 'crypto');
  }
  return { reservationId: parsed.reservationId, issued: parsed.issued, entry: checkEntry(parsed.entry) };
}

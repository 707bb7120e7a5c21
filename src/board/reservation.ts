/**
 * Reservations (docs/protocol.md §7.3, §7.5): a searcher who found nothing asks to be notified.
 *
 *   reservation = version | created u64 | ttl u32 | string8 notify address (tk1) | string16 query
 *                 | u8 nfields | fields | owner_id (64) | sig (64)   (by owner_id)
 *
 * The query and fields follow the search rules (§7.4); a reservation with neither words nor
 * fields would match every post and is BOARD_BAD_QUERY.
 */
import { concatBytes } from '../crypto/bytes.js';
import type { RandomSource } from '../crypto/random.js';
import { ANON_ID_LENGTH, createAnonymousId } from '../anonymous-id/anonymous-id.js';
import { decodeAddress } from '../routing/formats/one-time-address.js';
import { Writer, type Reader } from '../wire/codec.js';
import { boardError, checkCreateTimes, checkTimes, parseWith, readFields, readVersion, recordId, RECORD_VERSION, signRecord, verifyRecordSignature, writeFields } from './record-codec.js';
import { ANON_SIGNATURE_LENGTH } from '../anonymous-id/anonymous-id-signature.js';
import { checkFields, decodeText, queryWords } from './text-rules.js';
import { BOARD_LIMITS, type BoardField, type ReservationRecord } from './types.js';

/** The largest valid reservation. */
export const MAX_RESERVATION_BYTES =
  1 + 8 + 4 + (1 + 255) + (2 + BOARD_LIMITS.maxQueryBytes) + 1 + BOARD_LIMITS.maxFields * (2 + 32 + BOARD_LIMITS.maxFieldValueBytes) + ANON_ID_LENGTH + ANON_SIGNATURE_LENGTH;

export interface CreateReservationOptions {
  /** A one-time address of the searcher's, served until the reservation expires. */
  notifyAddress: string;
  query: string;
  fields?: BoardField[];
  ttlSeconds: number;
  now: number;
  anonymityKey: Uint8Array;
  random?: RandomSource;
}

function checkNotifyAddress(address: string): string {
  try {
    decodeAddress(address);
  } catch (e) {
    throw boardError('BOARD_BAD_RECORD', `reservation notify address: ${(e as Error).message}`, 'bad-input');
  }
  return address;
}

/** §7.4: the query's words and the fields, at least one of them. */
export function checkSearchTerms(query: string, fields: readonly BoardField[]): { words: string[]; fields: BoardField[] } {
  const words = queryWords(query);
  const checked = checkFields(fields);
  if (words.length === 0 && checked.length === 0) throw boardError('BOARD_BAD_QUERY', 'a search needs words or fields (it would match every post)', 'bad-input');
  return { words, fields: checked };
}

/** string16 query, checked as a search query (BOARD_BAD_QUERY). */
export function readQuery(r: Reader): string {
  const raw = r.bytes16('query');
  if (raw.length > BOARD_LIMITS.maxQueryBytes) throw boardError('BOARD_BAD_QUERY', `query is ${raw.length} bytes, more than ${BOARD_LIMITS.maxQueryBytes}`, 'bad-input');
  return decodeText(raw, 'query', 'BOARD_BAD_QUERY');
}

export function createReservation(o: CreateReservationOptions): ReservationRecord {
  checkCreateTimes('reservation', o.now, o.ttlSeconds, BOARD_LIMITS.maxReservationTtlSeconds);
  const { fields } = checkSearchTerms(o.query, o.fields ?? []);
  const ownerId = createAnonymousId(o.anonymityKey, o.random);
  const w = new Writer().u8(RECORD_VERSION).u64(o.now).u32(o.ttlSeconds).string8(checkNotifyAddress(o.notifyAddress)).string16(o.query);
  const body = writeFields(w, fields).bytes(ownerId).finish();
  return decodeReservation(concatBytes(body, signRecord('reservation', o.anonymityKey, ownerId, body, o.random)));
}

/** Structure and content rules (BOARD_BAD_RECORD, BOARD_BAD_QUERY, BOARD_BAD_FIELD); not the signature. */
export function decodeReservation(bytes: Uint8Array): ReservationRecord {
  return parseWith(bytes, 'reservation', 'BOARD_BAD_RECORD', (r) => {
    readVersion(r, 'reservation');
    const created = r.u64('created');
    const ttl = r.u32('ttl');
    const notifyAddress = checkNotifyAddress(decodeText(r.bytes8('notify address'), 'notify address', 'BOARD_BAD_RECORD'));
    const query = readQuery(r);
    const fields = readFields(r);
    checkSearchTerms(query, fields);
    const ownerId = r.bytes(ANON_ID_LENGTH, 'owner_id').slice();
    const sig = r.bytes(ANON_SIGNATURE_LENGTH, 'sig').slice();
    const copy = bytes.slice();
    return { id: recordId(copy), bytes: copy, created, ttl, expires: created + ttl * 1000, notifyAddress, query, fields, ownerId, sig };
  });
}

export function verifyReservationSignature(reservation: ReservationRecord): boolean {
  return verifyRecordSignature('reservation', reservation.ownerId, reservation.bytes);
}

/** Every check a replica makes before storing a reservation: structure and rules, times, signature. */
export function acceptReservation(bytes: Uint8Array, now: number): ReservationRecord {
  const reservation = decodeReservation(bytes);
  checkTimes('reservation', reservation.created, reservation.ttl, BOARD_LIMITS.maxReservationTtlSeconds, now);
  if (!verifyReservationSignature(reservation)) {
    throw boardError('BOARD_BAD_SIGNATURE', `reservation ${reservation.id}: the signature does not verify under its anonymous ID`, 'crypto');
  }
  return reservation;
}

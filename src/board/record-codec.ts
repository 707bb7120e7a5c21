/**
 * What every board record shares (docs/protocol.md §7.3): the version, the id (first 16 bytes of
 * SHA-256 of the whole encoding, so a replay has the original's id), the time checks, the
 * anonymous-ID signature over a labelled prefix, and the codecs of text and fields.
 */
import { TokumeiError } from '../errors.js';
import { concatBytes, toHex, utf8 } from '../crypto/bytes.js';
import { sha256 } from '../crypto/hash.js';
import type { RandomSource } from '../crypto/random.js';
import { ANON_SIGNATURE_LENGTH, signWithAnonymousId, verifyAnonymousIdSignature } from '../anonymous-id/anonymous-id-signature.js';
import { Reader, Writer } from '../wire/codec.js';
import { checkFields, checkText, decodeText } from './text-rules.js';
import { BOARD_LIMITS, type BoardField } from './types.js';
import { BoardErrors } from './board-errors.js';

export const RECORD_VERSION = 1;
export const RECORD_ID_LENGTH = 16;

export type RecordName = 'post' | 'reply' | 'reservation';

export function boardError(code: string, message: string, kind: TokumeiError['kind'] = 'protocol'): TokumeiError {
  return new TokumeiError(kind, code, message);
}

/** The record id: hex of SHA-256(bytes)[0..16]. */
export function recordId(bytes: Uint8Array): string {
  return toHex(sha256(bytes).subarray(0, RECORD_ID_LENGTH));
}

/**
 * Runs a decoder over `bytes`, requires every byte consumed, and turns the reader's WIRE_* errors
 * into `code` (BOARD_BAD_RECORD, BOARD_BAD_REQUEST…). Board errors thrown inside pass through.
 */
export function parseWith<T>(bytes: Uint8Array, what: string, code: string, decode: (r: Reader) => T): T {
  if (!(bytes instanceof Uint8Array)) throw boardError(code, `${what}: not bytes`);
  try {
    const r = new Reader(bytes);
    const out = decode(r);
    r.end(what);
    return out;
  } catch (e) {
    // Anything but a TokumeiError is a bug of ours and must surface as one (the fuzz tests rely on it).
    if (e instanceof TokumeiError && e.code.startsWith('WIRE_')) throw boardError(code, `${what}: ${e.message}`);
    throw e;
  }
}

export function readVersion(r: Reader, what: string): void {
  const v = r.u8('version');
  if (v !== RECORD_VERSION) throw boardError('BOARD_BAD_RECORD', `${what}: unknown version ${v}`);
}

// §7.3: a record signature covers a label naming the record kind, then every byte before it, so
// a signature made for one kind of record can never be read as another's.
const SIGNATURE_LABEL: Record<RecordName, Uint8Array> = {
  post: utf8('tokumei-board/1 post sig'),
  reply: utf8('tokumei-board/1 reply sig'),
  reservation: utf8('tokumei-board/1 reservation sig'),
};

export function signRecord(name: RecordName, k: Uint8Array, id: Uint8Array, body: Uint8Array, random?: RandomSource): Uint8Array {
  return signWithAnonymousId(k, id, concatBytes(SIGNATURE_LABEL[name], body), random);
}

/** True when the last 64 bytes of `bytes` sign the rest under `signer`. */
export function verifyRecordSignature(name: RecordName, signer: Uint8Array, bytes: Uint8Array): boolean {
  if (bytes.length < ANON_SIGNATURE_LENGTH) return false;
  const body = bytes.subarray(0, bytes.length - ANON_SIGNATURE_LENGTH);
  return verifyAnonymousIdSignature(signer, concatBytes(SIGNATURE_LABEL[name], body), bytes.subarray(body.length));
}

/** §7.3 ttl and clock checks: BOARD_TTL, BOARD_EXPIRED (created + ttl passed), BOARD_FUTURE (> 5 min ahead). */
export function checkTimes(what: string, created: number, ttlSeconds: number, maxTtlSeconds: number, now: number): void {
  checkNow(what, now);
  if (ttlSeconds <= 0 || ttlSeconds > maxTtlSeconds) throw boardError('BOARD_TTL', `${what}: ttl ${ttlSeconds} s is not within 1..${maxTtlSeconds} s`, 'refused');
  if (created > now + BOARD_LIMITS.futureSkewMs) throw boardError('BOARD_FUTURE', `${what}: created ${created - now} ms in the future (at most ${BOARD_LIMITS.futureSkewMs})`, 'refused');
  if (created + ttlSeconds * 1000 <= now) throw boardError('BOARD_EXPIRED', `${what}: expired at ${new Date(created + ttlSeconds * 1000).toISOString()}`, 'refused');
}

/** `now` must be ms since the epoch: a bad clock is the caller's bug (or bad input when creating). */
export function checkNow(what: string, now: number, kind: TokumeiError['kind'] = 'internal'): void {
  if (!Number.isSafeInteger(now) || now < 0) throw new TokumeiError(kind, 'BOARD_BAD_CLOCK', `${what}: now must be ms since the epoch, got ${now}`);
}

/** Checks a creator's own arguments (bad-input), the same rules a replica applies. */
export function checkCreateTimes(what: string, now: number, ttlSeconds: number, maxTtlSeconds: number): void {
  checkNow(what, now, 'bad-input');
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0 || ttlSeconds > maxTtlSeconds) {
    throw BoardErrors.BOARD_TTL(`${what}: ttl must be 1..${maxTtlSeconds} seconds, got ${ttlSeconds}`);
  }
}

/** string16 text under the §7.3 text rules: BOARD_BAD_TEXT / BOARD_TOO_LARGE (codes overridable). */
export function readText16(r: Reader, what: string, maxBytes: number, tooLargeCode = 'BOARD_TOO_LARGE', badCode = 'BOARD_BAD_TEXT'): string {
  const raw = r.bytes16(what);
  if (raw.length > maxBytes) throw boardError(tooLargeCode, `${what}: ${raw.length} bytes, more than ${maxBytes}`, 'bad-input');
  return checkText(decodeText(raw, what, badCode), maxBytes, tooLargeCode, { badCode, what });
}

/** u8 nfields | nfields × (string8 key | string8 value), under the field rules (BOARD_BAD_FIELD). */
export function readFields(r: Reader): BoardField[] {
  const n = r.u8('nfields');
  if (n > BOARD_LIMITS.maxFields) throw boardError('BOARD_BAD_FIELD', `${n} fields, at most ${BOARD_LIMITS.maxFields} allowed`, 'bad-input');
  const fields: BoardField[] = [];
  for (let i = 0; i < n; i++) {
    const key = decodeText(r.bytes8('field key'), `field ${i} key`, 'BOARD_BAD_FIELD');
    const value = decodeText(r.bytes8('field value'), `field ${i} value`, 'BOARD_BAD_FIELD');
    fields.push({ key, value });
  }
  return checkFields(fields);
}

export function writeFields(w: Writer, fields: readonly BoardField[]): Writer {
  w.u8(fields.length);
  for (const f of fields) w.string8(f.key).string8(f.value);
  return w;
}


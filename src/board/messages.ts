/**
 * Board requests and responses (docs/protocol.md §7.4):
 *
 *   request    = "TKB" | version u8 (1) | op u8 | body
 *   response   = "TKB" | version u8 (1) | status u8 (0 ok, 1 error) | body
 *   error body = string8 code | string16 message
 *   entry      = bytes32 post | bytes32 message
 *
 * Request decoders (run by a replica on a stranger's bytes) fail with BOARD_BAD_REQUEST, or the
 * content code (BOARD_BAD_QUERY, BOARD_BAD_FIELD); answer decoders (run by a client on a
 * replica's bytes) with BOARD_BAD_RESPONSE. Records inside keep their own codes (records.ts).
 */

import { checkBytes, fromHex, toHex } from '../crypto/bytes.js';
import { Writer, type Reader } from '../wire/codec.js';
import { MAX_POST_MESSAGE_BYTES, decodeMessage } from './board-message.js';
import { checkPostTimes, decodePost, MAX_POST_BYTES, verifyPostSignature } from './post.js';
import { boardError, parseWith, readFields, RECORD_ID_LENGTH, writeFields } from './record-codec.js';
import { MAX_REPLY_BYTES } from './reply.js';
import { checkSearchTerms, MAX_RESERVATION_BYTES, readQuery } from './reservation.js';
import { checkText, decodeText } from './text-rules.js';
import { BOARD_LIMITS, BoardOp, RecordKind, type BoardEntry, type BoardField, type BoardOpCode, type RecordKindCode } from './types.js';
import { BoardErrors } from './board-errors.js';

const MAGIC = [0x54, 0x4b, 0x42]; // "TKB"
export const BOARD_PROTOCOL_VERSION = 1;
const OPS = new Set<number>(Object.values(BoardOp));
/** Error messages are cut to this many bytes: an answer is not a place for essays. */
const MAX_ERROR_MESSAGE_BYTES = 1024;
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
/** Bound of a record of each kind inside a PULL answer (a reservation is far below a post). */
const MAX_RECORD_BYTES: Record<RecordKindCode, number> = { 1: MAX_POST_BYTES, 2: MAX_REPLY_BYTES, 3: MAX_RESERVATION_BYTES };
/** HELLO answers list known replicas: at most the peers kept, and the answering replica. */
const MAX_ANNOUNCEMENTS = BOARD_LIMITS.maxReplicaPeers + 1;

const asRequest = <T>(bytes: Uint8Array, what: string, f: (r: Reader) => T): T => parseWith(bytes, what, 'BOARD_BAD_REQUEST', f);
const asResponse = <T>(bytes: Uint8Array, what: string, f: (r: Reader) => T): T => parseWith(bytes, what, 'BOARD_BAD_RESPONSE', f);

function readHeader(r: Reader, what: string, code: string): void {
  const m = r.bytes(3, 'magic');
  if (m[0] !== MAGIC[0] || m[1] !== MAGIC[1] || m[2] !== MAGIC[2]) throw boardError(code, `${what}: not a board message`);
  const v = r.u8('version');
  if (v !== BOARD_PROTOCOL_VERSION) throw boardError(code, `${what}: unknown version ${v}`);
}

function header(): Writer {
  return new Writer().bytes(Uint8Array.from(MAGIC)).u8(BOARD_PROTOCOL_VERSION);
}

function readId(r: Reader, what: string): string {
  return toHex(r.bytes(RECORD_ID_LENGTH, what));
}

function idBytes(id: string): Uint8Array {
  return fromHex(id, RECORD_ID_LENGTH);
}

// ---- envelopes ------------------------------------------------------------------------------

export function encodeRequest(op: BoardOpCode, body: Uint8Array): Uint8Array {
  if (!OPS.has(op)) throw BoardErrors.BOARD_BAD_OP(`unknown board op ${op}`);
  return header().u8(op).bytes(checkBytes('body', body)).finish();
}

export function decodeRequest(bytes: Uint8Array): { op: BoardOpCode; body: Uint8Array } {
  return asRequest(bytes, 'request', (r) => {
    readHeader(r, 'request', 'BOARD_BAD_REQUEST');
    const op = r.u8('op');
    if (!OPS.has(op)) throw boardError('BOARD_BAD_REQUEST', `request: unknown op ${op}`);
    return { op: op as BoardOpCode, body: r.rest().slice() };
  });
}

export type BoardResponse = { ok: true; body: Uint8Array } | { ok: false; code: string; message: string };

export function encodeOk(body: Uint8Array): Uint8Array {
  return header().u8(0).bytes(checkBytes('body', body)).finish();
}

// Characters the text rules refuse (§7.3): replaced in error messages, which quote input.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]/g;

/** An error answer; the message loses unprintable characters and is cut to 1,024 bytes of UTF-8. */
export function encodeError(code: string, message: string): Uint8Array {
  if (!ERROR_CODE.test(code)) throw BoardErrors.BOARD_BAD_ERROR_CODE(`not an error code: ${JSON.stringify(code)}`);
  const utf8 = Buffer.from(String(message).replace(UNPRINTABLE, ' ')); // lone surrogates become U+FFFD
  let end = Math.min(utf8.length, MAX_ERROR_MESSAGE_BYTES);
  while (end < utf8.length && end > 0 && (utf8[end]! & 0xc0) === 0x80) end--; // not inside a character
  return header().u8(1).string8(code).bytes16(utf8.subarray(0, end)).finish();
}

export function decodeResponse(bytes: Uint8Array): BoardResponse {
  return asResponse(bytes, 'response', (r) => {
    readHeader(r, 'response', 'BOARD_BAD_RESPONSE');
    const status = r.u8('status');
    if (status === 0) return { ok: true as const, body: r.rest().slice() };
    if (status !== 1) throw boardError('BOARD_BAD_RESPONSE', `response: unknown status ${status}`);
    const code = r.string8('error code');
    if (!ERROR_CODE.test(code)) throw boardError('BOARD_BAD_RESPONSE', 'response: malformed error code');
    const raw = r.bytes16('error message');
    const message = checkText(decodeText(raw, 'error message', 'BOARD_BAD_RESPONSE'), MAX_ERROR_MESSAGE_BYTES, 'BOARD_BAD_RESPONSE', {
      badCode: 'BOARD_BAD_RESPONSE',
      what: 'error message',
      allowLayout: false,
    });
    return { ok: false as const, code, message };
  });
}

// ---- entries (SEARCH, GET, notifications) ---------------------------------------------------

/** An entry as sent: the post's exact bytes and its encoded message. */
export interface EntryBytes {
  post: Uint8Array;
  message: Uint8Array;
}

export function writeEntry(w: Writer, e: EntryBytes): Writer {
  return w.bytes32(checkBytes('post', e.post)).bytes32(checkBytes('message', e.message));
}

export function readEntry(r: Reader): EntryBytes {
  const post = r.bytes32('entry post', MAX_POST_BYTES).slice();
  return { post, message: r.bytes32('entry message', MAX_POST_MESSAGE_BYTES).slice() };
}

/**
 * What a searcher checks of an entry itself: the post parses and its signature verifies
 * (BOARD_BAD_RECORD, BOARD_BAD_SIGNATURE), the message obeys the text rules, and, given `now`,
 * the post has not expired. (The message's match with message_ct is the replica's word: only
 * holders of Q can open it.)
 */
export function checkEntry(e: EntryBytes, now?: number): BoardEntry {
  const post = decodePost(e.post);
  if (!verifyPostSignature(post)) throw boardError('BOARD_BAD_SIGNATURE', `entry post ${post.id}: bad signature`, 'crypto');
  if (now !== undefined) checkPostTimes(post, now);
  return { post, message: decodeMessage(e.message) };
}

export function encodeEntry(e: EntryBytes): Uint8Array {
  return writeEntry(new Writer(), e).finish();
}

/** GET answer. */
export function decodeEntry(body: Uint8Array): EntryBytes {
  return asResponse(body, 'entry', readEntry);
}

// ---- SEARCH ---------------------------------------------------------------------------------

export interface SearchRequest {
  query: string;
  fields: BoardField[];
  /** 1..50 */
  limit: number;
  /** Only posts created before this time (ms since the epoch); 0 or absent: no bound (paging). */
  before?: number;
}

function checkLimit(limit: number, max: number, code: string): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw boardError(code, `limit must be 1..${max}, got ${limit}`);
  return limit;
}

export function encodeSearchRequest(s: SearchRequest): Uint8Array {
  const { fields } = checkSearchTerms(s.query, s.fields ?? []);
  checkLimit(s.limit, BOARD_LIMITS.maxSearchResults, 'BOARD_BAD_REQUEST');
  return writeFields(new Writer().string16(s.query), fields).u8(s.limit).u64(s.before ?? 0).finish();
}

/** BOARD_BAD_REQUEST (structure, limit), BOARD_BAD_QUERY, BOARD_BAD_FIELD. */
export function decodeSearchRequest(body: Uint8Array): SearchRequest & { words: string[] } {
  return asRequest(body, 'SEARCH', (r) => {
    const query = readQuery(r);
    const fields = readFields(r);
    const { words } = checkSearchTerms(query, fields);
    const limit = checkLimit(r.u8('limit'), BOARD_LIMITS.maxSearchResults, 'BOARD_BAD_REQUEST');
    return { query, fields, words, limit, before: r.u64('before') };
  });
}

export function encodeSearchAnswer(entries: readonly EntryBytes[]): Uint8Array {
  if (entries.length > BOARD_LIMITS.maxSearchResults) throw BoardErrors.BOARD_TOO_MANY(`${entries.length} search results`);
  const w = new Writer().u8(entries.length);
  for (const e of entries) writeEntry(w, e);
  return w.finish();
}

export function decodeSearchAnswer(body: Uint8Array): EntryBytes[] {
  return asResponse(body, 'SEARCH answer', (r) => {
    const n = r.u8('count');
    if (n > BOARD_LIMITS.maxSearchResults) throw boardError('BOARD_BAD_RESPONSE', `SEARCH answer: ${n} entries, at most ${BOARD_LIMITS.maxSearchResults}`);
    return Array.from({ length: n }, () => readEntry(r));
  });
}

// ---- GET, REPLY, REPLIES ----------------------------------------------------------------------

export function encodeGetRequest(postId: string): Uint8Array {
  return idBytes(postId);
}

export function decodeGetRequest(body: Uint8Array): string {
  return asRequest(body, 'GET', (r) => readId(r, 'post_id'));
}

export function encodeReplyAnswer(replyId: string): Uint8Array {
  return idBytes(replyId);
}

export function decodeReplyAnswer(body: Uint8Array): string {
  return asResponse(body, 'REPLY answer', (r) => readId(r, 'reply_id'));
}

export interface RepliesRequest {
  postId: string;
  /** Replies created after this (ms since the epoch); 0 for all. */
  since: number;
}

export function encodeRepliesRequest(q: RepliesRequest): Uint8Array {
  return new Writer().bytes(idBytes(q.postId)).u64(q.since).finish();
}

export function decodeRepliesRequest(body: Uint8Array): RepliesRequest {
  return asRequest(body, 'REPLIES', (r) => ({ postId: readId(r, 'post_id'), since: r.u64('since') }));
}

export function encodeRepliesAnswer(replies: readonly Uint8Array[]): Uint8Array {
  if (replies.length > BOARD_LIMITS.maxRepliesPerPost) throw BoardErrors.BOARD_TOO_MANY(`${replies.length} replies`);
  const w = new Writer().u16(replies.length);
  for (const b of replies) w.bytes32(b);
  return w.finish();
}

/** The replies' bytes; the poster decodes and opens each (records.ts openReply). */
export function decodeRepliesAnswer(body: Uint8Array): Uint8Array[] {
  return asResponse(body, 'REPLIES answer', (r) => {
    const n = r.u16('count');
    if (n > BOARD_LIMITS.maxRepliesPerPost) throw boardError('BOARD_BAD_RESPONSE', `REPLIES answer: ${n} replies, at most ${BOARD_LIMITS.maxRepliesPerPost}`);
    return Array.from({ length: n }, () => r.bytes32('reply', MAX_REPLY_BYTES).slice());
  });
}

// ---- POST, RESERVE answers ------------------------------------------------------------------

/** POST and RESERVE answer with the stored record's id and when it expires. */
export interface StoredAnswer {
  id: string;
  expires: number;
}

export function encodeStoredAnswer(a: StoredAnswer): Uint8Array {
  return new Writer().bytes(idBytes(a.id)).u64(a.expires).finish();
}

export function decodeStoredAnswer(body: Uint8Array): StoredAnswer {
  return asResponse(body, 'stored answer', (r) => ({ id: readId(r, 'id'), expires: r.u64('expires') }));
}

// ---- HELLO, PULL (replica to replica, §7.6) ------------------------------------------------

export function encodeHelloAnswer(announcements: readonly Uint8Array[]): Uint8Array {
  if (announcements.length > MAX_ANNOUNCEMENTS) throw BoardErrors.BOARD_TOO_MANY(`${announcements.length} announcements`);
  const w = new Writer().u8(announcements.length);
  for (const a of announcements) w.bytes16(a);
  return w.finish();
}

/** The announcements' bytes; the caller checks each (announcement.ts). */
export function decodeHelloAnswer(body: Uint8Array): Uint8Array[] {
  return asResponse(body, 'HELLO answer', (r) => {
    const n = r.u8('count');
    if (n > MAX_ANNOUNCEMENTS) throw boardError('BOARD_BAD_RESPONSE', `HELLO answer: ${n} announcements, at most ${MAX_ANNOUNCEMENTS}`);
    return Array.from({ length: n }, () => r.bytes16('announcement').slice());
  });
}

export interface PullRequest {
  /** The puller's own announcement: proves it holds the board key (§7.6). Checked by the caller. */
  announcement: Uint8Array;
  /** The local sequence number after which to send records (0: from the start). */
  since: number;
  /** 1..500 */
  limit: number;
}

export function encodePullRequest(q: PullRequest): Uint8Array {
  checkLimit(q.limit, BOARD_LIMITS.maxPullRecords, 'BOARD_BAD_REQUEST');
  return new Writer().bytes16(checkBytes('announcement', q.announcement)).u64(q.since).u16(q.limit).finish();
}

export function decodePullRequest(body: Uint8Array): PullRequest {
  return asRequest(body, 'PULL', (r) => ({
    announcement: r.bytes16('announcement').slice(),
    since: r.u64('since'),
    limit: checkLimit(r.u16('limit'), BOARD_LIMITS.maxPullRecords, 'BOARD_BAD_REQUEST'),
  }));
}

export interface PulledRecord {
  kind: RecordKindCode;
  bytes: Uint8Array;
}

export interface PullAnswer {
  /** The cursor to ask from next time. */
  next: number;
  /** More records wait after `next`. */
  more: boolean;
  records: PulledRecord[];
}

const KINDS = new Set<number>(Object.values(RecordKind));

export function encodePullAnswer(a: PullAnswer): Uint8Array {
  if (a.records.length > BOARD_LIMITS.maxPullRecords) throw BoardErrors.BOARD_TOO_MANY(`${a.records.length} records`);
  const w = new Writer().u64(a.next).u8(a.more ? 1 : 0).u16(a.records.length);
  for (const rec of a.records) w.u8(rec.kind).bytes32(rec.bytes);
  return w.finish();
}

/** Records' bytes by kind; the puller checks each as if a client had sent it (§7.6). */
export function decodePullAnswer(body: Uint8Array): PullAnswer {
  return asResponse(body, 'PULL answer', (r) => {
    const next = r.u64('next');
    const more = r.u8('more');
    if (more > 1) throw boardError('BOARD_BAD_RESPONSE', `PULL answer: more must be 0 or 1, got ${more}`);
    const n = r.u16('count');
    if (n > BOARD_LIMITS.maxPullRecords) throw boardError('BOARD_BAD_RESPONSE', `PULL answer: ${n} records, at most ${BOARD_LIMITS.maxPullRecords}`);
    const records: PulledRecord[] = [];
    for (let i = 0; i < n; i++) {
      const kind = r.u8('kind');
      if (!KINDS.has(kind)) throw boardError('BOARD_BAD_RESPONSE', `PULL answer: unknown record kind ${kind}`);
      records.push({ kind: kind as RecordKindCode, bytes: r.bytes32('record', MAX_RECORD_BYTES[kind as RecordKindCode]).slice() });
    }
    return { next, more: more === 1, records };
  });
}

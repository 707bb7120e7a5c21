/**
 * The control API's bulletin-board endpoints (docs/protocol.md §7): a member's own node posts,
 * searches, replies and reads replies for it over fresh onion routes, and a replica shows its
 * status. Everything the board would refuse for its form (text, fields, query, ttl, ids, the
 * board address) is refused here first, with the board's own code, before any route is sought.
 *
 *   POST /api/board/post     {board, text, fields?, ttlSeconds}         → {postId, anonymousId, expires}
 *   POST /api/board/search   {board, query, fields?, limit?}            → {results: [BoardResult]}
 *   POST /api/board/reply    {board, postId, text, answerAddress?}      → {replyId}
 *   POST /api/board/replies  {board, postId?}                           → {replies: [ReadReply]}
 *   POST /api/board/reserve  {board, query, fields?, ttlSeconds}        → {reservationId, expires}
 *   GET  /api/board/notifications                                       → {notifications: [BoardNotification]}
 *   GET  /api/board/status                                              → replica status, 404 BOARD_NO_REPLICA
 *
 * `fields` is a list of {key, value}. Refusals keep the board's code (BOARD_TOO_LARGE,
 * BOARD_BAD_QUERY, BOARD_NO_SUCH_POST, …): 400 for a malformed request, 404 for a missing post,
 * 409 when a replica said no, 413 for a text above 16,384 bytes.
 */
import type { IncomingMessage } from 'node:http';
import { TokumeiError } from '../../errors.js';
import { decodeBoardAddress, BOARD_ADDRESS_TEXT_LENGTH } from '../board-address.js';
import type { BoardNotification, BoardResult, ReadReply } from '../client.js';
import type { ReplicaStatus } from '../replica.js';
import { checkSearchTerms } from '../reservation.js';
import { checkFields, checkText } from '../text-rules.js';
import { BOARD_LIMITS, type BoardField } from '../types.js';
import { ADDRESS_TEXT_LENGTH, decodeAddress } from '../../routing/formats/one-time-address.js';
import { ControlHttpError } from '../../control/http-error.js';
import { readJsonObject, stringField, type JsonObject } from '../../control/json-body.js';
import type { Router } from '../../control/router.js';
import { inFlightLimit } from '../../control/in-flight.js';

/**
 * A post's text may be 16,384 bytes of UTF-8; JSON escapes (\n, \", \t) at most double it, and 16
 * fields add under 8 KiB. Past this the body is refused unread (413).
 */
export const MAX_BOARD_BODY_BYTES = 64 * 1024;
/** BOUNDED: board requests waiting for the board (each a route seek and up to three tries). */
export const MAX_BOARD_REQUESTS_IN_FLIGHT = 16;
const POST_ID = /^[0-9a-f]{32}$/;

export interface PostResult {
  postId: string;
  /** The post's one-time anonymous ID (hex): the only name the board knows the poster by. */
  anonymousId: string;
  expires: number;
}

export interface ReservationResult {
  reservationId: string;
  expires: number;
}

/** A replica's status, and whether its database passes SQLite's and FTS5's integrity checks. */
export interface BoardReplicaStatus extends ReplicaStatus {
  integrity: boolean;
}

/** What the board endpoints need from the node (`boardControl` adapts a node's BoardClient and replica). */
export interface BoardControl {
  post(board: string, p: { text: string; fields: BoardField[]; ttlSeconds: number }): Promise<PostResult>;
  search(board: string, q: { query: string; fields: BoardField[]; limit: number }): Promise<BoardResult[]>;
  reply(board: string, postId: string, r: { text: string; answerAddress: string }): Promise<{ replyId: string }>;
  /** Replies to one post of this member's (BOARD_NOT_MINE for another's), or to all of them. */
  replies(board: string, postId: string | undefined): Promise<ReadReply[]>;
  reserve(board: string, q: { query: string; fields: BoardField[]; ttlSeconds: number }): Promise<ReservationResult>;
  notifications(): BoardNotification[];
  /** undefined when this node runs no replica. */
  status(): BoardReplicaStatus | undefined;
}

export function addBoardRoutes(router: Router, api: BoardControl): Router {
  const limit = inFlightLimit(MAX_BOARD_REQUESTS_IN_FLIGHT, 'board requests are already waiting for the board');
  /** Holds one of the MAX_BOARD_REQUESTS_IN_FLIGHT slots (before the body is read) while `fn` runs. */
  const bounded = async <T>(fn: () => Promise<T>): Promise<{ status: number; body: T }> => ({ status: 200, body: await limit(fn) });
  const read = (req: IncomingMessage, fields: readonly string[]) => readJsonObject(req, MAX_BOARD_BODY_BYTES, ['board', ...fields]);
  return router
    .on('POST', '/api/board/post', (req) =>
      bounded(async () => {
        const b = await read(req, ['text', 'fields', 'ttlSeconds']);
        const board = boardField(b);
        const text = textField(b, 'text', 'post text');
        const fields = fieldsField(b);
        const ttlSeconds = ttlField(b, BOARD_LIMITS.maxPostTtlSeconds);
        return api.post(board, { text, fields, ttlSeconds });
      }),
    )
    .on('POST', '/api/board/search', (req) =>
      bounded(async () => {
        const b = await read(req, ['query', 'fields', 'limit']);
        const board = boardField(b);
        const { query, fields } = searchTerms(b);
        const limit = b.limit === undefined ? BOARD_LIMITS.maxSearchResults : intField(b, 'limit', 1, BOARD_LIMITS.maxSearchResults, 'CONTROL_FIELD_INVALID');
        return { results: await api.search(board, { query, fields, limit }) };
      }),
    )
    .on('POST', '/api/board/reply', (req) =>
      bounded(async () => {
        const b = await read(req, ['postId', 'text', 'answerAddress']);
        const board = boardField(b);
        const postId = postIdField(b);
        const text = textField(b, 'text', 'reply text');
        const answerAddress = b.answerAddress === undefined ? '' : answerAddressField(b);
        return api.reply(board, postId, { text, answerAddress });
      }),
    )
    .on('POST', '/api/board/replies', (req) =>
      bounded(async () => {
        const b = await read(req, ['postId']);
        const board = boardField(b);
        const postId = b.postId === undefined ? undefined : postIdField(b);
        return { replies: await api.replies(board, postId) };
      }),
    )
    .on('POST', '/api/board/reserve', (req) =>
      bounded(async () => {
        const b = await read(req, ['query', 'fields', 'ttlSeconds']);
        const board = boardField(b);
        const { query, fields } = searchTerms(b);
        const ttlSeconds = ttlField(b, BOARD_LIMITS.maxReservationTtlSeconds);
        return api.reserve(board, { query, fields, ttlSeconds });
      }),
    )
    .on('GET', '/api/board/notifications', () => ({ status: 200, body: { notifications: api.notifications() } }))
    .on('GET', '/api/board/status', () => {
      const status = api.status();
      if (!status) throw new ControlHttpError(404, 'BOARD_NO_REPLICA', 'this node runs no board replica (start it with `tokumei node … --board BOARDDIR`)');
      return { status: 200, body: status };
    });
}

/** Runs a board rule; its TokumeiError becomes a 400 with the board's code (413 when it is too large). */
function rule<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TokumeiError && !(e instanceof ControlHttpError)) {
      throw new ControlHttpError(e.kind === 'too-large' ? 413 : 400, e.code, e.message);
    }
    throw e;
  }
}

function boardField(o: JsonObject): string {
  const text = stringField(o, 'board', 2 * BOARD_ADDRESS_TEXT_LENGTH);
  rule(() => decodeBoardAddress(text));
  return text;
}

function textField(o: JsonObject, name: string, what: string): string {
  const v = o[name];
  if (typeof v !== 'string') throw new ControlHttpError(400, 'CONTROL_FIELD_INVALID', `field "${name}" must be a string`);
  return rule(() => checkText(v, BOARD_LIMITS.maxTextBytes, 'BOARD_TOO_LARGE', { what }));
}

function fieldsField(o: JsonObject): BoardField[] {
  const v = o.fields;
  if (v === undefined) return [];
  const bad = (message: string): never => {
    throw new ControlHttpError(400, 'BOARD_BAD_FIELD', message);
  };
  if (!Array.isArray(v)) bad('"fields" must be a list of {"key", "value"}');
  const list = v as unknown[];
  if (list.length > BOARD_LIMITS.maxFields) bad(`${list.length} fields, at most ${BOARD_LIMITS.maxFields} allowed`);
  const fields = list.map((f, i) => {
    if (typeof f !== 'object' || f === null || Array.isArray(f)) return bad(`field ${i} is not {"key", "value"}`);
    const { key, value, ...rest } = f as Record<string, unknown>;
    if (Object.keys(rest).length > 0 || typeof key !== 'string' || typeof value !== 'string') return bad(`field ${i} must be exactly {"key": string, "value": string}`);
    return { key, value };
  });
  return rule(() => checkFields(fields));
}

function searchTerms(o: JsonObject): { query: string; fields: BoardField[] } {
  const v = o.query;
  if (typeof v !== 'string') throw new ControlHttpError(400, 'CONTROL_FIELD_INVALID', 'field "query" must be a string');
  const fields = fieldsField(o);
  rule(() => checkSearchTerms(v, fields)); // BOARD_BAD_QUERY: too long, control characters, > 16 words, nothing to match
  return { query: v, fields };
}

function intField(o: JsonObject, name: string, min: number, max: number, code: string): number {
  const v = o[name];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ControlHttpError(400, 'CONTROL_FIELD_INVALID', `field "${name}" must be a whole number`);
  if (v < min || v > max) throw new ControlHttpError(400, code, `field "${name}" must be ${min}..${max}, got ${v}`);
  return v;
}

function ttlField(o: JsonObject, max: number): number {
  return intField(o, 'ttlSeconds', 1, max, 'BOARD_TTL');
}

function postIdField(o: JsonObject): string {
  const v = stringField(o, 'postId', 64);
  if (!POST_ID.test(v)) throw new ControlHttpError(400, 'BOARD_POST_ID_INVALID', 'a post id is 32 lowercase hex digits (see `tokumei search`)');
  return v;
}

function answerAddressField(o: JsonObject): string {
  const v = stringField(o, 'answerAddress', 2 * ADDRESS_TEXT_LENGTH);
  if (v !== '') rule(() => decodeAddress(v)); // ADDRESS_INVALID
  return v;
}

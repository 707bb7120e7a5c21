/**
 * The control API's emergency-opening endpoints (docs/protocol.md §2.7, §2.8). A trustee's node
 * lists the opening requests on a board and approves one only when this API is called (the
 * human's decision); an authority's node requests openings and follows them. The routes of a
 * role exist only when the node has that role (`tokumei node --trustee CADIR:INDEX`, `--authority
 * AUTHDIR`); otherwise they are 404 CONTROL_NOT_FOUND.
 *
 * Trustee (the node's trustee service):
 *   GET  /api/trustee                      → {index, threshold, trustees, authorities: [{name, signingPublicKey}], boards: [string]}
 *   GET  /api/trustee/requests?board=ADDR  → {requests: [TrusteeRequest]}     (board optional once one was named)
 *   POST /api/trustee/approve {requestId, board?}  → TrusteeRequest           (after the authority's receipt)
 * Trustee or authority:
 *   GET  /api/trustee/audits?board=ADDR    → {audits: [Audit]}
 * Authority (the node's authority service):
 *   POST /api/opening/request {board, anonymousId, reason}  → Opening         (once the notice is on the board)
 *   GET  /api/opening                      → {authority: {name, signingPublicKey}, openings: [Opening]}
 *   GET  /api/opening/<requestId>          → Opening
 *
 *   TrusteeRequest = {requestId, board, postId, anonId, authority, authorityKey, reason, requestedAt,
 *                     status: 'pending'|'approving'|'approved'|'countersigned'|'refused'|'failed',
 *                     error?: {code, message}, result?: serial|null}
 *   Opening        = {requestId, board, anonId, authority, reason, requestedAt, postId,
 *                     status: 'waiting'|'opened'|'failed', stage: 'approvals'|'countersigning'|'publishing'|'done',
 *                     approvals, threshold, result?: serial|null, auditPostId?, trustees?: [index],
 *                     rejected: [{trusteeIndex, code, message}], error?: {code, message}}
 *                    (result, auditPostId, trustees only when status is 'opened'; result null: no member matched)
 *   Audit          = {postId, created, requestId, anonId, authority, authorityKey, reason, requestedAt,
 *                     result: serial|null, trustees: [index], verified: boolean, error?: {code, message}}
 *
 * Ids are lower-case hex: requestId 32 digits, anonymousId 128 (a post's `anonymousId`); times are
 * ms since the epoch. Errors: 400 for a malformed request (OPENING_BAD_REQUEST, BOARD_ADDRESS_INVALID,
 * BOARD_BAD_TEXT, CONTROL_FIELD_INVALID, TRUSTEE_NO_BOARD), 404 TRUSTEE_NO_SUCH_REQUEST /
 * OPENING_NO_SUCH_REQUEST, 409 for a policy's no (OPENING_AUTHORITY_REFUSED, OPENING_REQUEST_STALE,
 * TRUSTEE_NOT_PENDING, OPENING_CLOSED, OPENING_BUSY, …), 502 when the network failed, 503 CONTROL_BUSY.
 */
import type { IncomingMessage } from 'node:http';
import { TokumeiError } from '../../errors.js';
import { BOARD_ADDRESS_TEXT_LENGTH, decodeBoardAddress } from '../../board/board-address.js';
import { checkText } from '../../board/text-rules.js';
import type { AuditView } from '../opening-audits.js';
import type { OpeningStatus } from '../opening-state.js';
import { REASON_MAX_BYTES, type OpeningAuthority } from '../opening-request.js';
import type { TrusteeRequestView } from '../trustee-service.js';
import { textField } from '../fields.js';
import { failWith } from '../../wire/json-fields.js';
import { ControlHttpError } from '../../control/http-error.js';
import { readJsonObject, stringField, type JsonObject } from '../../control/json-body.js';
import type { Router } from '../../control/router.js';
import { inFlightLimit } from '../../control/in-flight.js';

/** A reason is at most 1,024 bytes; JSON escapes at most sextuple it (\uXXXX). */
export const MAX_OPENING_BODY_BYTES = 16 * 1024;
/** BOUNDED: opening calls waiting for the network (board searches, posts, approvals). */
export const MAX_OPENING_CALLS_IN_FLIGHT = 8;
const REQUEST_ID = /^[0-9a-f]{32}$/;
const ANON_ID = /^[0-9a-f]{128}$/;

export interface TrusteeInfo {
  index: number;
  threshold: number;
  trustees: number;
  authorities: OpeningAuthority[];
  boards: string[];
}

/** What the trustee endpoints need (`trusteeControl` adapts a TrusteeService). */
export interface TrusteeControl {
  info(): Promise<TrusteeInfo>;
  requests(board: string | undefined): Promise<TrusteeRequestView[]>;
  approve(requestId: string, board: string | undefined): Promise<TrusteeRequestView>;
  audits(board: string): Promise<AuditView[]>;
}

/** What the authority endpoints need (`openingControl` adapts an OpeningService). */
export interface OpeningControl {
  authority(): OpeningAuthority;
  request(p: { board: string; anonymousId: string; reason: string }): Promise<OpeningStatus>;
  status(requestId: string): OpeningStatus | undefined;
  list(): OpeningStatus[];
  audits(board: string): Promise<AuditView[]>;
}

export function addOpeningRoutes(router: Router, roles: { trustee?: TrusteeControl; opening?: OpeningControl }): Router {
  const limit = inFlightLimit(MAX_OPENING_CALLS_IN_FLIGHT, 'opening calls are already waiting for the network');
  const bounded = async <T>(fn: () => Promise<T>): Promise<{ status: number; body: T }> => ({ status: 200, body: await limit(fn) });
  const { trustee, opening } = roles;
  if (trustee) {
    router
      .on('GET', '/api/trustee', () => bounded(() => trustee.info()))
      .on('GET', '/api/trustee/requests', (_req, url) => bounded(async () => ({ requests: await trustee.requests(optionalBoard(url)) })))
      .on('POST', '/api/trustee/approve', (req) =>
        bounded(async () => {
          const b = await read(req, ['requestId', 'board']);
          return trustee.approve(requestIdField(b), b.board === undefined ? undefined : boardText(stringField(b, 'board', 2 * BOARD_ADDRESS_TEXT_LENGTH)));
        }),
      );
  }
  const audits = trustee ?? opening;
  // A node that is trustee and authority both serves the audits once (the trustee's, composed first).
  if (audits && !router.has('GET', '/api/trustee/audits')) router.on('GET', '/api/trustee/audits', (_req, url) => bounded(async () => ({ audits: await audits.audits(requiredBoard(url)) })));
  if (opening) {
    router
      .on('POST', '/api/opening/request', (req) =>
        bounded(async () => {
          const b = await read(req, ['board', 'anonymousId', 'reason']);
          const board = boardText(stringField(b, 'board', 2 * BOARD_ADDRESS_TEXT_LENGTH));
          const anonymousId = stringField(b, 'anonymousId', 256);
          if (!ANON_ID.test(anonymousId)) throw new ControlHttpError(400, 'OPENING_BAD_REQUEST', 'anonymousId must be 128 lower-case hex digits (a post\'s anonymousId)');
          const reason = reasonField(b);
          return opening.request({ board, anonymousId, reason });
        }),
      )
      .on('GET', '/api/opening', () => ({ status: 200, body: { authority: opening.authority(), openings: opening.list() } }))
      .onPrefix('GET', '/api/opening/', (_req, _url, rest) => {
        if (!REQUEST_ID.test(rest)) throw new ControlHttpError(400, 'OPENING_BAD_REQUEST_ID', 'a request id is 32 lower-case hex digits');
        const s = opening.status(rest);
        if (!s) throw new ControlHttpError(404, 'OPENING_NO_SUCH_REQUEST', `this node made no opening request ${rest} (or forgot it: openings live in memory)`);
        return { status: 200, body: s };
      });
  }
  return router;
}

function read(req: IncomingMessage, fields: readonly string[]): Promise<JsonObject> {
  return readJsonObject(req, MAX_OPENING_BODY_BYTES, fields);
}

function boardText(text: string): string {
  try {
    decodeBoardAddress(text);
  } catch (e) {
    throw new ControlHttpError(400, (e as TokumeiError).code ?? 'BOARD_ADDRESS_INVALID', (e as Error).message);
  }
  return text;
}

function optionalBoard(url: URL): string | undefined {
  const b = url.searchParams.get('board');
  if (b === null || b === '') return undefined;
  if (b.length > 2 * BOARD_ADDRESS_TEXT_LENGTH) throw new ControlHttpError(400, 'BOARD_ADDRESS_INVALID', 'board is too long');
  return boardText(b);
}

function requiredBoard(url: URL): string {
  const b = optionalBoard(url);
  if (b === undefined) throw new ControlHttpError(400, 'CONTROL_FIELD_INVALID', 'give ?board=<tkb1 address>');
  return b;
}

function requestIdField(o: JsonObject): string {
  const v = stringField(o, 'requestId', 64);
  if (!REQUEST_ID.test(v)) throw new ControlHttpError(400, 'OPENING_BAD_REQUEST_ID', 'a request id is 32 lower-case hex digits');
  return v;
}

/** The request's own rules (§2.7), then the board's (the notice is a post, §7.3). */
function reasonField(o: JsonObject): string {
  const v = stringField(o, 'reason', 4 * REASON_MAX_BYTES);
  try {
    textField(v, REASON_MAX_BYTES, 'reason', failWith('bad-input', 'OPENING_BAD_REQUEST', 'opening request'));
    checkText(v, REASON_MAX_BYTES, 'OPENING_BAD_REQUEST', { what: 'reason' });
  } catch (e) {
    if (e instanceof TokumeiError) throw new ControlHttpError(400, e.code, e.message);
    throw e;
  }
  return v;
}

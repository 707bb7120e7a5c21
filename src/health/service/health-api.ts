/**
 * The control API's health endpoints (docs/protocol.md §8): the member's profile, uploads,
 * statistics, offers, answers, proposals and letters of intent; the intermediary's publication;
 * the clinic's offers, answers, proposals, letters and released data. JSON in, JSON out; every
 * body is bounded (MAX_HEALTH_BODY_BYTES) and checked for its form here, for its meaning by the
 * health code (whose codes come back unchanged).
 *
 * Member
 *   GET  /api/health/profile                                  → ProfileView
 *   POST /api/health/attribute   {name, value}                → ProfileView   (value null clears)
 *   POST /api/health/disclose    {name, on}                   → ProfileView
 *   POST /api/health/measurement {kind, value, at?}           → ProfileView   (at: ms, default now)
 *   POST /api/health/upload      {board, study, pseudonymous?} → {postId, expires, study, included, omitted, pseudonymous}
 *   GET  /api/health/stats?board=&study=                      → {stats: StudyStats | null, standing: [Standing]}
 *   GET  /api/health/offers?board=                            → {offers: [{postId, offer, match, answerId}], skipped}
 *   POST /api/health/answer      {board, postId, disclose: [name], message?} → {answerId, offerId, postId, disclosed}
 *   GET  /api/health/proposals                                → {proposals: [ProposalView]}
 *   POST /api/health/letter/request {proposalId}              → LetterExchangeView
 *   POST /api/health/letter/sign {exchangeId, passphrase, items?} → LetterExchangeView
 *   GET  /api/health/letters                                  → {letters: [LetterExchangeView]}
 * Clinic
 *   POST /api/health/offer       {board, offer, ttlSeconds?}  → {postId, offerId, expires}
 *   GET  /api/health/answers?board=                           → {answers: [ClinicAnswerView], skipped}
 *   POST /api/health/propose     {answerId, proposal: {text, appointments?, letterOfIntent?, expires?}}
 *                                                             → {answerId, proposalId}
 *   POST /api/health/clinic-letter {answerId, purposes, retentionDays, items} → ClinicAnswerView
 *   GET  /api/health/released                                 → {released: [ReleasedRecord]}
 * Intermediary
 *   POST /api/health/publish-stats {board, study, minCohort, since?} → {uploads, skipped, cohorts, posts, issued}
 *
 * Shapes (times are ms since the epoch; ids are 32 lower-case hex digits):
 *   ProfileView        {attributes: {<name>: {value: string|number|boolean|null, disclosed, locked}},
 *                       measurements: [{kind, value, at}] (oldest first),
 *                       catalogue: [{name, label, class, type, locked, defaultDisclosed, unit?, min?,
 *                                    max?, decimals?, values?, maxLength?, pattern?}]}
 *   StudyStats         {study, issued, since, minCohort, cohorts: [{ageBand, sex, members, kinds:
 *                       {<kind>: {members, points, mean, sd, min, q1, median, q3, max, trend}}}]}
 *   Standing           {kind, value, at, disclosed, cohort: {ageBand, sex}|null, status: "ok"|
 *                       "no-cohort"|"cohort-not-published"|"kind-not-published", stats, percentile, z}
 *   offer (in offers)  {offerId, clinic, title, description, criteria: [{attribute, op, value}], expires,
 *                       hints: [{key, value}]}
 *   match              {matches, expired, reasons: [{criterion, outcome: "met"|"not-met"|
 *                       "unknown-attribute"|"wrong-type", matched, reason}]}  (reasons quote the
 *                       member's own values: shown here, never sent anywhere)
 *   ProposalView       {proposalId, answerId, offerId, clinic, title, text, appointments: [{at, minutes,
 *                       place}], letterOfIntent, expires, receivedAt, exchangeId: string|null}
 *   LetterExchangeView {exchangeId, proposalId, answerId, offerId, state: "requested"|"received"|
 *                       "released"|"failed", clinicLetter: {clinic, clinicSerial, purposes,
 *                       retentionDays, items, date, hash}|null, released: {items, missing, at}|null,
 *                       error: {code, message}|null, requestedAt, updatedAt}
 *   offer (POST)       {clinic, title, description, criteria, expires, hints?, offerId?}
 *   ClinicAnswerView   {answerId, board, postId, offerId, title, received, disclosed: {<name>: value},
 *                       message, proposals: [{proposalId, text, letterOfIntent, expires, sentAt}],
 *                       letter: {state: "none"|"requested"|"prepared"|"sent"|"released", hash, items}}
 *   ReleasedRecord     {answerId, offerId, proposalId, memberSerial, items: {<identifying name>: value},
 *                       clinicLetter, memberLetter, purposes, retentionDays, receivedAt}
 *
 * Errors are {"error": {code, message}}: 400 for a malformed request or a value the catalogue
 * refuses (CONTROL_FIELD_INVALID, HEALTH_BAD_VALUE, HEALTH_BAD_OFFER, BOARD_ADDRESS_INVALID, …),
 * 403 KEYSTORE_BAD_PASSPHRASE (nothing was signed or sent), 404 for an unknown proposal,
 * exchange, answer or post, 409 when a rule says no (HEALTH_LOCKED, HEALTH_NO_MATCH,
 * HEALTH_OFFER_EXPIRED, HEALTH_LETTER_NOT_READY, …), 413 for a body above the bound, 500 when the
 * profile file does not open (HEALTH_PROFILE_KEY, HEALTH_PROFILE_CORRUPT), 502/504 when the
 * network failed, 503 CONTROL_BUSY when too many network requests are waiting.
 */
import type { IncomingMessage } from 'node:http';
import { TokumeiError } from '../../errors.js';
import { BOARD_ADDRESS_TEXT_LENGTH, decodeBoardAddress } from '../../board/board-address.js';
import { BOARD_LIMITS } from '../../board/types.js';
import type { IdentifyingAttribute } from '../profile/attributes.js';
import type { ClinicAnswerView, ProposalInput } from '../clinic/clinic.js';
import type { ReleasedRecord } from '../clinic/clinic-letters.js';
import type { PublishResult } from '../intermediary/intermediary.js';
import type { LetterExchangeView, ProposalView } from '../member/member-exchanges.js';
import type { AnswerResult, OfferView, StatsResult, UploadResult } from '../member/member-health.js';
import type { ProfileView } from '../profile/profile-keeper.js';
import { ControlHttpError } from '../../control/http-error.js';
import { readJsonObject, stringField, type JsonObject } from '../../control/json-body.js';
import type { Router } from '../../control/router.js';
import { inFlightLimit } from '../../control/in-flight.js';

/** An offer's text is at most 16,384 bytes; JSON escapes at most double it. */
export const MAX_HEALTH_BODY_BYTES = 64 * 1024;
/** BOUNDED: health requests waiting for the network (board requests, proposals, letters). */
export const MAX_HEALTH_REQUESTS_IN_FLIGHT = 8;
const ID = /^[0-9a-f]{32}$/;
const NAME_CHARS = 64;
/** Passphrases are typed by people; anything longer is a mistake (the keystore would refuse it too). */
const MAX_PASSPHRASE_CHARS = 1_024;

/** What the health endpoints need from the node (`healthControl` adapts a node's HealthNode). */
export interface HealthControl {
  profile(): Promise<ProfileView>;
  setAttribute(name: string, value: string | number | boolean | null): Promise<ProfileView>;
  setDisclosed(name: string, on: boolean): Promise<ProfileView>;
  recordMeasurement(m: { kind: string; value: number; at?: number }): Promise<ProfileView>;
  upload(board: string, o: { study: string; pseudonymous: boolean }): Promise<UploadResult>;
  stats(board: string, study: string): Promise<StatsResult>;
  offers(board: string): Promise<{ offers: OfferView[]; skipped: number }>;
  answer(board: string, postId: string, o: { disclose: string[]; message: string }): Promise<AnswerResult>;
  proposals(): ProposalView[];
  requestLetter(proposalId: string): Promise<LetterExchangeView>;
  signLetter(exchangeId: string, passphrase: string, items?: IdentifyingAttribute[]): Promise<LetterExchangeView>;
  letters(): LetterExchangeView[];
  postOffer(board: string, offer: JsonObject, ttlSeconds?: number): Promise<{ postId: string; offerId: string; expires: number }>;
  answers(board: string): Promise<{ answers: ClinicAnswerView[]; skipped: number }>;
  propose(answerId: string, proposal: ProposalInput): Promise<{ answerId: string; proposalId: string }>;
  clinicLetter(answerId: string, draft: { purposes: string[]; retentionDays: number; items: IdentifyingAttribute[] }): Promise<ClinicAnswerView>;
  released(): ReleasedRecord[];
  publishStats(board: string, o: { study: string; minCohort: number; since?: number }): Promise<PublishResult>;
}

const invalid = (message: string): never => {
  throw new ControlHttpError(400, 'CONTROL_FIELD_INVALID', message);
};

export function addHealthRoutes(router: Router, api: HealthControl): Router {
  const limit = inFlightLimit(MAX_HEALTH_REQUESTS_IN_FLIGHT, 'health requests are already waiting for the network');
  /** Holds one of the MAX_HEALTH_REQUESTS_IN_FLIGHT slots (before the body is read) while `fn` runs. */
  const network = <T>(fn: () => Promise<T>): Promise<{ status: number; body: T }> => limit(() => local(fn));
  // Errors keep their code; their kind gives the status (control/http-error.ts).
  const local = async <T>(fn: () => Promise<T> | T): Promise<{ status: number; body: T }> => ({ status: 200, body: await fn() });
  const read = (req: IncomingMessage, fields: readonly string[]) => readJsonObject(req, MAX_HEALTH_BODY_BYTES, fields);
  return router
    .on('GET', '/api/health/profile', () => local(() => api.profile()))
    .on('POST', '/api/health/attribute', (req) =>
      local(async () => {
        const b = await read(req, ['name', 'value']);
        const value = b.value;
        if (!(value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) invalid('field "value" must be a string, number, boolean or null');
        return api.setAttribute(stringField(b, 'name', NAME_CHARS), value as string | number | boolean | null);
      }),
    )
    .on('POST', '/api/health/disclose', (req) =>
      local(async () => {
        const b = await read(req, ['name', 'on']);
        return api.setDisclosed(stringField(b, 'name', NAME_CHARS), boolField(b, 'on'));
      }),
    )
    .on('POST', '/api/health/measurement', (req) =>
      local(async () => {
        const b = await read(req, ['kind', 'value', 'at']);
        if (typeof b.value !== 'number' || !Number.isFinite(b.value)) invalid('field "value" must be a number');
        const at = b.at === undefined ? undefined : intField(b, 'at', 0, Number.MAX_SAFE_INTEGER);
        return api.recordMeasurement({ kind: stringField(b, 'kind', NAME_CHARS), value: b.value as number, ...(at !== undefined ? { at } : {}) });
      }),
    )
    .on('POST', '/api/health/upload', (req) =>
      network(async () => {
        const b = await read(req, ['board', 'study', 'pseudonymous']);
        return api.upload(boardField(b.board), { study: stringField(b, 'study', NAME_CHARS), pseudonymous: b.pseudonymous === undefined ? false : boolField(b, 'pseudonymous') });
      }),
    )
    .on('GET', '/api/health/stats', (_req, url) =>
      network(() => {
        const board = boardField(url.searchParams.get('board'));
        const study = url.searchParams.get('study');
        if (study === null || study.length > NAME_CHARS) invalid('query parameter "study" is required (at most 64 characters)');
        return api.stats(board, study as string);
      }),
    )
    .on('GET', '/api/health/offers', (_req, url) => network(() => api.offers(boardField(url.searchParams.get('board')))))
    .on('POST', '/api/health/answer', (req) =>
      network(async () => {
        const b = await read(req, ['board', 'postId', 'disclose', 'message']);
        const board = boardField(b.board);
        const postId = idField(b, 'postId');
        const disclose = stringList(b, 'disclose', 0, 32);
        const message = b.message === undefined ? '' : stringField(b, 'message', 8_192);
        return api.answer(board, postId, { disclose, message });
      }),
    )
    .on('GET', '/api/health/proposals', () => local(() => ({ proposals: api.proposals() })))
    .on('POST', '/api/health/letter/request', (req) =>
      network(async () => {
        const b = await read(req, ['proposalId']);
        return api.requestLetter(idField(b, 'proposalId'));
      }),
    )
    .on('POST', '/api/health/letter/sign', (req) =>
      network(async () => {
        const b = await read(req, ['exchangeId', 'passphrase', 'items']);
        const exchangeId = idField(b, 'exchangeId');
        const passphrase = stringField(b, 'passphrase', MAX_PASSPHRASE_CHARS);
        const items = b.items === undefined ? undefined : (stringList(b, 'items', 1, 5) as IdentifyingAttribute[]);
        return api.signLetter(exchangeId, passphrase, items);
      }),
    )
    .on('GET', '/api/health/letters', () => local(() => ({ letters: api.letters() })))
    .on('POST', '/api/health/offer', (req) =>
      network(async () => {
        const b = await read(req, ['board', 'offer', 'ttlSeconds']);
        const board = boardField(b.board);
        const offer = objectField(b, 'offer');
        const ttlSeconds = b.ttlSeconds === undefined ? undefined : intField(b, 'ttlSeconds', 1, BOARD_LIMITS.maxPostTtlSeconds);
        return api.postOffer(board, offer, ttlSeconds);
      }),
    )
    .on('GET', '/api/health/answers', (_req, url) => network(() => api.answers(boardField(url.searchParams.get('board')))))
    .on('POST', '/api/health/propose', (req) =>
      network(async () => {
        const b = await read(req, ['answerId', 'proposal']);
        const answerId = idField(b, 'answerId');
        const p = objectField(b, 'proposal');
        const unknown = Object.keys(p).find((k) => !['text', 'appointments', 'letterOfIntent', 'expires'].includes(k));
        if (unknown !== undefined) invalid(`unexpected proposal field ${JSON.stringify(unknown.slice(0, 40))}`);
        if (typeof p.text !== 'string') invalid('proposal "text" must be a string');
        if (p.appointments !== undefined && !Array.isArray(p.appointments)) invalid('proposal "appointments" must be a list');
        const proposal: ProposalInput = { text: p.text as string };
        if (p.appointments !== undefined) proposal.appointments = p.appointments as ProposalInput['appointments'];
        if (p.letterOfIntent !== undefined) proposal.letterOfIntent = boolField(p, 'letterOfIntent');
        if (p.expires !== undefined) proposal.expires = intField(p, 'expires', 0, Number.MAX_SAFE_INTEGER);
        return api.propose(answerId, proposal);
      }),
    )
    .on('POST', '/api/health/clinic-letter', (req) =>
      network(async () => {
        const b = await read(req, ['answerId', 'purposes', 'retentionDays', 'items']);
        const answerId = idField(b, 'answerId');
        const purposes = stringList(b, 'purposes', 1, 8);
        const retentionDays = intField(b, 'retentionDays', 1, 3_650);
        const items = stringList(b, 'items', 1, 5) as IdentifyingAttribute[];
        return api.clinicLetter(answerId, { purposes, retentionDays, items });
      }),
    )
    .on('GET', '/api/health/released', () => local(() => ({ released: api.released() })))
    .on('POST', '/api/health/publish-stats', (req) =>
      network(async () => {
        const b = await read(req, ['board', 'study', 'minCohort', 'since']);
        const board = boardField(b.board);
        const study = stringField(b, 'study', NAME_CHARS);
        const minCohort = intField(b, 'minCohort', 1, 1_000_000);
        const since = b.since === undefined ? undefined : intField(b, 'since', 0, Number.MAX_SAFE_INTEGER);
        return api.publishStats(board, { study, minCohort, ...(since !== undefined ? { since } : {}) });
      }),
    );
}

function boardField(v: unknown): string {
  if (typeof v !== 'string' || v.length === 0) invalid('"board" (a tkb1… board address) is required');
  const text = v as string;
  if (text.length > 2 * BOARD_ADDRESS_TEXT_LENGTH) invalid('"board" is too long to be a board address');
  try {
    decodeBoardAddress(text);
  } catch (e) {
    if (e instanceof TokumeiError) throw new ControlHttpError(400, e.code, e.message);
    throw e;
  }
  return text;
}

function idField(o: JsonObject, name: string): string {
  const v = o[name];
  if (typeof v !== 'string' || !ID.test(v)) invalid(`field "${name}" must be 32 lower-case hex digits`);
  return v as string;
}

function boolField(o: JsonObject, name: string): boolean {
  const v = o[name];
  if (typeof v !== 'boolean') invalid(`field "${name}" must be true or false`);
  return v as boolean;
}

function intField(o: JsonObject, name: string, min: number, max: number): number {
  const v = o[name];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) invalid(`field "${name}" must be a whole number ${min}..${max}`);
  return v as number;
}

function objectField(o: JsonObject, name: string): JsonObject {
  const v = o[name];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) invalid(`field "${name}" must be an object`);
  return v as JsonObject;
}

function stringList(o: JsonObject, name: string, min: number, max: number): string[] {
  const v = o[name];
  if (!Array.isArray(v) || v.length < min || v.length > max) invalid(`field "${name}" must be a list of ${min}..${max} strings`);
  for (const s of v as unknown[]) if (typeof s !== 'string' || s.length > 1_024) invalid(`field "${name}" must hold strings of at most 1024 characters`);
  return [...(v as string[])];
}

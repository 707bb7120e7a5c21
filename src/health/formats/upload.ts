/**
 * Anonymous uploads of disclosed health data as board posts (docs/protocol.md §8.2).
 *
 *   fields: kind=health.upload, study=<study>, ageband=<band>?, sex=<sex>?, pseudonym=<hex>?
 *   text:   {"v":1,"at":<minute>,"a":{"postcodeArea":…,"smoker":…},"m":{"<kind>":[[<minute>,<value>],…],…}}
 *
 * Everything comes from `disclosedView`: nothing else of the profile is read. Times are whole
 * minutes since the epoch (finer times would only help link uploads). The text is canonical —
 * keys in the order above, attribute and kind keys in catalogue order, each series newest first,
 * no whitespace, numbers as JavaScript prints them — and a parser refuses any other spelling.
 * When the disclosed series do not fit the 16,384-byte post text, the oldest points are left out.
 *
 * Pseudonym: an upload is anonymous and independent (the poster signs with a one-time ID). A member
 * who agrees to a stable pseudonym per study adds `pseudonym` = hex(HMAC-SHA-256(local secret,
 * "tokumei-health/1 study pseudonym" ‖ 0x00 ‖ study)[0..16]): the same in every upload to that
 * study, unlinkable across studies without the secret. The intermediary merges uploads that carry
 * the same pseudonym into one member (cohort-stats.ts).
 */

import { checkBytes, toHex, utf8 } from '../../crypto/bytes.js';
import { hmacSha256 } from '../../crypto/hash.js';
import { checkAttributeValue, checkMeasurementValue, isAgeBand, isMeasurementKind, isSex, MEASUREMENT_KINDS, type AgeBand, type MeasurementKind, type Sex } from '../profile/attributes.js';
import { disclosedView, type Measurement, type Profile } from '../profile/profile.js';
import { HealthErrors } from '../health-errors.js';

export const UPLOAD_KIND = 'health.upload';
export const UPLOAD_VERSION = 1;
/** §7.3: a post's text is at most 16,384 bytes of UTF-8. */
export const MAX_POST_TEXT_BYTES = 16_384;
export const MINUTE_MS = 60_000;
/** A study tag: short, lower case, usable as a board field value. */
export const STUDY_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
export const PSEUDONYM_SECRET_LENGTH = 32;
const PSEUDONYM_INFO = 'tokumei-health/1 study pseudonym';
/** Latest minute a Date can hold (8.64e15 ms). */
const MAX_MINUTE = 144_000_000_000;

/** A post field (the same shape as the board's BoardField, §7.3). */
export interface PostField {
  key: string;
  value: string;
}

export interface UploadOptions {
  study: string;
  now: number;
  /** Only measurements at or after this time (ms), e.g. the previous upload's. */
  since?: number;
  /** Tag the upload with the member's stable pseudonym for this study (needs `pseudonymSecret`). */
  pseudonymous?: boolean;
  /** A 32-byte secret that never leaves the device. */
  pseudonymSecret?: Uint8Array;
  /** Default MAX_POST_TEXT_BYTES. */
  maxTextBytes?: number;
}

export interface UploadPayload {
  text: string;
  fields: PostField[];
  /** Points in the text. */
  included: number;
  /** Older points left out to fit the text limit. */
  omitted: number;
}

export interface ParsedUpload {
  study: string;
  /** Upload time, ms (a whole minute). */
  at: number;
  ageBand?: AgeBand;
  sex?: Sex;
  pseudonym?: string;
  attributes: { postcodeArea?: string; smoker?: boolean };
  /** Kinds in catalogue order, each newest first; `at` in ms (whole minutes). */
  measurements: Measurement[];
}

function badOption(message: string): never {
  throw HealthErrors.HEALTH_BAD_OPTION(message);
}
function badUpload(message: string): never {
  throw HealthErrors.HEALTH_BAD_UPLOAD(`bad health upload: ${message}`);
}

export function checkStudy(study: unknown): string {
  if (typeof study !== 'string' || !STUDY_PATTERN.test(study)) badOption(`a study tag must match ${STUDY_PATTERN.source}, got ${JSON.stringify(study)}`);
  return study;
}

/** The member's stable pseudonym in one study (32 hex digits). */
export function studyPseudonym(secret: Uint8Array, study: string): string {
  checkBytes('pseudonym secret', secret, PSEUDONYM_SECRET_LENGTH);
  checkStudy(study);
  return toHex(hmacSha256(secret, utf8(`${PSEUDONYM_INFO}\u0000${study}`)).subarray(0, 16));
}

interface Point {
  kind: MeasurementKind;
  minute: number;
  value: number;
}

type Attrs = ParsedUpload['attributes'];

function encodeText(at: number, attrs: Attrs, points: readonly Point[]): string {
  const a: Attrs = {};
  if (attrs.postcodeArea !== undefined) a.postcodeArea = attrs.postcodeArea;
  if (attrs.smoker !== undefined) a.smoker = attrs.smoker;
  const m: Partial<Record<MeasurementKind, [number, number][]>> = {};
  for (const kind of MEASUREMENT_KINDS) {
    const series = points.filter((p) => p.kind === kind).map((p): [number, number] => [p.minute, p.value]);
    if (series.length > 0) m[kind] = series;
  }
  return JSON.stringify({ v: UPLOAD_VERSION, at, a, m });
}

const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Builds the board payload of one upload from the profile's disclosed view only. */
export function buildUpload(profile: Profile, options: UploadOptions): UploadPayload {
  const study = checkStudy(options.study);
  const { now } = options;
  if (!Number.isSafeInteger(now) || now < 0) badOption('now must be whole milliseconds');
  const since = options.since ?? 0;
  if (!Number.isSafeInteger(since)) badOption('since must be whole milliseconds');
  const maxBytes = options.maxTextBytes ?? MAX_POST_TEXT_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1 || maxBytes > MAX_POST_TEXT_BYTES) badOption(`maxTextBytes must be 1..${MAX_POST_TEXT_BYTES}`);
  let pseudonym: string | undefined;
  if (options.pseudonymous === true) {
    if (options.pseudonymSecret === undefined) badOption('a pseudonymous upload needs the pseudonym secret');
    pseudonym = studyPseudonym(options.pseudonymSecret, study);
  }

  const view = disclosedView(profile, now);
  // One point per kind and minute (the newest wins), within [since, now], newest first.
  const byKey = new Map<string, Point>();
  for (const m of view.measurements) {
    if (m.at < since || m.at > now) continue;
    const minute = Math.floor(m.at / MINUTE_MS);
    byKey.set(`${m.kind}/${minute}`, { kind: m.kind, minute, value: m.value });
  }
  const order = new Map<string, number>(MEASUREMENT_KINDS.map((k, i) => [k, i]));
  const points = [...byKey.values()].sort((x, y) => y.minute - x.minute || order.get(x.kind)! - order.get(y.kind)!);
  if (points.length === 0) {
    throw HealthErrors.HEALTH_NOTHING_TO_UPLOAD('no disclosed measurement to upload (disclose at least one measurement kind)');
  }

  const at = Math.floor(now / MINUTE_MS);
  const attrs: Attrs = { postcodeArea: view.postcodeArea, smoker: view.smoker };
  // The largest newest-first prefix that fits (the length grows with every point).
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (byteLength(encodeText(at, attrs, points.slice(0, mid))) <= maxBytes) lo = mid;
    else hi = mid - 1;
  }
  if (lo === 0) throw HealthErrors.HEALTH_UPLOAD_TOO_LARGE(`not even one measurement fits in ${maxBytes} bytes`);

  const fields: PostField[] = [
    { key: 'kind', value: UPLOAD_KIND },
    { key: 'study', value: study },
  ];
  if (view.ageBand !== undefined) fields.push({ key: 'ageband', value: view.ageBand });
  if (view.sex !== undefined) fields.push({ key: 'sex', value: view.sex });
  if (pseudonym !== undefined) fields.push({ key: 'pseudonym', value: pseudonym });
  return { text: encodeText(at, attrs, points.slice(0, lo)), fields, included: lo, omitted: points.length - lo };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

function parseFields(fields: unknown): Omit<ParsedUpload, 'at' | 'attributes' | 'measurements'> {
  if (!Array.isArray(fields) || fields.length > 16) badUpload('fields must be a list of at most 16');
  const seen = new Map<string, string>();
  for (const f of fields as unknown[]) {
    if (!isPlainObject(f) || typeof f.key !== 'string' || typeof f.value !== 'string') badUpload('a field is not {key, value}');
    if (seen.has(f.key)) badUpload(`field ${f.key} repeated`);
    seen.set(f.key, f.value);
  }
  for (const key of seen.keys()) if (!['kind', 'study', 'ageband', 'sex', 'pseudonym'].includes(key)) badUpload(`unknown field ${JSON.stringify(key)}`);
  if (seen.get('kind') !== UPLOAD_KIND) badUpload(`field kind must be ${UPLOAD_KIND}`);
  const study = seen.get('study');
  if (study === undefined || !STUDY_PATTERN.test(study)) badUpload('missing or malformed study');
  const out: Omit<ParsedUpload, 'at' | 'attributes' | 'measurements'> = { study };
  const ageBand = seen.get('ageband');
  if (ageBand !== undefined) {
    if (!isAgeBand(ageBand)) badUpload(`unknown age band ${JSON.stringify(ageBand)}`);
    out.ageBand = ageBand;
  }
  const sex = seen.get('sex');
  if (sex !== undefined) {
    if (!isSex(sex)) badUpload(`unknown sex ${JSON.stringify(sex)}`);
    out.sex = sex;
  }
  const pseudonym = seen.get('pseudonym');
  if (pseudonym !== undefined) {
    if (!/^[0-9a-f]{32}$/.test(pseudonym)) badUpload('malformed pseudonym');
    out.pseudonym = pseudonym;
  }
  return out;
}

const isMinute = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= MAX_MINUTE;

/** Parses and checks an upload strictly; anything malformed, out of range or unknown is HEALTH_BAD_UPLOAD. */
export function parseUpload(text: unknown, fields: unknown): ParsedUpload {
  const head = parseFields(fields);
  if (typeof text !== 'string') badUpload('text is not a string');
  if (byteLength(text) > MAX_POST_TEXT_BYTES) badUpload(`text is longer than ${MAX_POST_TEXT_BYTES} bytes`);
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    badUpload('text is not JSON');
  }
  if (!isPlainObject(j)) badUpload('text is not an object');
  if (j.v !== UPLOAD_VERSION) badUpload(`unknown version ${JSON.stringify(j.v)}`);
  if (Object.keys(j).join(',') !== 'v,at,a,m') badUpload('text must hold exactly v, at, a, m');
  if (!isMinute(j.at)) badUpload('at is not a whole minute');
  const at = j.at;

  if (!isPlainObject(j.a)) badUpload('a is not an object');
  const attributes: Attrs = {};
  for (const [name, value] of Object.entries(j.a)) {
    if (name !== 'postcodeArea' && name !== 'smoker') badUpload(`attribute ${JSON.stringify(name)} cannot be uploaded`);
    try {
      if (name === 'smoker') attributes.smoker = checkAttributeValue('smoker', value, undefined);
      else attributes.postcodeArea = checkAttributeValue('postcodeArea', value, undefined);
    } catch (e) {
      badUpload((e as Error).message);
    }
  }

  if (!isPlainObject(j.m)) badUpload('m is not an object');
  const points: Point[] = [];
  for (const [kind, series] of Object.entries(j.m)) {
    if (!isMeasurementKind(kind)) badUpload(`unknown measurement kind ${JSON.stringify(kind)}`);
    if (!Array.isArray(series) || series.length === 0) badUpload(`${kind} is not a non-empty list`);
    let prev = Infinity;
    for (const p of series as unknown[]) {
      if (!Array.isArray(p) || p.length !== 2 || !isMinute(p[0])) badUpload(`${kind}: a point is not [minute, value]`);
      const minute = p[0] as number;
      if (minute > at) badUpload(`${kind}: a point is after the upload`);
      if (minute >= prev) badUpload(`${kind}: points are not strictly newest first`);
      prev = minute;
      points.push({ kind, minute, value: checkMeasurementValue(kind, p[1], 'HEALTH_BAD_UPLOAD', 'protocol') });
    }
  }
  if (points.length === 0) badUpload('no measurements');
  if (encodeText(at, attributes, points) !== text) badUpload('text is not in canonical form');
  return {
    ...head,
    at: at * MINUTE_MS,
    attributes,
    measurements: points.map((p) => ({ kind: p.kind, value: p.value, at: p.minute * MINUTE_MS })),
  };
}

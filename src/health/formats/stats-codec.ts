/**
 * Published cohort statistics as board posts (docs/protocol.md §8.3):
 *
 *   fields: kind=health.stats, study=<study>, issued=<ms, decimal>, part=<i>/<n>
 *   text:   {"v":1,"study":…,"issued":…,"since":…|null,"minCohort":…,"part":i,"parts":n,
 *            "cohorts":[{"ageBand":…,"sex":…,"members":…,"kinds":{"<kind>":{"members":…,"points":…,
 *              "mean":…,"sd":…|null,"min":…,"q1":…,"median":…,"q3":…,"max":…,"trend":…|null},…}},…]}
 *
 * When the cohorts do not fit one 16,384-byte text they are spread over parts 1..n (at most 64),
 * each a complete JSON document with the same header. A reader needs every part of one (study,
 * issued); decoding is strict and also checks the suppression rule (no cohort or kind under
 * minCohort), so a member can see that the intermediary kept it.
 */

import { AGE_BANDS, isAgeBand, isMeasurementKind, isSex, MEASUREMENT_KINDS, MEASUREMENTS, SEXES } from '../profile/attributes.js';
import type { KindStats } from './stats-math.js';
import { MAX_POST_TEXT_BYTES, STUDY_PATTERN, type PostField } from './upload.js';
import type { AgeBand, MeasurementKind, Sex } from '../profile/attributes.js';
import { HealthErrors } from '../health-errors.js';

export interface CohortStats {
  ageBand: AgeBand;
  sex: Sex;
  members: number;
  /** Published kinds only, in catalogue order. */
  kinds: Partial<Record<MeasurementKind, KindStats>>;
}

export interface StudyStats {
  study: string;
  /** When computed (ms): the end of the window. */
  issued: number;
  /** Start of the window (ms), or null for all time. */
  since: number | null;
  minCohort: number;
  /** Published cohorts, by age band then sex (catalogue order). */
  cohorts: CohortStats[];
}

export const STATS_KIND = 'health.stats';
export const STATS_VERSION = 1;
export const MAX_STATS_PARTS = 64;
const KIND_KEYS = ['members', 'points', 'mean', 'sd', 'min', 'q1', 'median', 'q3', 'max', 'trend'] as const;

export interface StatsPost {
  text: string;
  fields: PostField[];
}

function bad(message: string): never {
  throw HealthErrors.HEALTH_BAD_STATS(`bad health statistics: ${message}`);
}

function partText(s: StudyStats, part: number, parts: number, cohorts: readonly CohortStats[]): string {
  return JSON.stringify({
    v: STATS_VERSION,
    study: s.study,
    issued: s.issued,
    since: s.since,
    minCohort: s.minCohort,
    part,
    parts,
    cohorts: cohorts.map((c) => {
      const kinds: Record<string, unknown> = {};
      for (const k of MEASUREMENT_KINDS) {
        const st = c.kinds[k];
        if (st) kinds[k] = Object.fromEntries(KIND_KEYS.map((key) => [key, st[key]]));
      }
      return { ageBand: c.ageBand, sex: c.sex, members: c.members, kinds };
    }),
  });
}

const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Encodes statistics as one or more posts, each text at most `maxTextBytes` (default 16,384). */
export function encodeStats(stats: StudyStats, maxTextBytes = MAX_POST_TEXT_BYTES): StatsPost[] {
  const groups: CohortStats[][] = [[]];
  for (const c of stats.cohorts) {
    const current = groups[groups.length - 1]!;
    // Sizes are measured with two-digit part numbers, the most a part count (≤ 64) needs.
    if (current.length > 0 && byteLength(partText(stats, 99, 99, [...current, c])) > maxTextBytes) groups.push([c]);
    else current.push(c);
    if (byteLength(partText(stats, 99, 99, groups[groups.length - 1]!)) > maxTextBytes) {
      throw HealthErrors.HEALTH_STATS_TOO_LARGE(`one cohort does not fit in ${maxTextBytes} bytes`);
    }
  }
  if (groups.length > MAX_STATS_PARTS) throw HealthErrors.HEALTH_STATS_TOO_LARGE(`statistics need more than ${MAX_STATS_PARTS} posts`);
  return groups.map((cohorts, i) => ({
    text: partText(stats, i + 1, groups.length, cohorts),
    fields: [
      { key: 'kind', value: STATS_KIND },
      { key: 'study', value: stats.study },
      { key: 'issued', value: String(stats.issued) },
      { key: 'part', value: `${i + 1}/${groups.length}` },
    ],
  }));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isTime = (v: unknown): v is number => isCount(v) && v <= 8.64e15;

interface Part {
  header: Omit<StudyStats, 'cohorts'>;
  part: number;
  parts: number;
  cohorts: CohortStats[];
}

function decodeKind(kind: (typeof MEASUREMENT_KINDS)[number], v: unknown, minCohort: number, cohortMembers: number): KindStats {
  if (!isPlainObject(v) || Object.keys(v).join(',') !== KIND_KEYS.join(',')) bad(`${kind}: fields must be ${KIND_KEYS.join(', ')}`);
  const { members, points, mean, sd, min, q1, median, q3, max, trend } = v;
  if (!isCount(members) || members < minCohort || members > cohortMembers) bad(`${kind}: member count out of range`);
  if (!isCount(points) || points < members) bad(`${kind}: point count out of range`);
  const nums = [mean, min, q1, median, q3, max];
  if (!nums.every((x) => typeof x === 'number' && Number.isFinite(x))) bad(`${kind}: a statistic is not a finite number`);
  const [mn, lo, a, b, c, hi] = nums as number[];
  const spec = MEASUREMENTS[kind];
  if (!(spec.min <= lo! && lo! <= a! && a! <= b! && b! <= c! && c! <= hi! && hi! <= spec.max)) bad(`${kind}: min ≤ q1 ≤ median ≤ q3 ≤ max within ${spec.min}–${spec.max} does not hold`);
  if (!(lo! <= mn! && mn! <= hi!)) bad(`${kind}: mean outside min..max`);
  if (members < 2 ? sd !== null : !(typeof sd === 'number' && Number.isFinite(sd) && sd >= 0)) bad(`${kind}: bad sd`);
  if (trend !== null && !(typeof trend === 'number' && Number.isFinite(trend))) bad(`${kind}: bad trend`);
  return { members, points, mean: mn!, sd: sd as number | null, min: lo!, q1: a!, median: b!, q3: c!, max: hi!, trend: trend as number | null };
}

/** Decodes one post of a statistics publication (HEALTH_BAD_STATS). */
export function decodeStatsPart(text: unknown, fields: unknown): Part {
  if (typeof text !== 'string' || byteLength(text) > MAX_POST_TEXT_BYTES) bad('text missing or too long');
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    bad('text is not JSON');
  }
  if (!isPlainObject(j)) bad('text is not an object');
  if (j.v !== STATS_VERSION) bad(`unknown version ${JSON.stringify(j.v)}`);
  if (Object.keys(j).join(',') !== 'v,study,issued,since,minCohort,part,parts,cohorts') bad('unexpected keys');
  const { study, issued, since, minCohort, part, parts, cohorts } = j;
  if (typeof study !== 'string' || !STUDY_PATTERN.test(study)) bad('malformed study');
  if (!isTime(issued) || (since !== null && (!isTime(since) || since > issued))) bad('bad issued or since');
  if (!isCount(minCohort) || minCohort < 1) bad('bad minCohort');
  if (!isCount(parts) || parts < 1 || parts > MAX_STATS_PARTS || !isCount(part) || part < 1 || part > parts) bad('bad part numbers');
  if (!Array.isArray(cohorts)) bad('cohorts is not a list');

  const expected = [
    ['kind', STATS_KIND],
    ['study', study],
    ['issued', String(issued)],
    ['part', `${part}/${parts}`],
  ];
  if (!Array.isArray(fields) || fields.length !== expected.length) bad('fields do not match the text');
  const got = new Map<unknown, unknown>(fields.map((f: unknown) => (isPlainObject(f) ? [f.key, f.value] : [undefined, undefined])));
  if (got.size !== expected.length || !expected.every(([k, v]) => got.get(k) === v)) bad('fields do not match the text');

  const out: CohortStats[] = [];
  for (const c of cohorts as unknown[]) {
    if (!isPlainObject(c) || Object.keys(c).join(',') !== 'ageBand,sex,members,kinds') bad('a cohort must hold ageBand, sex, members, kinds');
    if (!isAgeBand(c.ageBand) || !isSex(c.sex)) bad('unknown cohort');
    if (!isCount(c.members) || c.members < minCohort) bad(`cohort ${c.ageBand} ${c.sex} is under the minimum of ${minCohort}`);
    if (!isPlainObject(c.kinds)) bad('kinds is not an object');
    const kinds: CohortStats['kinds'] = {};
    for (const [kind, v] of Object.entries(c.kinds)) {
      if (!isMeasurementKind(kind)) bad(`unknown measurement kind ${JSON.stringify(kind)}`);
      kinds[kind] = decodeKind(kind, v, minCohort, c.members);
    }
    out.push({ ageBand: c.ageBand, sex: c.sex, members: c.members, kinds });
  }
  return { header: { study, issued, since: since as number | null, minCohort }, part, parts, cohorts: out };
}

const cohortOrder = (c: CohortStats): number => AGE_BANDS.indexOf(c.ageBand) * SEXES.length + SEXES.indexOf(c.sex);

/**
 * Decodes a complete publication: every part 1..n of one (study, issued) exactly once
 * (HEALTH_BAD_STATS; HEALTH_STATS_INCOMPLETE when parts are missing).
 */
export function decodeStats(posts: readonly StatsPost[]): StudyStats {
  if (!Array.isArray(posts) || posts.length === 0) throw HealthErrors.HEALTH_STATS_INCOMPLETE('no statistics posts');
  if (posts.length > MAX_STATS_PARTS) bad(`more than ${MAX_STATS_PARTS} parts`);
  const parts = posts.map((p) => decodeStatsPart(p.text, p.fields));
  const first = parts[0]!;
  const h = JSON.stringify(first.header);
  const seen = new Set<number>();
  for (const p of parts) {
    if (JSON.stringify(p.header) !== h || p.parts !== first.parts) bad('parts of different publications');
    if (seen.has(p.part)) bad(`part ${p.part} repeated`);
    seen.add(p.part);
  }
  if (seen.size !== first.parts) throw HealthErrors.HEALTH_STATS_INCOMPLETE(`have ${seen.size} of ${first.parts} parts`);
  const cohorts = parts.sort((a, b) => a.part - b.part).flatMap((p) => p.cohorts);
  const keys = new Set(cohorts.map((c) => `${c.ageBand}|${c.sex}`));
  if (keys.size !== cohorts.length) bad('a cohort appears twice');
  cohorts.sort((a, b) => cohortOrder(a) - cohortOrder(b));
  return { ...first.header, cohorts };
}

/**
 * From search results (posts of any kind, some perhaps malformed), the newest complete
 * publication for `study`, or undefined.
 */
export function pickLatestStats(posts: readonly StatsPost[], study: string): StudyStats | undefined {
  const groups = new Map<number, StatsPost[]>(); // BOUNDED by the posts given
  for (const p of posts) {
    try {
      const part = decodeStatsPart(p.text, p.fields);
      if (part.header.study !== study) continue;
      const list = groups.get(part.header.issued) ?? [];
      if (!list.some((q) => q.text === p.text)) list.push(p); // the same post found twice
      groups.set(part.header.issued, list);
    } catch {
      // not a statistics post, or a bad one: skipped
    }
  }
  for (const issued of [...groups.keys()].sort((a, b) => b - a)) {
    try {
      return decodeStats(groups.get(issued)!);
    } catch {
      // incomplete or inconsistent: try an older one
    }
  }
  return undefined;
}

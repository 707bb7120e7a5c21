/**
 * The intermediary's statistics by cohort (docs/protocol.md §8.3): from parsed uploads of one
 * study, per cohort (age band × sex) and per measurement kind, the members' latest values'
 * distribution and the trend of all points (arithmetic in stats-math.ts).
 *
 * Members: an upload without a pseudonym is one member; uploads with the same pseudonym are one
 * member, their points merged (on the same kind and minute the newer upload wins; on equal upload
 * times the greater value), their cohort taken from the newest upload. A member without both an
 * age band and a sex, or without a point in the window [since, now], is not counted.
 *
 * Suppression: a cohort with fewer than `minCohort` members is left out entirely, and so is a kind
 * that fewer than `minCohort` of a published cohort's members measured.
 */

import { AGE_BANDS, MEASUREMENT_KINDS, MEASUREMENTS, SEXES, scaledValue, type AgeBand, type MeasurementKind, type Sex } from '../profile/attributes.js';
import { kindStats, type KindStats } from '../formats/stats-math.js';
import type { CohortStats, StudyStats } from '../formats/stats-codec.js';
import { checkStudy, MINUTE_MS, type ParsedUpload } from '../formats/upload.js';
import { HealthErrors } from '../health-errors.js';

export interface CohortStatsOptions {
  study: string;
  /** Smallest number of members a published cohort (and kind) has; at least 1. */
  minCohort: number;
  now: number;
  since?: number;
}

/** BOUNDED by the uploads given (one entry per member). */
interface MemberAcc {
  at: number;
  ageBand: AgeBand | undefined;
  sex: Sex | undefined;
  /** kind → minute → [value, upload at]. */
  points: Map<MeasurementKind, Map<number, [number, number]>>;
}

export function checkStatsOptions(options: CohortStatsOptions): { study: string; minCohort: number; now: number; since: number | null } {
  const study = checkStudy(options.study);
  const { minCohort, now } = options;
  if (!Number.isSafeInteger(minCohort) || minCohort < 1) throw HealthErrors.HEALTH_BAD_OPTION(`minCohort must be a whole number ≥ 1, got ${minCohort}`);
  if (!Number.isSafeInteger(now) || now < 0) throw HealthErrors.HEALTH_BAD_OPTION('now must be whole milliseconds');
  const since = options.since ?? null;
  if (since !== null && (!Number.isSafeInteger(since) || since < 0 || since > now)) throw HealthErrors.HEALTH_BAD_OPTION('since must be whole milliseconds, not after now');
  return { study, minCohort, now, since };
}

const rank = (band: AgeBand | undefined, sex: Sex | undefined): string => `${band ?? ''}|${sex ?? ''}`;

function mergeMembers(uploads: readonly ParsedUpload[], study: string): MemberAcc[] {
  const members = new Map<string, MemberAcc>();
  uploads.forEach((u, i) => {
    if (u.study !== study) return;
    const key = u.pseudonym !== undefined ? `p:${u.pseudonym}` : `u:${i}`;
    let m = members.get(key);
    if (!m) {
      m = { at: u.at, ageBand: u.ageBand, sex: u.sex, points: new Map() };
      members.set(key, m);
    } else if (u.at > m.at || (u.at === m.at && rank(u.ageBand, u.sex) > rank(m.ageBand, m.sex))) {
      m.at = u.at;
      m.ageBand = u.ageBand;
      m.sex = u.sex;
    }
    for (const p of u.measurements) {
      let series = m.points.get(p.kind);
      if (!series) m.points.set(p.kind, (series = new Map()));
      const minute = p.at / MINUTE_MS;
      const old = series.get(minute);
      if (!old || u.at > old[1] || (u.at === old[1] && p.value > old[0])) series.set(minute, [p.value, u.at]);
    }
  });
  return [...members.values()];
}

/** Statistics by cohort from parsed uploads (uploads of other studies are ignored). */
export function computeCohortStats(uploads: readonly ParsedUpload[], options: CohortStatsOptions): StudyStats {
  const { study, minCohort, now, since } = checkStatsOptions(options);
  const inWindow = (minute: number): boolean => minute * MINUTE_MS <= now && (since === null || minute * MINUTE_MS >= since);

  // cohort → members' in-window series (kind → [minute, scaled value][] oldest first)
  const cohorts = new Map<string, Map<MeasurementKind, [number, number][]>[]>();
  for (const m of mergeMembers(uploads, study)) {
    if (m.ageBand === undefined || m.sex === undefined) continue;
    const series = new Map<MeasurementKind, [number, number][]>();
    for (const [kind, pts] of m.points) {
      const kept = [...pts.entries()].filter(([minute]) => inWindow(minute)).sort((a, b) => a[0] - b[0]);
      if (kept.length > 0) series.set(kind, kept.map(([minute, [value]]) => [minute, scaledValue(kind, value)]));
    }
    if (series.size === 0) continue;
    const key = `${m.ageBand}|${m.sex}`;
    let list = cohorts.get(key);
    if (!list) cohorts.set(key, (list = []));
    list.push(series);
  }

  const out: CohortStats[] = [];
  for (const ageBand of AGE_BANDS) {
    for (const sex of SEXES) {
      const members = cohorts.get(`${ageBand}|${sex}`);
      if (!members || members.length < minCohort) continue;
      const kinds: CohortStats['kinds'] = {};
      for (const kind of MEASUREMENT_KINDS) {
        const latest: number[] = [];
        const points: [number, number][] = [];
        for (const series of members) {
          const s = series.get(kind);
          if (!s) continue;
          latest.push(s[s.length - 1]![1]);
          points.push(...s);
        }
        if (latest.length >= minCohort) kinds[kind] = kindStats(latest, points, MEASUREMENTS[kind].decimals);
      }
      out.push({ ageBand, sex, members: members.length, kinds });
    }
  }
  return { study, issued: now, since, minCohort, cohorts: out };
}

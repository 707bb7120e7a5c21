/**
 * Where a member stands in their cohort (docs/protocol.md §8.3), computed on the device: for each
 * measurement kind the member has (disclosed or not — nothing here leaves the device), their latest
 * value against their cohort's published statistics, as a percentile estimated from the
 * five-number summary and a z-score against the mean and standard deviation.
 */
import { MEASUREMENT_KINDS, type AgeBand, type MeasurementKind, type Sex } from '../profile/attributes.js';
import type { KindStats } from '../formats/stats-math.js';
import type { StudyStats } from '../formats/stats-codec.js';
import { isDisclosed, latestMeasurement, profileAgeBand, type Profile } from '../profile/profile.js';
import { percentileFromQuartiles } from '../formats/stats-math.js';

export type StandingStatus =
  | 'ok'
  /** The profile has no birth date or no sex, so no cohort. */
  | 'no-cohort'
  /** The cohort was too small to be published. */
  | 'cohort-not-published'
  /** The cohort is published but this kind was too rare in it. */
  | 'kind-not-published';

export interface Standing {
  kind: MeasurementKind;
  /** The member's latest value and its time (ms). */
  value: number;
  at: number;
  /** Whether the member discloses this kind (informative only). */
  disclosed: boolean;
  cohort: { ageBand: AgeBand; sex: Sex } | null;
  status: StandingStatus;
  stats: KindStats | null;
  /** 0–100, estimated from min, quartiles and max; null unless status is ok. */
  percentile: number | null;
  /** (value − mean) / sd; null unless status is ok and sd > 0. */
  z: number | null;
}

/** One entry per measurement kind the profile has, in catalogue order. `now` defaults to stats.issued. */
export function whereIStand(profile: Profile, stats: StudyStats, now: number = stats.issued): Standing[] {
  const ageBand = profileAgeBand(profile, now);
  const sex = profile.attributes.sex;
  const cohort = ageBand !== undefined && sex !== undefined ? { ageBand, sex } : null;
  const published = cohort ? stats.cohorts.find((c) => c.ageBand === cohort.ageBand && c.sex === cohort.sex) : undefined;
  const out: Standing[] = [];
  for (const kind of MEASUREMENT_KINDS) {
    const m = latestMeasurement(profile, kind, now);
    if (!m) continue;
    const base = { kind, value: m.value, at: m.at, disclosed: isDisclosed(profile, kind), cohort };
    const ks = published?.kinds[kind];
    if (!cohort) out.push({ ...base, status: 'no-cohort', stats: null, percentile: null, z: null });
    else if (!published) out.push({ ...base, status: 'cohort-not-published', stats: null, percentile: null, z: null });
    else if (!ks) out.push({ ...base, status: 'kind-not-published', stats: null, percentile: null, z: null });
    else {
      out.push({
        ...base,
        status: 'ok',
        stats: ks,
        percentile: percentileFromQuartiles(m.value, ks),
        z: ks.sd !== null && ks.sd > 0 ? (m.value - ks.mean) / ks.sd : null,
      });
    }
  }
  return out;
}

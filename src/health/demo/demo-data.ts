/**
 * Seeded demo members for the health scenario: made-up identities (fictional names and towns,
 * phone numbers in the +44 7700 900xxx range reserved for drama, example.org addresses), birth
 * dates for ages 20–89, sex, smoking, and ~6 months of measurements with plausible correlations
 * (age, sex, smoking and weight raise blood pressure; diastolic follows systolic; weight drifts
 * slowly). Each member gets its own PRNG stream, so member i is the same whatever `n` is. Times
 * are whole minutes before `now`, and a member's series fit one upload (nothing is left out).
 *
 * `expectedCohortStats` computes, for the acceptance test, the statistics the intermediary should
 * publish straight from the profiles (disclosure flags and raw series), without building,
 * encoding or parsing any upload.
 */
import { SeededRandom } from '../../runtime/sim/prng.js';
import { ageBandOf, AGE_BANDS, DAY_MS, MEASUREMENT_KINDS, MEASUREMENTS, SEXES, scaledValue, type DisclosableName, type MeasurementKind, type Sex } from '../profile/attributes.js';
import { checkStatsOptions, type CohortStatsOptions } from '../intermediary/cohort-stats.js';
import type { CohortStats, StudyStats } from '../formats/stats-codec.js';
import { emptyProfile, recordMeasurements, setAttribute, setDisclosed, type Profile } from '../profile/profile.js';
import { kindStats } from '../formats/stats-math.js';

const FIRST_FEMALE = ['Aiko', 'Brenna', 'Calla', 'Dagny', 'Elif', 'Freya', 'Greta', 'Hana', 'Ilse', 'Juno', 'Kirsi', 'Liora', 'Maren', 'Noor', 'Odile', 'Petra', 'Rumi', 'Saskia', 'Talia', 'Yara'];
const FIRST_MALE = ['Anselm', 'Bram', 'Caius', 'Dario', 'Emil', 'Falk', 'Gideon', 'Hiro', 'Ivo', 'Joren', 'Kasimir', 'Lev', 'Milo', 'Nils', 'Oren', 'Piet', 'Rafe', 'Soren', 'Tobin', 'Viggo'];
const FIRST_OTHER = ['Alex', 'Kai', 'Robin', 'Sam', 'Noa'];
const LAST = ['Ashgrove', 'Brightwater', 'Coldbrook', 'Dunmore', 'Elderfield', 'Fenwick', 'Greymoor', 'Hollins', 'Ivesdale', 'Kestrel', 'Larchmont', 'Marlow', 'Northcote', 'Oakhurst', 'Pennant', 'Quillby', 'Redfern', 'Stannard', 'Thornbury', 'Wexcombe'];
const STREETS = ['Willow', 'Lantern', 'Copper', 'Heron', 'Juniper', 'Mill', 'Orchard', 'Quarry', 'Saffron', 'Tanners'];
const SUFFIXES = ['Lane', 'Road', 'Street', 'Close', 'Row'];
const TOWNS: readonly [string, string][] = [
  ['Eastbrook', 'EB1'],
  ['Millhaven', 'MH2'],
  ['Northwick', 'NW4'],
  ['Ravensford', 'RF3'],
  ['Saltmere', 'SM7'],
  ['Thistleby', 'TB5'],
];
const MINUTE = 60_000;

export interface DemoMember {
  /** "member-001"…: a name for logs and the dashboard, not part of the profile. */
  label: string;
  profile: Profile;
}

export interface DemoOptions {
  seed: number;
  /** The members' "today" (ms); every measurement is before it. */
  now: number;
  /** Length of the measurement history; default 182 days. */
  days?: number;
}

const pick = <T>(r: SeededRandom, list: readonly T[]): T => list[r.int(list.length)]!;

/** A standard normal deviate (Box–Muller). */
function gauss(r: SeededRandom): number {
  return Math.sqrt(-2 * Math.log(1 - r.float())) * Math.cos(2 * Math.PI * r.float());
}

/** Rounds to the kind's decimals and clamps to its range. */
function reading(kind: MeasurementKind, x: number): number {
  const s = MEASUREMENTS[kind];
  const v = Math.min(s.max, Math.max(s.min, x));
  return Number(v.toFixed(s.decimals));
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function demoMember(seed: number, i: number, now: number, days: number): DemoMember {
  const r = new SeededRandom(seed, `health-demo-member-${i}`);
  const u = r.float();
  const sex: Sex = u < 0.01 ? 'other' : u < 0.505 ? 'female' : 'male';
  const age = 20 + r.int(70);
  const first = pick(r, sex === 'female' ? FIRST_FEMALE : sex === 'male' ? FIRST_MALE : FIRST_OTHER);
  const last = pick(r, LAST);
  const [town, area] = pick(r, TOWNS);
  const smoker = r.float() < 0.18;

  let p = emptyProfile();
  p = setAttribute(p, 'name', `${first} ${last}`, now);
  p = setAttribute(p, 'address', `${1 + r.int(199)} ${pick(r, STREETS)} ${pick(r, SUFFIXES)}, ${town} ${area} ${1 + r.int(9)}${String.fromCharCode(65 + r.int(26), 65 + r.int(26))}`, now);
  p = setAttribute(p, 'phone', `+44 7700 900${String(r.int(1000)).padStart(3, '0')}`, now);
  p = setAttribute(p, 'email', `${first}.${last}.${i}@example.org`.toLowerCase(), now);
  p = setAttribute(p, 'birthDate', isoDate(now - Math.round((age * 365.25 + r.int(365)) * DAY_MS)), now);
  p = setAttribute(p, 'sex', sex, now);
  p = setAttribute(p, 'postcodeArea', area, now);
  p = setAttribute(p, 'smoker', smoker, now);

  // Member-level levels and drifts (per 30 days).
  const male = sex === 'male' ? 1 : 0;
  const heightCm = (male ? 177 : 164) + 7 * gauss(r);
  const bmi = Math.min(42, Math.max(17, 26 + 4 * gauss(r) + 0.03 * (age - 50)));
  const weight0 = (bmi * heightCm * heightCm) / 10_000;
  const weightDrift = 0.4 * gauss(r);
  const sysBase = 98 + 0.55 * age + 5 * male + (smoker ? 4 : 0) + 0.9 * (bmi - 25) + 9 * gauss(r);
  const sysDrift = 0.6 * gauss(r);
  const diaOffset = 4 * gauss(r);
  const hrBase = 71 - 3 * male + (smoker ? 4 : 0) + 7 * gauss(r);
  const glucoseBase = 5.1 + 0.012 * (age - 50) + 0.06 * (bmi - 25) + 0.4 * gauss(r);
  const cholesterolBase = 4.5 + 0.016 * age + 0.7 * gauss(r);
  const weighDay = r.int(7);

  const start = Math.floor(now / DAY_MS) * DAY_MS - days * DAY_MS;
  const list: { kind: MeasurementKind; value: number; at: number }[] = [];
  list.push({ kind: 'heightCm', value: reading('heightCm', heightCm), at: start + 12 * 60 * MINUTE });
  for (let d = 0; d < days; d++) {
    const day = start + d * DAY_MS;
    const months = d / 30;
    if (r.float() < 0.7) {
      const at = day + (7 * 60 + r.int(120)) * MINUTE;
      const sys = sysBase + sysDrift * months + 6 * gauss(r);
      list.push({ kind: 'systolic', value: reading('systolic', sys), at });
      list.push({ kind: 'diastolic', value: reading('diastolic', 0.5 * sys + 16 + diaOffset + 4 * gauss(r)), at });
      list.push({ kind: 'heartRate', value: reading('heartRate', hrBase + 4 * gauss(r)), at });
    }
    if (d % 7 === weighDay) {
      list.push({ kind: 'weightKg', value: reading('weightKg', weight0 + weightDrift * months + 0.4 * gauss(r)), at: day + (6 * 60 + 30 + r.int(60)) * MINUTE });
    }
    if (d % 30 === 15) list.push({ kind: 'glucose', value: reading('glucose', glucoseBase + 0.3 * gauss(r)), at: day + (8 * 60 + r.int(60)) * MINUTE });
    if (d === Math.floor(days / 2)) list.push({ kind: 'cholesterol', value: reading('cholesterol', cholesterolBase), at: day + 10 * 60 * MINUTE });
  }
  p = recordMeasurements(p, list, now);

  // Disclosure: most share the cohort key, blood pressure and weight; some share less or nothing.
  const choice = r.float();
  const on: DisclosableName[] = [];
  const off: DisclosableName[] = [];
  if (choice < 0.7) {
    on.push('systolic', 'diastolic', 'weightKg');
    if (r.float() < 0.5) on.push('heartRate');
    if (r.float() < 0.3) on.push('smoker');
  } else if (choice < 0.8) {
    on.push('systolic', 'diastolic');
  } else if (choice < 0.88) {
    on.push('weightKg', 'heightCm', 'glucose', 'cholesterol');
  } else if (choice < 0.94) {
    on.push('systolic', 'diastolic');
    off.push('sex'); // uploads, but belongs to no cohort
  } else {
    off.push('ageBand', 'sex'); // shares nothing
  }
  if (r.float() < 0.1) on.push('postcodeArea');
  for (const name of on) p = setDisclosed(p, name, true);
  for (const name of off) p = setDisclosed(p, name, false);
  return { label: `member-${String(i + 1).padStart(3, '0')}`, profile: p };
}

/** `n` demo members (BOUNDED by the caller's n; ~400 measurements each). */
export function generateDemoMembers(n: number, options: DemoOptions): DemoMember[] {
  const days = options.days ?? 182;
  const out: DemoMember[] = [];
  for (let i = 0; i < n; i++) out.push(demoMember(options.seed, i, options.now, days));
  return out;
}

/**
 * The statistics an honest intermediary publishes if every member uploads at `options.now`
 * everything they disclose, computed from the profiles directly: disclosure flags, birth date and
 * raw series, grouped here, with the shared arithmetic of stats-math.ts.
 */
export function expectedCohortStats(profiles: readonly Profile[], options: CohortStatsOptions): StudyStats {
  const { study, minCohort, now, since } = checkStatsOptions(options);
  const groups = new Map<string, Map<MeasurementKind, [number, number][]>[]>();
  for (const p of profiles) {
    const { birthDate, sex } = p.attributes;
    if (!p.disclosure.ageBand || !p.disclosure.sex || birthDate === undefined || sex === undefined) continue;
    const series = new Map<MeasurementKind, [number, number][]>();
    for (const m of p.measurements) {
      if (!p.disclosure[m.kind] || m.at > now || (since !== null && m.at < since)) continue;
      const s = series.get(m.kind) ?? [];
      s.push([Math.floor(m.at / MINUTE), scaledValue(m.kind, m.value)]);
      series.set(m.kind, s);
    }
    if (series.size === 0) continue;
    const key = `${ageBandOf(birthDate, now)}|${sex}`;
    groups.set(key, [...(groups.get(key) ?? []), series]);
  }
  const cohorts: CohortStats[] = [];
  for (const ageBand of AGE_BANDS) {
    for (const sex of SEXES) {
      const members = groups.get(`${ageBand}|${sex}`) ?? [];
      if (members.length < minCohort) continue;
      const kinds: CohortStats['kinds'] = {};
      for (const kind of MEASUREMENT_KINDS) {
        const withKind = members.filter((s) => s.has(kind)).map((s) => s.get(kind)!);
        if (withKind.length < minCohort) continue;
        kinds[kind] = kindStats(
          withKind.map((s) => s[s.length - 1]![1]),
          withKind.flat(),
          MEASUREMENTS[kind].decimals,
        );
      }
      cohorts.push({ ageBand, sex, members: members.length, kinds });
    }
  }
  return { study, issued: now, since, minCohort, cohorts };
}

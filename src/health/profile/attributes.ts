/**
 * The health attribute catalogue (docs/protocol.md §8.1): every attribute a member profile can
 * hold, its type, unit and valid range, whether it is **locked** (identifying: it can never be
 * disclosed to the board) and whether it is disclosed by default.
 *
 * - Identifying attributes (name, address, phone, email, birthDate) are locked undisclosed. Exact
 *   age is not stored: it is derived from birthDate and stays on the device with it. Only a letter
 *   of intent (handled elsewhere) may move identifying data, to one clinic.
 * - `ageBand` is derived from birthDate (10-year bands, "90+" at the top so the oldest members do
 *   not stand out); `sex`, `postcodeArea` and `smoker` are set by the member.
 * - Measurement kinds are recorded over time, each with a unit, a range of plausible values and a
 *   number of decimals (a value with more decimals is refused, so uploads and statistics work on
 *   exact decimal values).
 *
 * Default disclosure: only `ageBand` and `sex` are on. They are coarse, they are the cohort key
 * (an upload without them cannot be counted anywhere) and they are what the member sees compared
 * against. Everything else (postcode area, smoking, every measurement) is off until the member
 * turns it on: a quasi-identifier or a health value leaves the device only by an explicit choice.
 */
import { TokumeiError } from '../../errors.js';

export const IDENTIFYING_ATTRIBUTES = ['name', 'address', 'phone', 'email', 'birthDate'] as const;
export type IdentifyingAttribute = (typeof IDENTIFYING_ATTRIBUTES)[number];

/** Attributes the member sets that are not identifying. */
export const PLAIN_ATTRIBUTES = ['sex', 'postcodeArea', 'smoker'] as const;
export type PlainAttribute = (typeof PLAIN_ATTRIBUTES)[number];

export const MEASUREMENT_KINDS = ['systolic', 'diastolic', 'heartRate', 'weightKg', 'heightCm', 'glucose', 'cholesterol'] as const;
export type MeasurementKind = (typeof MEASUREMENT_KINDS)[number];

/** Everything the member may choose to disclose, in catalogue order. */
export const DISCLOSABLE = ['ageBand', ...PLAIN_ATTRIBUTES, ...MEASUREMENT_KINDS] as const;
export type DisclosableName = (typeof DISCLOSABLE)[number];

/** Every attribute name the catalogue knows (settable, derived or measured). */
export type AttributeName = IdentifyingAttribute | DisclosableName;

export const SEXES = ['female', 'male', 'other'] as const;
export type Sex = (typeof SEXES)[number];

export const AGE_BANDS = ['0-9', '10-19', '20-29', '30-39', '40-49', '50-59', '60-69', '70-79', '80-89', '90+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

/** Values of the attributes a member sets (ageBand is derived, measurements are series). */
export interface AttributeValues {
  name: string;
  address: string;
  phone: string;
  email: string;
  /** "YYYY-MM-DD" (proleptic Gregorian, UTC). */
  birthDate: string;
  sex: Sex;
  /** The outward part of a postcode, e.g. "EB1": 1–4 capital letters or digits. */
  postcodeArea: string;
  smoker: boolean;
}
export type SettableAttribute = keyof AttributeValues;

export interface AttributeSpec {
  readonly name: AttributeName;
  readonly label: string;
  readonly class: 'identifying' | 'plain' | 'derived' | 'measurement';
  readonly type: 'text' | 'date' | 'enum' | 'boolean' | 'number';
  /** Locked attributes can never be disclosed to the board (HEALTH_LOCKED). */
  readonly locked: boolean;
  readonly defaultDisclosed: boolean;
  readonly unit?: string;
  readonly min?: number;
  readonly max?: number;
  /** Measurements: at most this many decimals. */
  readonly decimals?: number;
  readonly values?: readonly string[];
  readonly maxLength?: number;
  readonly pattern?: RegExp;
}

export interface MeasurementSpec extends AttributeSpec {
  readonly name: MeasurementKind;
  readonly unit: string;
  readonly min: number;
  readonly max: number;
  readonly decimals: number;
}

const identifying = (name: IdentifyingAttribute, label: string, type: 'text' | 'date', maxLength: number, pattern?: RegExp): AttributeSpec => ({
  name,
  label,
  class: 'identifying',
  type,
  locked: true,
  defaultDisclosed: false,
  maxLength,
  ...(pattern ? { pattern } : {}),
});

const measurement = (name: MeasurementKind, label: string, unit: string, min: number, max: number, decimals: number): MeasurementSpec => ({
  name,
  label,
  class: 'measurement',
  type: 'number',
  locked: false,
  defaultDisclosed: false,
  unit,
  min,
  max,
  decimals,
});

export const MEASUREMENTS: Readonly<Record<MeasurementKind, MeasurementSpec>> = {
  systolic: measurement('systolic', 'Blood pressure, systolic', 'mmHg', 50, 260, 0),
  diastolic: measurement('diastolic', 'Blood pressure, diastolic', 'mmHg', 30, 160, 0),
  heartRate: measurement('heartRate', 'Resting heart rate', 'bpm', 25, 250, 0),
  weightKg: measurement('weightKg', 'Weight', 'kg', 2, 400, 1),
  heightCm: measurement('heightCm', 'Height', 'cm', 40, 250, 1),
  glucose: measurement('glucose', 'Blood glucose', 'mmol/L', 1, 40, 1),
  cholesterol: measurement('cholesterol', 'Total cholesterol', 'mmol/L', 1, 20, 1),
};

export const CATALOGUE: Readonly<Record<AttributeName, AttributeSpec>> = {
  name: identifying('name', 'Name', 'text', 128),
  address: identifying('address', 'Address', 'text', 256),
  phone: identifying('phone', 'Phone', 'text', 32, /^\+?[0-9][0-9 ()-]{2,31}$/),
  email: identifying('email', 'E-mail', 'text', 254, /^[^\s@]+@[^\s@]+\.[^\s@]+$/),
  birthDate: identifying('birthDate', 'Date of birth', 'date', 10, /^\d{4}-\d{2}-\d{2}$/),
  ageBand: { name: 'ageBand', label: 'Age band', class: 'derived', type: 'enum', locked: false, defaultDisclosed: true, values: AGE_BANDS },
  sex: { name: 'sex', label: 'Sex', class: 'plain', type: 'enum', locked: false, defaultDisclosed: true, values: SEXES },
  postcodeArea: { name: 'postcodeArea', label: 'Postcode area', class: 'plain', type: 'text', locked: false, defaultDisclosed: false, maxLength: 4, pattern: /^[A-Z0-9]{1,4}$/ },
  smoker: { name: 'smoker', label: 'Smoker', class: 'plain', type: 'boolean', locked: false, defaultDisclosed: false },
  ...MEASUREMENTS,
};

export function isAttributeName(name: unknown): name is AttributeName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(CATALOGUE, name);
}
export function isMeasurementKind(name: unknown): name is MeasurementKind {
  return typeof name === 'string' && (MEASUREMENT_KINDS as readonly string[]).includes(name);
}
export function isDisclosable(name: unknown): name is DisclosableName {
  return typeof name === 'string' && (DISCLOSABLE as readonly string[]).includes(name);
}
export function isLocked(name: AttributeName): boolean {
  return CATALOGUE[name].locked;
}
export function isSex(v: unknown): v is Sex {
  return typeof v === 'string' && (SEXES as readonly string[]).includes(v);
}
export function isAgeBand(v: unknown): v is AgeBand {
  return typeof v === 'string' && (AGE_BANDS as readonly string[]).includes(v);
}

function bad(code: string, message: string): never {
  throw new TokumeiError('bad-input', code, message);
}

/** True when `s` holds a C0/C1 control character (text attributes are one line of text). */
function hasControl(s: string): boolean {
  return /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(s);
}

export const DAY_MS = 86_400_000;

/** Parses "YYYY-MM-DD" to its UTC midnight; undefined when it is not a real calendar date. */
export function parseBirthDate(s: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return t;
}

/** Full years of age at `now` (UTC calendar): the member's exact age, which never leaves the device. */
export function exactAge(birthDate: string, now: number): number {
  const born = parseBirthDate(birthDate);
  if (born === undefined) bad('HEALTH_BAD_VALUE', `birthDate must be a real date YYYY-MM-DD, got ${JSON.stringify(birthDate)}`);
  const b = new Date(born);
  const n = new Date(now);
  let age = n.getUTCFullYear() - b.getUTCFullYear();
  const before = n.getUTCMonth() < b.getUTCMonth() || (n.getUTCMonth() === b.getUTCMonth() && n.getUTCDate() < b.getUTCDate());
  if (before) age--;
  return age;
}

/** The 10-year band of the age at `now`: "0-9" … "80-89", "90+". */
export function ageBandOf(birthDate: string, now: number): AgeBand {
  const age = Math.max(0, exactAge(birthDate, now));
  return AGE_BANDS[Math.min(9, Math.floor(age / 10))]!;
}

/**
 * Checks a value for a settable attribute and returns it (typed). HEALTH_DERIVED for ageBand,
 * HEALTH_NOT_ATTRIBUTE for a measurement kind (use recordMeasurement), HEALTH_UNKNOWN_ATTRIBUTE,
 * HEALTH_BAD_VALUE for a wrong type, format, length or date. Without `now` (a stored profile being
 * loaded) the checks relative to the clock are skipped, so a clock set back cannot lose a profile.
 */
export function checkAttributeValue<K extends SettableAttribute>(name: K, value: unknown, now: number | undefined): AttributeValues[K];
export function checkAttributeValue(name: string, value: unknown, now: number | undefined): unknown {
  if (!isAttributeName(name)) bad('HEALTH_UNKNOWN_ATTRIBUTE', `unknown attribute ${JSON.stringify(name)}`);
  const spec = CATALOGUE[name];
  if (spec.class === 'derived') bad('HEALTH_DERIVED', `${name} is derived (from birthDate) and cannot be set`);
  if (spec.class === 'measurement') bad('HEALTH_NOT_ATTRIBUTE', `${name} is a measurement; record it with a time`);
  const what = `${name} (${spec.label})`;
  switch (spec.type) {
    case 'boolean':
      if (typeof value !== 'boolean') bad('HEALTH_BAD_VALUE', `${what} must be true or false`);
      return value;
    case 'enum':
      if (typeof value !== 'string' || !spec.values!.includes(value)) bad('HEALTH_BAD_VALUE', `${what} must be one of ${spec.values!.join(', ')}`);
      return value;
    default: {
      if (typeof value !== 'string') bad('HEALTH_BAD_VALUE', `${what} must be text`);
      if (value.trim() !== value || value.length === 0) bad('HEALTH_BAD_VALUE', `${what} must be non-empty without leading or trailing spaces`);
      if (value.length > spec.maxLength!) bad('HEALTH_BAD_VALUE', `${what} is longer than ${spec.maxLength} characters`);
      if (hasControl(value)) bad('HEALTH_BAD_VALUE', `${what} must be one line without control characters`);
      if (spec.pattern && !spec.pattern.test(value)) bad('HEALTH_BAD_VALUE', `${what} is not in the expected format`);
      if (spec.type === 'date') {
        const t = parseBirthDate(value);
        if (t === undefined) bad('HEALTH_BAD_VALUE', `${what} must be a real date YYYY-MM-DD`);
        if (t < Date.UTC(1850, 0, 1)) bad('HEALTH_BAD_VALUE', `${what} is before 1850`);
        if (now !== undefined && t > now) bad('HEALTH_BAD_VALUE', `${what} is in the future`);
        if (now !== undefined && exactAge(value, now) > 130) bad('HEALTH_BAD_VALUE', `${what} is more than 130 years ago`);
      }
      return value;
    }
  }
}

/** Checks a measurement value: a finite number in the kind's range with at most its decimals. */
export function checkMeasurementValue(kind: MeasurementKind, value: unknown, code = 'HEALTH_OUT_OF_RANGE', kindOf: 'bad-input' | 'protocol' = 'bad-input'): number {
  const spec = MEASUREMENTS[kind];
  const fail = (why: string): never => {
    throw new TokumeiError(kindOf, code, `${kind} ${why}`);
  };
  if (typeof value !== 'number' || !Number.isFinite(value)) fail('must be a finite number');
  const v = value as number;
  if (v < spec.min || v > spec.max) fail(`must be ${spec.min}–${spec.max} ${spec.unit}, got ${v}`);
  if (Number(v.toFixed(spec.decimals)) !== v) fail(`has more than ${spec.decimals} decimal${spec.decimals === 1 ? '' : 's'}: ${v}`);
  return v;
}

/** The scaled integer of a checked measurement value (value · 10^decimals), exact. */
export function scaledValue(kind: MeasurementKind, value: number): number {
  return Math.round(value * 10 ** MEASUREMENTS[kind].decimals);
}

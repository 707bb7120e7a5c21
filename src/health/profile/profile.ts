/**
 * A member's health profile (docs/protocol.md §8.1): attribute values, a disclosure choice per
 * disclosable attribute, and measurements over time. Every function is pure: it returns a new
 * profile and leaves its argument untouched, so the caller decides when to save.
 *
 * `disclosedView` is the only function whose result may leave the device. It is built by naming
 * each disclosable attribute (never by copying and deleting), so an identifying attribute cannot
 * reach it even if a later change adds one to the profile.
 */

import {
  ageBandOf,
  CATALOGUE,
  checkAttributeValue,
  checkMeasurementValue,
  DISCLOSABLE,
  isAttributeName,
  isDisclosable,
  isMeasurementKind,
  MEASUREMENT_KINDS,
  type AgeBand,
  type AttributeName,
  type AttributeValues,
  type DisclosableName,
  type MeasurementKind,
  type SettableAttribute,
  type Sex,
} from './attributes.js';
import { HealthErrors } from '../health-errors.js';

/** Measurements kept per kind: BOUNDED(1000), the oldest dropped first (~3 years of daily readings). */
export const MAX_MEASUREMENTS_PER_KIND = 1000;
/** A measurement may be stamped at most this far ahead of the device clock. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export interface Measurement {
  readonly kind: MeasurementKind;
  readonly value: number;
  /** Milliseconds since the Unix epoch. */
  readonly at: number;
}

export interface Profile {
  readonly attributes: Readonly<Partial<AttributeValues>>;
  /** One entry per disclosable attribute; locked attributes have none (they are never disclosed). */
  readonly disclosure: Readonly<Record<DisclosableName, boolean>>;
  /** Sorted by time then catalogue order; BOUNDED(MAX_MEASUREMENTS_PER_KIND) per kind. */
  readonly measurements: readonly Measurement[];
}

/** What may leave the device: disclosed attributes that are set, and the disclosed kinds' series. */
export interface DisclosedView {
  ageBand?: AgeBand;
  sex?: Sex;
  postcodeArea?: string;
  smoker?: boolean;
  /** Oldest first. */
  measurements: Measurement[];
}

export function defaultDisclosure(): Record<DisclosableName, boolean> {
  const d = {} as Record<DisclosableName, boolean>;
  for (const name of DISCLOSABLE) d[name] = CATALOGUE[name].defaultDisclosed;
  return d;
}

export function emptyProfile(): Profile {
  return { attributes: {}, disclosure: defaultDisclosure(), measurements: [] };
}

/** Sets one attribute after checking it (attributes.ts codes: HEALTH_BAD_VALUE, HEALTH_DERIVED, …). */
export function setAttribute<K extends SettableAttribute>(profile: Profile, name: K, value: AttributeValues[K], now: number): Profile {
  const checked = checkAttributeValue(name, value, now);
  return { ...profile, attributes: { ...profile.attributes, [name]: checked } };
}

export function clearAttribute(profile: Profile, name: SettableAttribute): Profile {
  if (!isAttributeName(name) || !(name in profile.attributes)) return profile;
  const attributes = { ...profile.attributes };
  delete attributes[name];
  return { ...profile, attributes };
}

const KIND_ORDER = new Map<string, number>(MEASUREMENT_KINDS.map((k, i) => [k, i]));
/** The profile's order: by time, then catalogue order of the kind. */
export const compareMeasurements = (a: Measurement, b: Measurement): number => a.at - b.at || KIND_ORDER.get(a.kind)! - KIND_ORDER.get(b.kind)!;

/** Checks a measurement's time: whole ms, not before 1970, not in the future (without `now`: not checked). */
export function checkMeasurementTime(at: unknown, now: number | undefined): number {
  if (typeof at !== 'number' || !Number.isSafeInteger(at) || at < 0) {
    throw HealthErrors.HEALTH_BAD_TIME(`a measurement time must be whole milliseconds since 1970, got ${String(at)}`);
  }
  if (now !== undefined && at > now + MAX_CLOCK_SKEW_MS) throw HealthErrors.HEALTH_BAD_TIME(`a measurement cannot be in the future (${new Date(at).toISOString()})`);
  return at;
}

/**
 * Records a measurement (HEALTH_UNKNOWN_MEASUREMENT, HEALTH_OUT_OF_RANGE, HEALTH_BAD_TIME). One of
 * the same kind at the same time is replaced (a correction). Past the bound the oldest is dropped.
 */
export function recordMeasurement(profile: Profile, m: { kind: MeasurementKind; value: number; at: number }, now: number): Profile {
  return recordMeasurements(profile, [m], now);
}

/** Records many measurements at once (same checks as recordMeasurement; all or nothing). */
export function recordMeasurements(profile: Profile, list: readonly { kind: MeasurementKind; value: number; at: number }[], now: number): Profile {
  const fresh = new Map<string, Measurement>();
  for (const m of list) {
    if (!isMeasurementKind(m.kind)) throw HealthErrors.HEALTH_UNKNOWN_MEASUREMENT(`unknown measurement kind ${JSON.stringify(m.kind)}`);
    const checked = { kind: m.kind, value: checkMeasurementValue(m.kind, m.value), at: checkMeasurementTime(m.at, now) };
    fresh.set(`${m.kind}/${checked.at}`, checked);
  }
  const rest = profile.measurements.filter((x) => !fresh.has(`${x.kind}/${x.at}`));
  return { ...profile, measurements: boundPerKind([...rest, ...fresh.values()].sort(compareMeasurements)) };
}

export function removeMeasurement(profile: Profile, kind: MeasurementKind, at: number): Profile {
  const measurements = profile.measurements.filter((x) => !(x.kind === kind && x.at === at));
  return measurements.length === profile.measurements.length ? profile : { ...profile, measurements };
}

/** Keeps the newest MAX_MEASUREMENTS_PER_KIND of each kind of a sorted list. */
export function boundPerKind(sorted: readonly Measurement[]): Measurement[] {
  const counts = new Map<MeasurementKind, number>();
  for (const m of sorted) counts.set(m.kind, (counts.get(m.kind) ?? 0) + 1);
  const drop = new Map<MeasurementKind, number>();
  for (const [k, n] of counts) if (n > MAX_MEASUREMENTS_PER_KIND) drop.set(k, n - MAX_MEASUREMENTS_PER_KIND);
  if (drop.size === 0) return [...sorted];
  return sorted.filter((m) => {
    const d = drop.get(m.kind) ?? 0;
    if (d === 0) return true;
    drop.set(m.kind, d - 1);
    return false;
  });
}

/**
 * Turns disclosure of one attribute on or off. HEALTH_LOCKED (refused) for an identifying
 * attribute: it can never be disclosed to the board. Turning a locked attribute off is a no-op.
 */
export function setDisclosed(profile: Profile, name: AttributeName, on: boolean): Profile {
  if (!isAttributeName(name)) throw HealthErrors.HEALTH_UNKNOWN_ATTRIBUTE(`unknown attribute ${JSON.stringify(name)}`);
  if (typeof on !== 'boolean') throw HealthErrors.HEALTH_BAD_VALUE('disclosure must be true or false');
  if (!isDisclosable(name)) {
    if (!on) return profile;
    throw HealthErrors.HEALTH_LOCKED(`${name} identifies the member and never leaves the device; only a letter of intent can give it to one supplier`);
  }
  return { ...profile, disclosure: { ...profile.disclosure, [name]: on } };
}

export function isDisclosed(profile: Profile, name: AttributeName): boolean {
  return isDisclosable(name) && profile.disclosure[name] === true;
}

/** The member's age band at `now` (from birthDate), whether disclosed or not. */
export function profileAgeBand(profile: Profile, now: number): AgeBand | undefined {
  const b = profile.attributes.birthDate;
  return b === undefined ? undefined : ageBandOf(b, now);
}

/** The newest measurement of `kind` at or before `now` (any disclosure). */
export function latestMeasurement(profile: Profile, kind: MeasurementKind, now = Infinity): Measurement | undefined {
  for (let i = profile.measurements.length - 1; i >= 0; i--) {
    const m = profile.measurements[i]!;
    if (m.kind === kind && m.at <= now) return m;
  }
  return undefined;
}

/** The only data that may leave the device: disclosed, set, non-identifying attributes and series. */
export function disclosedView(profile: Profile, now: number): DisclosedView {
  const d = profile.disclosure;
  const a = profile.attributes;
  const view: DisclosedView = { measurements: [] };
  if (d.ageBand === true && a.birthDate !== undefined) view.ageBand = ageBandOf(a.birthDate, now);
  if (d.sex === true && a.sex !== undefined) view.sex = a.sex;
  if (d.postcodeArea === true && a.postcodeArea !== undefined) view.postcodeArea = a.postcodeArea;
  if (d.smoker === true && a.smoker !== undefined) view.smoker = a.smoker;
  for (const m of profile.measurements) {
    if (d[m.kind] === true && !CATALOGUE[m.kind].locked) view.measurements.push({ kind: m.kind, value: m.value, at: m.at });
  }
  return view;
}

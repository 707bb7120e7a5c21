/**
 * The profile as JSON (the plaintext of the encrypted profile file, docs/protocol.md §8.1):
 *
 *   { "format": "tokumei-health-profile/1",
 *     "attributes": { "<settable attribute>": value, … },
 *     "disclosure": { "<disclosable attribute>": true | false, … },
 *     "measurements": [ ["<kind>", at ms, value], … ] }      (oldest first)
 *
 * Decoding is strict (every value re-checked against the catalogue, unknown keys refused) but
 * not relative to the clock, so a device whose clock went back still opens its profile. A
 * disclosure entry missing from an older file takes the catalogue default.
 */

import { checkAttributeValue, checkMeasurementValue, isDisclosable, isMeasurementKind, type AttributeValues, type SettableAttribute } from './attributes.js';
import { checkMeasurementTime, compareMeasurements, defaultDisclosure, MAX_MEASUREMENTS_PER_KIND, type Measurement, type Profile } from './profile.js';
import { HealthErrors } from '../health-errors.js';

export const PROFILE_FORMAT = 'tokumei-health-profile/1';
const SETTABLE: ReadonlySet<string> = new Set<SettableAttribute>(['name', 'address', 'phone', 'email', 'birthDate', 'sex', 'postcodeArea', 'smoker']);

function corrupt(message: string, cause?: unknown): never {
  throw HealthErrors.HEALTH_PROFILE_CORRUPT(`health profile is corrupt: ${message}`, cause === undefined ? undefined : { cause });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

export function encodeProfile(profile: Profile): string {
  return JSON.stringify({
    format: PROFILE_FORMAT,
    attributes: profile.attributes,
    disclosure: profile.disclosure,
    measurements: profile.measurements.map((m) => [m.kind, m.at, m.value]),
  });
}

export function decodeProfile(text: string): Profile {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    corrupt('not JSON', e);
  }
  if (!isPlainObject(j)) corrupt('not an object');
  const keys = Object.keys(j).sort().join(',');
  if (keys !== 'attributes,disclosure,format,measurements') corrupt(`unexpected keys ${keys}`);
  if (j.format !== PROFILE_FORMAT) corrupt(`unknown format ${JSON.stringify(j.format)}`);
  if (!isPlainObject(j.attributes) || !isPlainObject(j.disclosure) || !Array.isArray(j.measurements)) corrupt('wrong types');

  const attributes: Partial<AttributeValues> = {};
  for (const [name, value] of Object.entries(j.attributes)) {
    if (!SETTABLE.has(name)) corrupt(`unknown attribute ${JSON.stringify(name)}`);
    try {
      (attributes as Record<string, unknown>)[name] = checkAttributeValue(name as SettableAttribute, value, undefined);
    } catch (e) {
      corrupt(`attribute ${name}: ${(e as Error).message}`, e);
    }
  }

  const disclosure = defaultDisclosure();
  for (const [name, on] of Object.entries(j.disclosure)) {
    if (!isDisclosable(name)) corrupt(`disclosure of ${JSON.stringify(name)}, which cannot be disclosed`);
    if (typeof on !== 'boolean') corrupt(`disclosure of ${name} is not true or false`);
    disclosure[name] = on;
  }

  const measurements: Measurement[] = [];
  const perKind = new Map<string, number>();
  let prev: Measurement | undefined;
  for (const row of j.measurements as unknown[]) {
    if (!Array.isArray(row) || row.length !== 3 || !isMeasurementKind(row[0])) corrupt('a measurement is not [kind, at, value]');
    const kind = row[0];
    let m: Measurement;
    try {
      m = { kind, at: checkMeasurementTime(row[1], undefined), value: checkMeasurementValue(kind, row[2]) };
    } catch (e) {
      corrupt(`measurement: ${(e as Error).message}`, e);
    }
    if (prev && compareMeasurements(prev, m) >= 0) corrupt('measurements out of order or repeated');
    const n = (perKind.get(kind) ?? 0) + 1;
    if (n > MAX_MEASUREMENTS_PER_KIND) corrupt(`more than ${MAX_MEASUREMENTS_PER_KIND} ${kind} measurements`);
    perKind.set(kind, n);
    measurements.push(m);
    prev = m;
  }
  return { attributes, disclosure, measurements };
}

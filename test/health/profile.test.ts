import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokumeiError } from '../../src/errors.js';
import { ageBandOf, CATALOGUE, DISCLOSABLE, exactAge, IDENTIFYING_ATTRIBUTES, MEASUREMENT_KINDS } from '../../src/health/profile/attributes.js';
import {
  clearAttribute,
  disclosedView,
  emptyProfile,
  isDisclosed,
  latestMeasurement,
  MAX_MEASUREMENTS_PER_KIND,
  recordMeasurement,
  recordMeasurements,
  setAttribute,
  setDisclosed,
  type Profile,
} from '../../src/health/profile/profile.js';

import { DAY, fullProfile, is, NOW } from './helpers.js';

test('the catalogue: identifying attributes are locked, defaults disclose only the cohort key', () => {
  for (const name of IDENTIFYING_ATTRIBUTES) {
    assert.equal(CATALOGUE[name].locked, true, name);
    assert.equal(CATALOGUE[name].defaultDisclosed, false);
    assert.ok(!(DISCLOSABLE as readonly string[]).includes(name));
  }
  const p = emptyProfile();
  assert.deepEqual(
    DISCLOSABLE.filter((n) => p.disclosure[n]),
    ['ageBand', 'sex'],
  );
  for (const k of MEASUREMENT_KINDS) assert.equal(CATALOGUE[k].locked, false);
});

test('exact age and age bands follow the calendar (UTC), with 90+ at the top', () => {
  const at = (s: string) => Date.parse(s + 'T12:00:00Z');
  assert.equal(exactAge('1990-06-01', at('2025-06-01')), 35);
  assert.equal(exactAge('1990-06-02', at('2025-06-01')), 34);
  assert.equal(exactAge('2000-02-29', at('2025-02-28')), 24);
  assert.equal(exactAge('2000-02-29', at('2025-03-01')), 25);
  assert.equal(ageBandOf('1996-06-01', at('2025-06-01')), '20-29');
  assert.equal(ageBandOf('1995-06-01', at('2025-06-01')), '30-39');
  assert.equal(ageBandOf('1925-01-01', at('2025-06-01')), '90+');
  assert.equal(ageBandOf('2020-01-01', at('2025-06-01')), '0-9');
});

test('attributes are validated with clear codes', () => {
  let p = emptyProfile();
  p = setAttribute(p, 'name', 'Ilse Fenwick', NOW);
  p = setAttribute(p, 'birthDate', '1970-03-15', NOW);
  p = setAttribute(p, 'sex', 'female', NOW);
  p = setAttribute(p, 'smoker', false, NOW);
  p = setAttribute(p, 'postcodeArea', 'EB1', NOW);
  p = setAttribute(p, 'phone', '+44 7700 900123', NOW);
  p = setAttribute(p, 'email', 'ilse@example.org', NOW);
  assert.equal(p.attributes.name, 'Ilse Fenwick');
  const bad: [string, unknown][] = [
    ['birthDate', '1970-02-30'],
    ['birthDate', '2030-01-01'],
    ['birthDate', '1800-01-01'],
    ['birthDate', '15/03/1970'],
    ['sex', 'f'],
    ['smoker', 'yes'],
    ['postcodeArea', 'eb1'],
    ['postcodeArea', 'EB12X'],
    ['name', ''],
    ['name', ' padded'],
    ['name', 'two\nlines'],
    ['name', 'x'.repeat(129)],
    ['phone', 'call me'],
    ['email', 'no-at-sign'],
    ['name', 42],
  ];
  for (const [name, value] of bad) assert.throws(() => setAttribute(p, name as 'name', value as string, NOW), is('HEALTH_BAD_VALUE'), `${name}=${String(value)}`);
  assert.throws(() => setAttribute(p, 'ageBand' as 'name', '20-29', NOW), is('HEALTH_DERIVED'));
  assert.throws(() => setAttribute(p, 'systolic' as 'name', '120', NOW), is('HEALTH_NOT_ATTRIBUTE'));
  assert.throws(() => setAttribute(p, 'shoeSize' as 'name', '44', NOW), is('HEALTH_UNKNOWN_ATTRIBUTE'));
  const cleared = clearAttribute(p, 'smoker');
  assert.equal(cleared.attributes.smoker, undefined);
  assert.equal(p.attributes.smoker, false, 'functions are pure');
});

test('measurements are validated: range, decimals, time', () => {
  const p = emptyProfile();
  const q = recordMeasurement(p, { kind: 'weightKg', value: 72.5, at: NOW - DAY }, NOW);
  assert.equal(q.measurements.length, 1);
  assert.equal(p.measurements.length, 0);
  assert.throws(() => recordMeasurement(p, { kind: 'systolic', value: 400, at: NOW }, NOW), is('HEALTH_OUT_OF_RANGE'));
  assert.throws(() => recordMeasurement(p, { kind: 'systolic', value: 120.5, at: NOW }, NOW), is('HEALTH_OUT_OF_RANGE'));
  assert.throws(() => recordMeasurement(p, { kind: 'weightKg', value: 72.55, at: NOW }, NOW), is('HEALTH_OUT_OF_RANGE'));
  assert.throws(() => recordMeasurement(p, { kind: 'weightKg', value: Number.NaN, at: NOW }, NOW), is('HEALTH_OUT_OF_RANGE'));
  assert.throws(() => recordMeasurement(p, { kind: 'glucose', value: '5' as unknown as number, at: NOW }, NOW), is('HEALTH_OUT_OF_RANGE'));
  assert.throws(() => recordMeasurement(p, { kind: 'systolic', value: 120, at: NOW + 3_600_000 }, NOW), is('HEALTH_BAD_TIME'));
  assert.throws(() => recordMeasurement(p, { kind: 'systolic', value: 120, at: 1.5 }, NOW), is('HEALTH_BAD_TIME'));
  assert.throws(() => recordMeasurement(p, { kind: 'systolic', value: 120, at: -1 }, NOW), is('HEALTH_BAD_TIME'));
  assert.throws(() => recordMeasurement(p, { kind: 'steps' as 'systolic', value: 1, at: NOW }, NOW), is('HEALTH_UNKNOWN_MEASUREMENT'));
  // A reading at the same time replaces the old one (a correction); order is by time.
  let r = recordMeasurement(q, { kind: 'weightKg', value: 73, at: NOW - DAY }, NOW);
  r = recordMeasurement(r, { kind: 'systolic', value: 120, at: NOW - 2 * DAY }, NOW);
  assert.deepEqual(r.measurements, [
    { kind: 'systolic', value: 120, at: NOW - 2 * DAY },
    { kind: 'weightKg', value: 73, at: NOW - DAY },
  ]);
  assert.deepEqual(latestMeasurement(r, 'weightKg'), { kind: 'weightKg', value: 73, at: NOW - DAY });
});

test('measurements are bounded per kind, the oldest dropped', () => {
  const list = [];
  for (let i = 0; i < MAX_MEASUREMENTS_PER_KIND + 10; i++) list.push({ kind: 'heartRate' as const, value: 60 + (i % 40), at: i * 60_000 });
  let p = recordMeasurements(emptyProfile(), list, NOW);
  p = recordMeasurement(p, { kind: 'glucose', value: 5.5, at: 0 }, NOW);
  const hr = p.measurements.filter((m) => m.kind === 'heartRate');
  assert.equal(hr.length, MAX_MEASUREMENTS_PER_KIND);
  assert.equal(hr[0]!.at, 10 * 60_000);
  assert.equal(p.measurements.filter((m) => m.kind === 'glucose').length, 1);
});

test('locked attributes cannot be disclosed; disclosable ones toggle', () => {
  let p = emptyProfile();
  for (const name of IDENTIFYING_ATTRIBUTES) {
    assert.throws(() => setDisclosed(p, name, true), (e: unknown) => is('HEALTH_LOCKED')(e) && (e as TokumeiError).kind === 'refused');
    assert.equal(setDisclosed(p, name, false), p);
    assert.equal(isDisclosed(p, name), false);
  }
  assert.throws(() => setDisclosed(p, 'bloodType' as 'sex', true), is('HEALTH_UNKNOWN_ATTRIBUTE'));
  p = setDisclosed(p, 'systolic', true);
  assert.equal(isDisclosed(p, 'systolic'), true);
  p = setDisclosed(p, 'sex', false);
  assert.equal(isDisclosed(p, 'sex'), false);
});

test('disclosedView holds only disclosed, non-identifying data', () => {
  const p = fullProfile();
  assert.deepEqual(disclosedView(p, NOW), { ageBand: '60-69', sex: 'male', measurements: [] });
  let q = setDisclosed(p, 'systolic', true);
  q = setDisclosed(q, 'smoker', true);
  q = setDisclosed(q, 'sex', false);
  assert.deepEqual(disclosedView(q, NOW), {
    ageBand: '60-69',
    smoker: true,
    measurements: [{ kind: 'systolic', value: 141, at: NOW - 2 * DAY }],
  });
  for (const name of DISCLOSABLE) q = setDisclosed(q, name, true);
  const text = JSON.stringify(disclosedView(q, NOW));
  for (const name of IDENTIFYING_ATTRIBUTES) assert.ok(!text.includes(String(p.attributes[name])), name);
  // Even a profile object tampered with to "disclose" a locked attribute does not leak it.
  const forged = { ...q, disclosure: { ...q.disclosure, name: true, birthDate: true } } as unknown as Profile;
  assert.ok(!JSON.stringify(disclosedView(forged, NOW)).includes('Bram'));
});

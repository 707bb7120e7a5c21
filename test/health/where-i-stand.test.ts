import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StudyStats } from '../../src/health/formats/stats-codec.js';
import { whereIStand } from '../../src/health/member/where-i-stand.js';
import { clearAttribute, setDisclosed } from '../../src/health/profile/profile.js';
import { fullProfile, NOW } from './helpers.js';

const kind = (mean: number, sd: number | null, min: number, q1: number, median: number, q3: number, max: number) => ({ members: 10, points: 40, mean, sd, min, q1, median, q3, max, trend: 0.5 });

const stats: StudyStats = {
  study: 'bp',
  issued: NOW,
  since: null,
  minCohort: 5,
  cohorts: [
    { ageBand: '60-69', sex: 'male', members: 10, kinds: { systolic: kind(131, 10, 110, 124, 131, 141, 160), weightKg: kind(85, 0, 85, 85, 85, 85, 85) } },
    { ageBand: '60-69', sex: 'female', members: 10, kinds: { systolic: kind(120, 8, 100, 115, 120, 125, 140) } },
  ],
};

test('the latest value of every measured kind against the member\'s own cohort, disclosed or not', () => {
  // fullProfile: male, born 1961 (60-69), systolic 141, diastolic 88, weight 91.2, glucose 6.1; only ageBand and sex disclosed.
  const p = setDisclosed(fullProfile(), 'systolic', true);
  const s = whereIStand(p, stats);
  assert.deepEqual(s.map((x) => [x.kind, x.status, x.disclosed]), [
    ['systolic', 'ok', true],
    ['diastolic', 'kind-not-published', false],
    ['weightKg', 'ok', false],
    ['glucose', 'kind-not-published', false],
  ]);
  const sys = s[0]!;
  assert.equal(sys.value, 141);
  assert.deepEqual(sys.cohort, { ageBand: '60-69', sex: 'male' });
  assert.equal(sys.percentile, 75);
  assert.equal(sys.z, 1);
  const w = s[2]!;
  assert.equal(w.percentile, 100, 'above every member');
  assert.equal(w.z, null, 'sd 0: no z-score');
});

test('no cohort, or a cohort that was not published', () => {
  const noBirth = whereIStand(clearAttribute(fullProfile(), 'birthDate'), stats);
  assert.ok(noBirth.every((x) => x.status === 'no-cohort' && x.cohort === null && x.percentile === null));
  const later = whereIStand(fullProfile(), stats, Date.UTC(2032, 0, 1)); // now 70-79: not published
  assert.ok(later.every((x) => x.status === 'cohort-not-published' && x.cohort!.ageBand === '70-79'));
  // Measurements after `now` are not "latest".
  assert.deepEqual(whereIStand(fullProfile(), stats, Date.UTC(2000, 0, 1)), []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeCohortStats } from '../../src/health/intermediary/cohort-stats.js';
import type { ParsedUpload } from '../../src/health/formats/upload.js';
import type { AgeBand, MeasurementKind, Sex } from '../../src/health/profile/attributes.js';
import { DAY, is, NOW } from './helpers.js';

function upload(ageBand: AgeBand | undefined, sex: Sex | undefined, points: [MeasurementKind, number, number][], extra: Partial<ParsedUpload> = {}): ParsedUpload {
  return {
    study: 'bp',
    at: NOW,
    ...(ageBand ? { ageBand } : {}),
    ...(sex ? { sex } : {}),
    attributes: {},
    measurements: points.map(([kind, value, daysAgo]) => ({ kind, value, at: NOW - daysAgo * DAY })),
    ...extra,
  };
}

test('members are counted per cohort; latest values make the distribution, all points the trend', () => {
  const ups = [
    upload('40-49', 'female', [['systolic', 120, 1], ['systolic', 110, 31]]),
    upload('40-49', 'female', [['systolic', 130, 2]]),
    upload('40-49', 'female', [['systolic', 140, 3], ['weightKg', 70.5, 3]]),
    upload('40-49', 'male', [['systolic', 150, 1]]),
  ];
  const s = computeCohortStats(ups, { study: 'bp', minCohort: 1, now: NOW });
  assert.equal(s.study, 'bp');
  assert.equal(s.issued, NOW);
  assert.equal(s.since, null);
  assert.deepEqual(s.cohorts.map((c) => [c.ageBand, c.sex, c.members]), [
    ['40-49', 'female', 3],
    ['40-49', 'male', 1],
  ]);
  const sys = s.cohorts[0]!.kinds.systolic!;
  assert.equal(sys.members, 3);
  assert.equal(sys.points, 4);
  assert.equal(sys.mean, 130);
  assert.equal(sys.median, 130);
  assert.equal(sys.min, 120);
  assert.equal(sys.max, 140);
  assert.equal(s.cohorts[0]!.kinds.weightKg!.members, 1);
  assert.equal(s.cohorts[0]!.kinds.weightKg!.trend, null);
});

test('cohorts and kinds under the minimum are never published', () => {
  const ups = [
    ...[120, 125, 130].map((v) => upload('50-59', 'male', [['systolic', v, 1]])),
    upload('50-59', 'male', [['glucose', 5.5, 1]]),
    ...[140, 145].map((v) => upload('70-79', 'female', [['systolic', v, 1]])),
    upload('20-29', 'other', [['systolic', 118, 1]]),
  ];
  const s = computeCohortStats(ups, { study: 'bp', minCohort: 3, now: NOW });
  assert.deepEqual(s.cohorts.map((c) => `${c.ageBand}/${c.sex}/${c.members}`), ['50-59/male/4']);
  assert.deepEqual(Object.keys(s.cohorts[0]!.kinds), ['systolic'], 'glucose had one member');
  assert.ok(!JSON.stringify(s).includes('5.5') && !JSON.stringify(s).includes('118'));
  assert.deepEqual(computeCohortStats(ups, { study: 'bp', minCohort: 5, now: NOW }).cohorts, []);
});

test('uploads without a cohort, of another study, or outside the window are not counted', () => {
  const ups = [
    upload('30-39', 'female', [['systolic', 120, 1]]),
    upload(undefined, 'female', [['systolic', 200, 1]]),
    upload('30-39', undefined, [['systolic', 200, 1]]),
    upload('30-39', 'female', [['systolic', 200, 1]], { study: 'other' }),
    upload('30-39', 'female', [['systolic', 200, 40]]),
    upload('30-39', 'female', [['systolic', 100, -1]]), // after `now`
  ];
  const s = computeCohortStats(ups, { study: 'bp', minCohort: 1, now: NOW, since: NOW - 30 * DAY });
  assert.equal(s.since, NOW - 30 * DAY);
  assert.deepEqual(s.cohorts.map((c) => c.members), [1]);
  assert.equal(s.cohorts[0]!.kinds.systolic!.mean, 120);
});

test('uploads with one pseudonym are one member: points merged, newest cohort and value win', () => {
  const p = 'ab'.repeat(16);
  const ups = [
    upload('40-49', 'male', [['systolic', 130, 10], ['systolic', 128, 5]], { pseudonym: p, at: NOW - 4 * DAY }),
    upload('50-59', 'male', [['systolic', 126, 5], ['systolic', 124, 1]], { pseudonym: p, at: NOW }),
    upload('50-59', 'male', [['systolic', 150, 1]]),
  ];
  const s = computeCohortStats(ups, { study: 'bp', minCohort: 1, now: NOW });
  assert.deepEqual(s.cohorts.map((c) => `${c.ageBand}/${c.members}`), ['50-59/2']);
  const sys = s.cohorts[0]!.kinds.systolic!;
  assert.equal(sys.points, 4, '10, 5 (newer value 126), 1 days ago, and the other member');
  assert.equal(sys.min, 124, 'the pseudonymous member\'s latest value');
  // Order of uploads does not matter.
  assert.deepEqual(computeCohortStats([...ups].reverse(), { study: 'bp', minCohort: 1, now: NOW }), s);
});

test('options are checked', () => {
  for (const o of [
    { study: 'bp', minCohort: 0, now: NOW },
    { study: 'bp', minCohort: 2.5, now: NOW },
    { study: 'BP!', minCohort: 5, now: NOW },
    { study: 'bp', minCohort: 5, now: NaN },
    { study: 'bp', minCohort: 5, now: NOW, since: 0.5 },
    { study: 'bp', minCohort: 5, now: NOW, since: NOW + 1 },
  ]) {
    assert.throws(() => computeCohortStats([], o), is('HEALTH_BAD_OPTION'), JSON.stringify(o));
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeCohortStats } from '../../src/health/intermediary/cohort-stats.js';
import type { StudyStats } from '../../src/health/formats/stats-codec.js';
import { decodeStats, decodeStatsPart, encodeStats, pickLatestStats } from '../../src/health/formats/stats-codec.js';
import { generateDemoMembers } from '../../src/health/demo/demo-data.js';
import { buildUpload, MAX_POST_TEXT_BYTES, parseUpload, type ParsedUpload } from '../../src/health/formats/upload.js';
import { is, NOW } from './helpers.js';

function demoStats(n: number, minCohort: number): StudyStats {
  const uploads: ParsedUpload[] = [];
  for (const m of generateDemoMembers(n, { seed: 11, now: NOW })) {
    try {
      const u = buildUpload(m.profile, { study: 'demo', now: NOW });
      uploads.push(parseUpload(u.text, u.fields));
    } catch (e) {
      if (!is('HEALTH_NOTHING_TO_UPLOAD')(e)) throw e;
    }
  }
  return computeCohortStats(uploads, { study: 'demo', minCohort, now: NOW });
}

const stats = demoStats(240, 3);

test('statistics round-trip through one post when they fit', () => {
  const posts = encodeStats(stats);
  assert.equal(posts.length, 1);
  assert.deepEqual(posts[0]!.fields, [
    { key: 'kind', value: 'health.stats' },
    { key: 'study', value: 'demo' },
    { key: 'issued', value: String(NOW) },
    { key: 'part', value: '1/1' },
  ]);
  assert.deepEqual(decodeStats(posts), stats);
  const empty = { ...stats, cohorts: [] };
  assert.deepEqual(decodeStats(encodeStats(empty)), empty);
});

test('statistics too large for one post are split into parts, each within the limit', () => {
  const posts = encodeStats(stats, 3000);
  assert.ok(posts.length > 3, `${posts.length} parts`);
  for (const [i, p] of posts.entries()) {
    assert.ok(Buffer.byteLength(p.text) <= 3000);
    assert.equal(p.fields.find((f) => f.key === 'part')!.value, `${i + 1}/${posts.length}`);
  }
  // Any order of the parts decodes to the same statistics.
  assert.deepEqual(decodeStats([...posts].reverse()), stats);
  assert.throws(() => decodeStats(posts.slice(1)), is('HEALTH_STATS_INCOMPLETE'));
  assert.throws(() => decodeStats([]), is('HEALTH_STATS_INCOMPLETE'));
  assert.throws(() => decodeStats([...posts, posts[0]!]), is('HEALTH_BAD_STATS'));
  const other = encodeStats({ ...stats, issued: NOW + 1 }, 3000);
  assert.throws(() => decodeStats([other[0]!, ...posts.slice(1)]), is('HEALTH_BAD_STATS'));
  assert.throws(() => encodeStats(stats, 500), is('HEALTH_STATS_TOO_LARGE'));
  assert.ok(encodeStats(stats).every((p) => Buffer.byteLength(p.text) <= MAX_POST_TEXT_BYTES));
});

test('the newest complete publication is picked from mixed search results', () => {
  const older = encodeStats({ ...stats, issued: NOW - 1000 }, 3000);
  const newer = encodeStats(stats, 3000);
  const noise = [{ text: 'hello', fields: [{ key: 'kind', value: 'health.upload' }] }, ...encodeStats({ ...stats, study: 'another' })];
  assert.deepEqual(pickLatestStats([...noise, ...older, ...newer, newer[0]!], 'demo'), stats);
  assert.equal(pickLatestStats([...older, ...newer.slice(1)], 'demo')!.issued, NOW - 1000, 'newest is incomplete');
  assert.equal(pickLatestStats(noise, 'demo'), undefined);
});

test('decoding is strict: wrong fields, bad numbers, suppression violations', () => {
  const [post] = encodeStats(stats);
  const j = JSON.parse(post!.text);
  const variants: ((o: any) => void)[] = [
    (o) => (o.v = 2),
    (o) => (o.extra = 1),
    (o) => (o.minCohort = 0),
    (o) => (o.part = 2),
    (o) => (o.since = o.issued + 1),
    (o) => (o.cohorts[0].ageBand = '45-54'),
    (o) => (o.cohorts[0].sex = 'x'),
    (o) => (o.cohorts[0].members = 2), // under minCohort 3
    (o) => (o.cohorts[0].kinds.systolic.members = 2),
    (o) => (o.cohorts[0].kinds.systolic.members = o.cohorts[0].members + 1),
    (o) => (o.cohorts[0].kinds.systolic.points = 1),
    (o) => (o.cohorts[0].kinds.systolic.mean = 'high'),
    (o) => (o.cohorts[0].kinds.systolic.q1 = o.cohorts[0].kinds.systolic.max + 1),
    (o) => (o.cohorts[0].kinds.systolic.mean = o.cohorts[0].kinds.systolic.max + 1),
    (o) => (o.cohorts[0].kinds.systolic.max = 999),
    (o) => (o.cohorts[0].kinds.systolic.sd = -1),
    (o) => (o.cohorts[0].kinds.systolic.sd = null),
    (o) => (o.cohorts[0].kinds.systolic.trend = 'up'),
    (o) => delete o.cohorts[0].kinds.systolic.trend,
    (o) => (o.cohorts[0].kinds.steps = o.cohorts[0].kinds.systolic),
    (o) => o.cohorts.push(o.cohorts[0]),
  ];
  for (const v of variants) {
    const o = structuredClone(j);
    v(o);
    const fields = post!.fields.map((f) => (f.key === 'part' ? { ...f, value: `${o.part}/${o.parts}` } : f));
    assert.throws(() => decodeStats([{ text: JSON.stringify(o), fields }]), is('HEALTH_BAD_STATS'), v.toString());
  }
  const f = post!.fields;
  for (const bad of [f.slice(1), f.map((x) => (x.key === 'issued' ? { ...x, value: '1' } : x)), f.map((x) => (x.key === 'study' ? { ...x, value: 'other' } : x)), [...f, { key: 'x', value: 'y' }]]) {
    assert.throws(() => decodeStatsPart(post!.text, bad), is('HEALTH_BAD_STATS'));
  }
  for (const junk of ['', '{', 'null', 'x'.repeat(MAX_POST_TEXT_BYTES + 1)]) assert.throws(() => decodeStatsPart(junk, f), is('HEALTH_BAD_STATS'));
});

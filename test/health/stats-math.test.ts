import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import { distribution, kindStats, percentileFromQuartiles, trendPer30Days } from '../../src/health/formats/stats-math.js';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test('distribution: hand-computed values (type-7 quartiles, sample sd)', () => {
  // 4.0, 1.0, 3.0, 2.0 with one decimal, scaled by 10
  const d = distribution([40, 10, 30, 20], 1);
  assert.deepEqual({ ...d, sd: 0 }, { members: 4, mean: 2.5, sd: 0, min: 1, q1: 1.75, median: 2.5, q3: 3.25, max: 4 });
  close(d.sd!, 1.2909944487358056);
  assert.deepEqual(distribution([120], 0), { members: 1, mean: 120, sd: null, min: 120, q1: 120, median: 120, q3: 120, max: 120 });
  const five = distribution([5, 1, 4, 2, 3], 0);
  assert.deepEqual([five.min, five.q1, five.median, five.q3, five.max, five.mean], [1, 2, 3, 4, 5, 3]);
  close(five.sd!, Math.sqrt(2.5));
  assert.equal(distribution([7, 7, 7], 0).sd, 0);
});

test('distribution is exact and independent of order; agrees with a naive float computation', () => {
  const r = new SeededRandom(1, 'stats');
  for (let round = 0; round < 50; round++) {
    const n = 1 + r.int(300);
    const xs = Array.from({ length: n }, () => 500 + r.int(3000));
    const shuffled = [...xs].sort(() => r.float() - 0.5);
    const d = distribution(xs, 1);
    assert.deepEqual(distribution(shuffled, 1), d);
    const vals = xs.map((x) => x / 10);
    const mean = vals.reduce((a, b) => a + b, 0) / n;
    close(d.mean, mean);
    if (n > 1) close(d.sd!, Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)), 1e-7);
    const s = [...vals].sort((a, b) => a - b);
    assert.equal(d.min, s[0]);
    assert.equal(d.max, s[n - 1]);
    assert.ok(d.min <= d.q1 && d.q1 <= d.median && d.median <= d.q3 && d.q3 <= d.max);
  }
});

test('trend: the least-squares slope per 30 days', () => {
  const M = 43_200; // minutes in 30 days
  // +3 units per 30 days, exactly on a line.
  assert.equal(trendPer30Days([[0, 100], [M, 103], [2 * M, 106]], 0), 3);
  // Scaled values: 72.0 → 71.0 kg over 30 days.
  assert.equal(trendPer30Days([[1000, 720], [1000 + M, 710]], 1), -1);
  assert.equal(trendPer30Days([[5, 1]], 0), null);
  assert.equal(trendPer30Days([[5, 1], [5, 9]], 0), null, 'no time spread');
  const r = new SeededRandom(2, 'trend');
  const pts: [number, number][] = Array.from({ length: 200 }, () => [28_000_000 + r.int(260_000), 1000 + r.int(400)]);
  const t = trendPer30Days(pts, 1)!;
  assert.equal(trendPer30Days([...pts].reverse(), 1), t);
  const n = pts.length;
  const mt = pts.reduce((a, p) => a + p[0], 0) / n;
  const mv = pts.reduce((a, p) => a + p[1] / 10, 0) / n;
  const slope = pts.reduce((a, p) => a + (p[0] - mt) * (p[1] / 10 - mv), 0) / pts.reduce((a, p) => a + (p[0] - mt) ** 2, 0);
  close(t, slope * M, 1e-6);
  const k = kindStats([1200, 1300], pts, 1);
  assert.equal(k.points, 200);
  assert.equal(k.trend, t);
  assert.equal(k.members, 2);
});

test('percentile from the five-number summary', () => {
  const d = { min: 100, q1: 110, median: 120, q3: 130, max: 160 };
  assert.equal(percentileFromQuartiles(90, d), 0);
  assert.equal(percentileFromQuartiles(100, d), 0);
  assert.equal(percentileFromQuartiles(105, d), 12.5);
  assert.equal(percentileFromQuartiles(120, d), 50);
  assert.equal(percentileFromQuartiles(145, d), 87.5);
  assert.equal(percentileFromQuartiles(170, d), 100);
  assert.equal(percentileFromQuartiles(5, { min: 5, q1: 5, median: 5, q3: 6, max: 7 }), 25);
});

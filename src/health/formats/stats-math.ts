/**
 * The arithmetic of cohort statistics (docs/protocol.md §8.3), exact and independent of input
 * order, so that two parties computing from the same data get the same bits.
 *
 * Values come in as scaled integers (value · 10^decimals, exact because a measurement has at most
 * its kind's decimals) and times as whole minutes. Sums are BigInt, hence exact:
 *   mean  = S / (n·10^d)                                      one rounding
 *   sd    = sqrt((n·Q − S²) / (n(n−1)·10^2d))                 sample standard deviation
 *   quartiles: linear interpolation between order statistics (Hyndman–Fan type 7, h = (n−1)p):
 *           x[⌊h⌋] + (h−⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]), exact in integers, then one division by 10^d
 *   trend = least-squares slope over all (time, value) points, per 30 days:
 *           (N·Σtv − Σt·Σv)·43200 / ((N·Σt² − (Σt)²)·10^d)
 * Each numerator and denominator is an exact integer rounded once to a double before the last
 * division (and square root), so the results are deterministic and within a few ulps of exact.
 */

import { HealthErrors } from '../health-errors.js';

const MINUTES_PER_30_DAYS = 43_200n;

export interface Distribution {
  /** How many values (one per member). */
  members: number;
  mean: number;
  /** Sample standard deviation; null for a single value. */
  sd: number | null;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
}

export interface KindStats extends Distribution {
  /** All measurement points the trend used. */
  points: number;
  /** Least-squares slope in the kind's unit per 30 days; null without two distinct times. */
  trend: number | null;
}

function checkScaled(values: readonly number[], what: string): void {
  for (const v of values) {
    if (!Number.isSafeInteger(v)) throw HealthErrors.HEALTH_STATS_INPUT(`${what} must be whole (scaled) numbers`);
  }
}

/** Distribution of one value per member, from scaled integers. */
export function distribution(scaled: readonly number[], decimals: number): Distribution {
  const n = scaled.length;
  if (n === 0) throw HealthErrors.HEALTH_STATS_INPUT('a distribution needs at least one value');
  checkScaled(scaled, 'values');
  const scale = 10 ** decimals;
  const x = [...scaled].sort((a, b) => a - b);
  let s = 0n;
  let q = 0n;
  for (const v of x) {
    const b = BigInt(v);
    s += b;
    q += b * b;
  }
  const quartile = (p: number): number => {
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const a = x[lo]!;
    const b = x[Math.min(lo + 1, n - 1)]!;
    return (a + (h - lo) * (b - a)) / scale;
  };
  const bn = BigInt(n);
  return {
    members: n,
    mean: Number(s) / (n * scale),
    sd: n < 2 ? null : Math.sqrt(Number(bn * q - s * s) / Number(bn * (bn - 1n) * BigInt(scale) * BigInt(scale))),
    min: x[0]! / scale,
    q1: quartile(0.25),
    median: quartile(0.5),
    q3: quartile(0.75),
    max: x[n - 1]! / scale,
  };
}

/** Least-squares slope per 30 days of (minute, scaled value) points, or null. */
export function trendPer30Days(points: ReadonlyArray<readonly [minute: number, scaled: number]>, decimals: number): number | null {
  const n = points.length;
  if (n < 2) return null;
  checkScaled(points.flat(), 'points');
  let t0 = Infinity;
  for (const [t] of points) t0 = Math.min(t0, t);
  let st = 0n, sv = 0n, stt = 0n, stv = 0n;
  for (const [t, v] of points) {
    const bt = BigInt(t - t0); // a shift changes neither numerator nor denominator (exact)
    const bv = BigInt(v);
    st += bt;
    sv += bv;
    stt += bt * bt;
    stv += bt * bv;
  }
  const bn = BigInt(n);
  const den = bn * stt - st * st;
  if (den === 0n) return null;
  return Number((bn * stv - st * sv) * MINUTES_PER_30_DAYS) / Number(den * BigInt(10 ** decimals));
}

/** One kind's statistics in a cohort: each member's latest value, and every point for the trend. */
export function kindStats(latestScaled: readonly number[], points: ReadonlyArray<readonly [minute: number, scaled: number]>, decimals: number): KindStats {
  const d = distribution(latestScaled, decimals);
  return { ...d, points: points.length, trend: trendPer30Days(points, decimals) };
}

/**
 * Where `value` falls in a distribution known only by its five-number summary, in percent:
 * linear between (min, 0), (q1, 25), (median, 50), (q3, 75), (max, 100); 0 below min, 100 above
 * max; on a value equal to several summary points, the middle of their percents.
 */
export function percentileFromQuartiles(value: number, d: Pick<Distribution, 'min' | 'q1' | 'median' | 'q3' | 'max'>): number {
  const knots: [number, number][] = [
    [d.min, 0],
    [d.q1, 25],
    [d.median, 50],
    [d.q3, 75],
    [d.max, 100],
  ];
  if (value < d.min) return 0;
  if (value > d.max) return 100;
  const equal = knots.filter(([k]) => k === value);
  if (equal.length > 0) return (equal[0]![1] + equal[equal.length - 1]![1]) / 2;
  for (let i = 0; i + 1 < knots.length; i++) {
    const [k0, p0] = knots[i]!;
    const [k1, p1] = knots[i + 1]!;
    if (value > k0 && value < k1) return p0 + ((value - k0) / (k1 - k0)) * (p1 - p0);
  }
  return 50; // unreachable for an ordered summary
}

/**
 * The curious seeker (docs/threat-model.md, R1). Before introduction relays, over 60 simulated
 * nodes (this seed) it named D in every trial: the last relay of each route neighboured D. Now D
 * answers no seek itself; routes end at its introduction relays, three hops or more from it and
 * never its neighbours, and the seeker names D no better than chance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSimNetwork } from '../../src/sim/churn.js';
import { curiousSeeker } from '../../src/sim/adversary/curious-seeker.js';

test('a seeker that keeps every relay of its routes to D names D no better than chance', { timeout: 300_000 }, async () => {
  const { net } = await buildSimNetwork(60, 3, { introductions: true });
  try {
    const row = await curiousSeeker(net, { trials: 12, setups: 3, seed: 3 });
    assert.ok(row.trials >= 10, `${row.trials} trials with a route`);
    assert.equal(row.baseline, 1 / 60);
    assert.ok(row.success <= 2 * row.baseline, `success ${row.success} against chance ${row.baseline}`);
    assert.ok(row.detail!.neighbourShare! <= 2 * row.detail!.neighbourChance!, JSON.stringify(row.detail));
    assert.equal(row.holds, true);
  } finally {
    await net.stop();
  }
});

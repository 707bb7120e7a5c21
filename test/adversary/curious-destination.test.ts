/**
 * The curious destination (docs/threat-model.md, R2). Before introduction relays, over 60 simulated
 * nodes (this seed) a destination that set up a route to the reply address every chunk carries
 * landed next to the sender and named it far above chance. Now reply addresses are served through
 * the sender's introduction relays too, and the destination names the sender no better than chance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSimNetwork } from '../../src/sim/churn.js';
import { curiousDestination } from '../../src/sim/adversary/curious-destination.js';

test('a destination that follows the reply address names the sender no better than chance', { timeout: 300_000 }, async () => {
  const { net } = await buildSimNetwork(60, 9, { introductions: true });
  try {
    const row = await curiousDestination(net, { trials: 20, seed: 9 });
    assert.ok(row.trials >= 15, `${row.trials} trials with a route`);
    assert.equal(row.baseline, 1 / 60);
    assert.ok(row.success <= 2 * row.baseline, `success ${row.success} against chance ${row.baseline}`);
    assert.equal(row.holds, true);
  } finally {
    await net.stop();
  }
});

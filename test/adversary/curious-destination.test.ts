/**
 * The curious destination against today's replies (docs/threat-model.md, R2), written before the
 * fix as the issue asks: a destination that sets up a route to the reply address every chunk
 * carries lands next to the sender, and names it far above chance. When replies travel on reply
 * blocks the sender made and reply addresses stop being seekable, this test turns into the
 * property's check (`holds`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSimNetwork } from '../../src/sim/churn.js';
import { curiousDestination } from '../../src/sim/adversary/curious-destination.js';

test('today a destination names the sender from a route to its reply address (the attack works; the property does not hold yet)', { timeout: 300_000 }, async () => {
  const { net } = await buildSimNetwork(60, 9);
  try {
    const row = await curiousDestination(net, { trials: 20, seed: 9 });
    assert.ok(row.trials >= 15, `${row.trials} trials with a route`);
    assert.equal(row.baseline, 1 / 60);
    assert.ok(row.success > 2 * row.baseline, `success ${row.success} against chance ${row.baseline}`);
    assert.equal(row.holds, false);
  } finally {
    await net.stop();
  }
});

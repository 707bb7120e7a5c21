/**
 * Replaying relays (docs/threat-model.md, R5). Before the redesign, at 200 nodes, honest relays
 * passed 376 replayed route-information packets on 1,036 times. Now a relay passes back only
 * answers to seeks it forwarded, a few per seek and none twice, and the return path's MAC covers
 * the seek id.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSimNetwork } from '../../src/sim/churn.js';
import { replayingRelays } from '../../src/sim/adversary/replaying-relay.js';

test('replayed route information, as it was or under a fresh seek id, is passed on by no honest relay', { timeout: 300_000 }, async () => {
  const { net } = await buildSimNetwork(80, 6);
  try {
    const row = await replayingRelays(net, { trials: 10, colluding: 0.2, seed: 6 });
    assert.ok(row.trials >= 5, `${row.trials} trials`);
    assert.ok(row.detail!.replays! > 20, JSON.stringify(row));
    assert.equal(row.detail!.passedOn, 0, JSON.stringify(row));
    assert.equal(row.holds, true);
  } finally {
    await net.stop();
  }
});

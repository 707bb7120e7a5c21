/**
 * Forging relays (docs/threat-model.md, R3). Before the redesign, at 200 nodes with 10 % colluding,
 * forgers owned 1 in 32 chosen routes end to end (chance 0.00015) and 22 % of route hops were
 * forged. Now every hop record is checked against its relay's passport and the records must chain
 * from the proxy's neighbour to the destination's: no forged hop reaches a route.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSimNetwork } from '../../src/sim/churn.js';
import { forgingRelays } from '../../src/sim/adversary/forging-relay.js';

test('forged hop records never reach a route, and colluders own no more routes than their share allows', { timeout: 300_000 }, async () => {
  const { net } = await buildSimNetwork(100, 5);
  try {
    const row = await forgingRelays(net, { trials: 30, colluding: 0.2, seed: 5 });
    assert.ok(row.trials >= 20, `${row.trials} trials with a route`);
    assert.equal(row.detail!.forgedHopShare, 0, JSON.stringify(row));
    assert.ok(row.detail!.meanRelays! >= 3, JSON.stringify(row));
    assert.equal(row.holds, true, JSON.stringify(row));
  } finally {
    await net.stop();
  }
});

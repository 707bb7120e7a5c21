/**
 * The TTL observer (docs/threat-model.md, R4). Before the redesign a seek that reached a colluder
 * at the largest TTL a sender draws named its sender every time (this test, same seed: 1.0),
 * because only the originator sent at that TTL. Now a forwarder at the top TTL keeps it with
 * probability 1/2, so the top TTL no longer singles the sender out: the attacker does no better
 * than the first spy, which is the stem's own bound (R4 at 1,000 nodes, docs/results/adversary.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSimNetwork } from '../../src/sim/churn.js';
import { ttlObserver } from '../../src/sim/adversary/ttl-observer.js';

test('a seek at the maximum TTL no longer names its sender: the TTL adds nothing to the first spy', { timeout: 300_000 }, async () => {
  const { net } = await buildSimNetwork(60, 4);
  try {
    // Half the nodes collude, so that a colluder is often the first hop of a seek.
    const row = await ttlObserver(net, { trials: 60, colluding: 0.5, seed: 4 });
    assert.ok(row.trials >= 40, `${row.trials} trials observed`);
    assert.ok(row.baseline > 0 && row.baseline < 0.5, `baseline ${row.baseline}`);
    const d = row.detail!;
    assert.ok(d.trialsWithASeekAtMaxTtl! > 0, `some seeks reached a colluder at the maximum TTL: ${JSON.stringify(d)}`);
    assert.ok(d.namedAtMaxTtl! < 0.9, `some came from further away: ${JSON.stringify(d)}`);
    assert.ok(row.success <= d.firstSpyOnly! + 0.05, `the TTL adds (almost) nothing: ${JSON.stringify(row)}`);
  } finally {
    await net.stop();
  }
});

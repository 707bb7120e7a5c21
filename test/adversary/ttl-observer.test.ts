/**
 * The TTL observer against today's route seeks (docs/threat-model.md, R4), written before the fix:
 * a seek that reaches a colluder at the largest TTL a sender draws names its sender every time,
 * because only the originator sends at that TTL. When the redesign hides the starting TTL, this
 * test turns into the check of the property's bound.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSimNetwork } from '../../src/sim/churn.js';
import { ttlObserver } from '../../src/sim/adversary/ttl-observer.js';

test('today every seek a colluder sees at the maximum TTL names its sender (the leak the redesign removes)', { timeout: 300_000 }, async () => {
  const { net } = await buildSimNetwork(60, 4);
  try {
    // Half the nodes collude, so that a colluder is often the first hop of a seek.
    const row = await ttlObserver(net, { trials: 60, colluding: 0.5, seed: 4 });
    assert.ok(row.trials >= 40, `${row.trials} trials observed`);
    assert.ok(row.baseline > 0 && row.baseline < 0.5, `baseline ${row.baseline}`);
    const d = row.detail!;
    assert.ok(d.trialsWithASeekAtMaxTtl! > 0, `some seeks reached a colluder at the maximum TTL: ${JSON.stringify(d)}`);
    assert.equal(d.namedAtMaxTtl, 1, 'each of them named the sender');
  } finally {
    await net.stop();
  }
});

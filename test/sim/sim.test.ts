import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChurnExperiment } from '../../src/sim/churn.js';
import { runScaleExperiment } from '../../src/sim/scale.js';
import { runAnonymityExperiment } from '../../src/sim/anonymity.js';
import { DEFAULT_ROUTING_CONFIG } from '../../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

test('the simulator reaches the node code only through the public API (src/index.ts)', () => {
  const dir = join(root, 'src', 'sim');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length >= 5);
  for (const f of files) {
    const source = readFileSync(join(dir, f), 'utf8');
    for (const m of source.matchAll(/from '([^']+)'/g)) {
      const spec = m[1]!;
      const ok = spec === '../index.js' || spec.startsWith('./') || spec.startsWith('node:') || spec === 'vega' || spec === 'vega-lite';
      assert.ok(ok, `${f} imports ${spec}`);
    }
  }
});

const tiny = { nodes: 50, seed: 3, churn: [0.3], pairs: 3, messages: 3, intervalMs: 2_000 };

test('the churn experiment is reproducible from its seed, and runs the node\'s own routing code', async () => {
  const a = await runChurnExperiment(tiny);
  const b = await runChurnExperiment(tiny);
  assert.deepEqual(a.rows, b.rows, 'same seed, same table');
  assert.deepEqual(a.rows.map((r) => r.strategy), ['fixed', 'backtrack', 'backtrack+multicast']);
  for (const r of a.rows) assert.ok(r.delivery >= 0 && r.delivery <= 1 && r.messages === 9);

  // Change one constant of the node's routing code: the simulator's output follows.
  const saved = DEFAULT_ROUTING_CONFIG.seekCopyCap;
  DEFAULT_ROUTING_CONFIG.seekCopyCap = saved + 1;
  try {
    const c = await runChurnExperiment(tiny);
    assert.notDeepEqual(
      c.rows.map((r) => r.cellsPerDelivery),
      a.rows.map((r) => r.cellsPerDelivery),
      'a different flood copy cap changes the cells on the wire',
    );
  } finally {
    DEFAULT_ROUTING_CONFIG.seekCopyCap = saved;
  }
});

test('the scale experiment prints measured cost beside the analytical one', async () => {
  const r = await runScaleExperiment({ sizes: [60], seeks: 2, seed: 2 });
  assert.deepEqual(r.rows.map((x) => x.mode), ['flood', 'stem+flood', 'stem+bounded']);
  for (const row of r.rows) {
    assert.ok(row.cellsPerSeek > 0 && row.analyticCells > 0);
    assert.ok(row.nodesTouched > 0.5, `a seek reaches most of a small network (${row.nodesTouched})`);
    assert.equal(row.success, 1);
  }
});

test('the anonymity experiment compares with c² and the Tor-like degree of anonymity', async () => {
  const r = await runAnonymityExperiment({ nodes: 60, seed: 2, colluding: [0.2], routes: 6, seeks: 6 });
  const row = r.rows[0]!;
  assert.equal(row.endsColludeAnalytic, 0.04);
  assert.ok(row.degree > 0 && row.degree <= 1);
  assert.ok(row.degreeTorLike > 0 && row.degreeTorLike <= 1);
  assert.ok(row.firstSpyWithStem >= 0 && row.firstSpyWithoutStem >= 0);
  assert.ok(r.meanRouteLength >= 3);
});

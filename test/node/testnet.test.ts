import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestnet } from '../../src/node/testnet.js';
import type { TokumeiNode } from '../../src/node/node.js';

const degree = (n: TokumeiNode): number => n.status().neighbours.length;

test('the same node code forms an overlay over real TLS on loopback', async () => {
  const net = await createTestnet(6, { runtime: 'real' });
  try {
    assert.ok(await net.waitFor(() => net.nodes.every((n) => degree(n) >= 4), 20_000), net.nodes.map(degree).join(' '));
    for (const n of net.nodes) assert.match(n.address, /^127\.0\.0\.1:\d+$/);
    await net.kill(5);
    const gone = net.nodes[5]!.id;
    const live = net.live();
    assert.ok(await net.waitFor(() => live.every((n) => degree(n) >= 4 && !n.status().neighbours.some((x) => x.id === gone)), 20_000));
    await net.waitFor(() => live.every((n) => n.status().neighbours.every((x) => x.rttMs !== null)), 10_000);
    for (const n of live) for (const x of n.status().neighbours) assert.ok(x.rttMs !== null && x.rttMs < 1_000);
  } finally {
    await net.stop();
  }
});

test('a simulated testnet is reproducible from its seed', async () => {
  const run = async () => {
    const net = await createTestnet(12, { runtime: 'sim', seed: 42 });
    await net.advance(20_000);
    const shape = net.nodes.map((n) => n.status().neighbours.map((x) => net.nodes.findIndex((y) => y.id === x.id)).sort((a, b) => a - b).join(','));
    await net.stop();
    return shape;
  };
  assert.deepEqual(await run(), await run());
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestnet } from '../../src/node/testnet.js';
import type { TokumeiNode } from '../../src/node/node.js';

const ids = (n: TokumeiNode): string[] => n.status().neighbours.map((x) => x.id);
const degree = (n: TokumeiNode): number => n.status().neighbours.length;

test('40 nodes bootstrapped from two reach the target degree and stay within it', async () => {
  const net = await createTestnet(40, { runtime: 'sim', seed: 3 });
  const ok = await net.waitFor(() => net.nodes.every((n) => degree(n) >= 4), 60_000);
  assert.ok(ok, `degrees: ${net.nodes.map(degree).join(' ')}`);
  await net.advance(30_000);
  for (const n of net.nodes) {
    const d = degree(n);
    assert.ok(d >= 4 && d <= 8, `node ${n.id} degree ${d}`);
    // Links are symmetric: my neighbour lists me.
    for (const peer of ids(n)) assert.ok(ids(net.nodes.find((x) => x.id === peer)!).includes(n.id));
  }
  assert.ok(net.nodes.every((n) => n.status().knownPeers > 4));
  await net.stop();
});

test('peers that leave are dropped and the survivors keep their degree', async () => {
  const net = await createTestnet(20, { runtime: 'sim', seed: 5 });
  assert.ok(await net.waitFor(() => net.nodes.every((n) => degree(n) >= 4), 60_000));
  const gone = [net.nodes[0]!.id, net.nodes[7]!.id, net.nodes[13]!.id];
  await net.kill(0, 'exit'); // a bootstrap node: its links close at once
  await net.kill(7, 'crash'); // silence: only keep-alive timeouts notice
  await net.kill(13, 'exit');
  const live = net.live();
  const ok = await net.waitFor(() => live.every((n) => degree(n) >= 4 && !ids(n).some((id) => gone.includes(id))), 60_000);
  assert.ok(ok, live.map((n) => `${degree(n)}:${ids(n).filter((id) => gone.includes(id)).length}`).join(' '));
  await net.stop();
});

test('a newcomer whose preference node is full still joins', async () => {
  // Every node names the same first two nodes; they shed above max degree, handing out peers.
  const net = await createTestnet(30, { runtime: 'sim', seed: 9, overlay: { minDegree: 3, maxDegree: 5 } });
  assert.ok(await net.waitFor(() => net.nodes.every((n) => degree(n) >= 3), 60_000));
  await net.advance(20_000);
  assert.ok(net.nodes.every((n) => degree(n) <= 5 + 2), net.nodes.map(degree).join(' '));
  await net.stop();
});

test('the known-peer table stays within its bound', async () => {
  const net = await createTestnet(30, { runtime: 'sim', seed: 4, overlay: { knownPeersCapacity: 6 } });
  await net.advance(60_000);
  for (const n of net.nodes) assert.ok(n.status().knownPeers <= 6);
  assert.ok(net.nodes.every((n) => degree(n) >= 2));
  await net.stop();
});

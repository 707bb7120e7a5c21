/**
 * Per-route rate limits (docs/protocol.md §7.7): a member that floods the board is slowed at each
 * replica's previous hops, gets BOARD_RATE_LIMITED, and the board stays consistent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestnet } from '../../src/node/testnet.js';
import { generateBoardKeys } from '../../src/board/board-keys.js';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import { TokumeiError } from '../../src/errors.js';
import { testnetServices } from '../../src/services/node-services.js';
import { boardClientOf, replicaOf } from '../../src/board/service/board-service.js';

test('a flood of posts from one member is rate-limited per route; what was accepted is stored once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokumei-board-rate-'));
  const keys = generateBoardKeys(new SeededRandom(9, 'board'));
  const replicas = [0, 5];
  const net = await createTestnet(12, { runtime: 'sim', seed: 9, overlay: { minDegree: 3, maxDegree: 5 }, services: testnetServices({ board: { keys, replicas, dir, config: { rate: 0.2, burst: 10, writeCost: 5 } } }) });
  try {
    assert.ok(await net.waitFor(() => net.nodes.every((x) => x.status().neighbours.length >= 3), 120_000));
    assert.ok(await net.waitFor(() => replicas.every((r) => replicaOf(net.nodes[r]!)!.status().peers.length === 1), 180_000));
    const flooder = net.nodes[8]!;
    const outcomes: (string | 'ok')[] = [];
    const posts = Array.from({ length: 40 }, (_, i) =>
      boardClientOf(flooder).post(keys.address, { text: `flood ${i}`, ttlSeconds: 3600 }).then(
        () => outcomes.push('ok'),
        (e: unknown) => outcomes.push(e instanceof TokumeiError ? e.code : String(e)),
      ),
    );
    assert.ok(await net.waitFor(() => outcomes.length === posts.length, 600_000), 'every post got an answer');
    const accepted = outcomes.filter((o) => o === 'ok').length;
    const limited = outcomes.filter((o) => o === 'BOARD_RATE_LIMITED').length;
    assert.ok(limited > 0, `some posts were refused as rate-limited (${JSON.stringify(outcomes)})`);
    assert.ok(accepted > 0, 'some got through');
    const counters = replicas.map((r) => replicaOf(net.nodes[r]!)!.status().counters.rateLimited);
    assert.ok(counters.reduce((a, b) => a + b, 0) >= limited);
    // What was accepted reaches both replicas, once (a post whose answer was lost may be stored
    // too). Replicas check pulled posts with WebCrypto HPKE, which runs on real time outside the
    // simulation, so virtual time is let pass in steps with real time between them.
    const stored = () => replicas.map((r) => replicaOf(net.nodes[r]!)!.status().stored.posts);
    for (let i = 0; i < 60 && !(stored()[0] === stored()[1] && stored()[0]! >= accepted); i++) {
      await net.advance(5_000);
      await new Promise((r) => setTimeout(r, 100));
    }
    const [a, b] = stored();
    assert.ok(a === b && a! >= accepted && a! <= accepted + outcomes.filter((o) => o !== 'ok' && o !== 'BOARD_RATE_LIMITED').length, `replicas agree: accepted ${accepted}, stored ${stored()}, outcomes ${JSON.stringify(outcomes)}`);
  } finally {
    await net.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

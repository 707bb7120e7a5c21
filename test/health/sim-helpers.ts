/** Shared pieces of the health tests on a simulated network. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateBoardKeys, type BoardKeys } from '../../src/board/board-keys.js';
import { createTestnet, type Testnet } from '../../src/node/testnet.js';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
export { settle } from '../helpers/settle.js';
import { settle } from '../helpers/settle.js';
import { testnetServices } from '../../src/services/node-services.js';
import { replicaOf } from '../../src/board/service/board-service.js';


export interface BoardNet {
  net: Testnet;
  keys: BoardKeys;
  board: string;
  replicas: number[];
  /** True once every replica stores `posts` posts and `replies` replies. */
  stored(posts: number, replies?: number): boolean;
  /** Waits (virtual time) until every replica stores `posts` posts and `replies` replies. */
  synced(posts: number, replies?: number): Promise<void>;
  close(): Promise<void>;
}

/** A simulated network of `n` nodes, nodes 0 and 1 replicas of one board, the overlay formed. */
export async function boardNet(n: number, seed: number, options: { keystorePassphrase?: string } = {}): Promise<BoardNet> {
  const dir = mkdtempSync(join(tmpdir(), 'tokumei-health-sim-'));
  const keys = generateBoardKeys(new SeededRandom(seed, 'board'));
  const replicas = [0, 1];
  const net = await createTestnet(n, { runtime: 'sim', seed, overlay: { minDegree: 3, maxDegree: 5 }, services: testnetServices({ board: { keys, replicas, dir }, ...options }) });
  const close = async () => {
    net.sim!.wiretap = undefined;
    await net.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    assert.ok(await net.waitFor(() => net.nodes.every((x) => x.status().neighbours.length >= 3), 120_000), 'overlay did not form');
    assert.ok(await net.waitFor(() => replicas.every((r) => replicaOf(net.nodes[r]!)!.status().peers.length === replicas.length - 1), 180_000), 'replicas know each other');
  } catch (e) {
    await close();
    throw e;
  }
  const stored = (posts: number, replies = 0) =>
    replicas.every((r) => {
      const s = replicaOf(net.nodes[r]!)!.status().stored;
      return s.posts === posts && s.replies === replies;
    });
  // Replicas pull from each other every few seconds (§7.6); allow for missed rounds.
  const synced = async (posts: number, replies = 0) => {
    const ok = await net.waitFor(() => stored(posts, replies), 300_000);
    assert.ok(ok, `replicas hold ${JSON.stringify(replicas.map((r) => replicaOf(net.nodes[r]!)!.status().stored))}, want ${posts} posts, ${replies} replies`);
  };
  return { net, keys, board: keys.address, replicas, stored, synced, close };
}

/**
 * The board over a simulated network: 3 replicas and 20 other nodes. Post, search, reply and
 * read replies from different nodes; what the board stores and logs, and what crosses any wire.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestnet, type Testnet } from '../../src/node/testnet.js';
import { generateBoardKeys } from '../../src/board/board-keys.js';
import { createMemoryLogger } from '../../src/log.js';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import { settle } from '../helpers/settle.js';
import { testnetServices } from '../../src/services/node-services.js';
import { boardClientOf, replicaOf } from '../../src/board/service/board-service.js';


function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).includes(Buffer.from(needle));
}

test('3 replicas, 20 nodes: post, search, reply, replies, reservations, expiry; no identity on the board, nothing readable on the wires', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokumei-board-sim-'));
  const logger = createMemoryLogger(200_000);
  const keys = generateBoardKeys(new SeededRandom(5, 'board'));
  const replicas = [0, 9, 18];
  const net = await createTestnet(23, { runtime: 'sim', seed: 5, overlay: { minDegree: 4, maxDegree: 6 }, services: testnetServices({ board: { keys, replicas, dir } }), logger });
  const wire: { from: string; to: string; bytes: Uint8Array }[] = [];
  try {
    assert.ok(await net.waitFor(() => net.nodes.every((x) => x.status().neighbours.length >= 4), 120_000), 'overlay did not form');
    assert.ok(await net.waitFor(() => replicas.every((r) => replicaOf(net.nodes[r]!)!.status().peers.length === 2), 180_000), 'each replica knows the two others');
    net.sim!.wiretap = (from, to, bytes) => wire.push({ from, to, bytes });

    const board = keys.address;
    const [poster, searcher, replier, late] = [net.nodes[3]!, net.nodes[6]!, net.nodes[14]!, net.nodes[21]!];
    const secret = 'zebra-umbrella-4711 clinic study open to all';
    const posted = await settle(net, boardClientOf(poster).post(board, { text: secret, fields: [{ key: 'topic', value: 'study' }], ttlSeconds: 3600 }));
    assert.match(posted.postId, /^[0-9a-f]{32}$/);
    assert.match(posted.anonymousId, /^[0-9a-f]{128}$/);

    // Replicas are eventually consistent: a post reaches every replica within a pull round (§7.6).
    const stored = (posts: number, replies = 0): boolean => replicas.every((r) => replicaOf(net.nodes[r]!)!.status().stored.posts === posts && replicaOf(net.nodes[r]!)!.status().stored.replies === replies);
    assert.ok(await net.waitFor(() => stored(1), 60_000), 'every replica has the post');
    const found = await settle(net, boardClientOf(searcher).search(board, { query: 'zebra umbrella', fields: [{ key: 'topic', value: 'study' }] }));
    assert.equal(found.length, 1);
    assert.equal(found[0]!.postId, posted.postId);
    assert.equal(found[0]!.text, secret);
    assert.equal((await settle(net, boardClientOf(searcher).search(board, { query: 'zebra', fields: [{ key: 'topic', value: 'other' }] }))).length, 0);

    const replyText = 'count me in — quokka-8812';
    await settle(net, boardClientOf(replier).reply(board, posted.postId, { text: replyText }));
    // Every replica has the post and the reply within a few pull rounds (§7.6), so whichever
    // replica the poster's route reaches has the reply.
    assert.ok(await net.waitFor(() => stored(1, 1), 60_000), 'replicas synced');
    const read = await settle(net, boardClientOf(poster).replies(board));
    assert.deepEqual(read.map((r) => r.text), [replyText]);
    await assert.rejects(settle(net, boardClientOf(searcher).replies(board, posted.postId)), /BOARD_NOT_MINE|not/i, 'only the poster opens replies');

    // A reservation: nothing yet, then a matching post notifies the searcher.
    assert.equal((await settle(net, boardClientOf(searcher).search(board, { query: 'tandem bicycle' }))).length, 0);
    await settle(net, boardClientOf(searcher).reserve(board, { query: 'tandem bicycle', ttlSeconds: 600 }));
    await settle(net, boardClientOf(late).post(board, { text: 'Tandem bicycle for the study ride', ttlSeconds: 60 }));
    assert.ok(await net.waitFor(() => boardClientOf(searcher).notifications().length === 1, 120_000), 'the searcher was notified');
    assert.match(boardClientOf(searcher).notifications()[0]!.post.text, /Tandem bicycle/);

    // Expiry: the 60 s post leaves search and storage; after 10 minutes the reservation is gone too.
    await net.advance(11 * 60_000);
    assert.equal((await settle(net, boardClientOf(searcher).search(board, { query: 'tandem' }))).length, 0);
    for (const r of replicas) assert.equal(replicaOf(net.nodes[r]!)!.status().stored.posts, 1, 'the expired post was deleted');
    await settle(net, boardClientOf(late).post(board, { text: 'another tandem bicycle', ttlSeconds: 600 }));
    await net.advance(60_000);
    assert.equal(boardClientOf(searcher).notifications().length, 1, 'no notification after the reservation expired');
    for (const r of replicas) assert.equal(replicaOf(net.nodes[r]!)!.status().stored.reservations, 0);

    // The board's records and logs name no poster, searcher or replier.
    const members = [poster, searcher, replier, late].map((n) => n.id);
    const boardLines = logger.lines.filter((l) => l.includes('component=board'));
    assert.ok(boardLines.length > 0);
    for (const file of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, file));
      for (const id of members) {
        assert.ok(!bytes.includes(Buffer.from(id)), `${file} holds no member serial`);
        assert.ok(!bytes.includes(Buffer.from(id, 'hex')), `${file} holds no member serial bytes`);
      }
    }
    for (const line of boardLines) for (const id of members) assert.ok(!line.includes(id.slice(0, 8)), `board log line names a member: ${line}`);

    // No wire carried the post's or the reply's text in clear (relays and observers cannot read them).
    assert.ok(wire.length > 100, 'the tap saw the traffic');
    for (const w of wire) {
      assert.ok(!contains(w.bytes, new TextEncoder().encode('zebra-umbrella-4711')), `post text on the wire ${w.from}→${w.to}`);
      assert.ok(!contains(w.bytes, new TextEncoder().encode('quokka-8812')), `reply text on the wire ${w.from}→${w.to}`);
    }
  } finally {
    net.sim!.wiretap = undefined;
    await net.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Acceptance (issue 5, the CLI), with the CLI alone: `tokumei board init`, 3 replica nodes
 * (`tokumei node --board`) and 5 other nodes on loopback (helpers/board-community.ts). Post from
 * A, search from B once the replicas have synced, reply from C; `replies` from A shows the reply,
 * `replies --post` from B fails (only the poster opens); a search that found nothing leaves a
 * reservation, and a matching post is notified.
 *
 * Bad inputs are board-inputs-processes.test.ts; kill -9 of a replica during a stream of posts is
 * board-kill-processes.test.ts (each file has 175 s, so each builds its own community).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BoardNotification, BoardResult, ReadReply } from '../../src/board/client.js';
import type { BoardReplicaStatus, PostResult } from '../../src/board/service/board-api.js';
import { cliOk, runCli, testEnv, waitFor } from './helpers/cli-process.js';
import { boardCommunity, boardEnv, cliJson, refusal, REQUEST_MS, slowCommands, uniqueWord } from './helpers/board-community.js';
import type { TestNode } from './helpers/community.js';

const env = boardEnv;

test('board over 8 node processes: post, search, reply, replies, reservations', { timeout: 175_000 }, async (t) => {
  const { board, boardDir, replicas, members, startArgs, replicasWhere, since } = await boardCommunity(t, 'board');
  t.diagnostic(`overlay formed, replicas know each other at ${since()}`);
  const [a, b, c] = members.slice(2) as [TestNode, TestNode, TestNode];
  const agree = (all: BoardReplicaStatus[], posts: number, replies: number) => all.every((s) => s.stored.posts === posts && s.stored.replies === replies && s.integrity);

  await t.test('board init refuses an existing BOARDDIR; a wrong board passphrase stops the node; a member runs no replica', async () => {
    const again = await runCli(['board', 'init', '--out', boardDir], { env });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^tokumei: BOARD_DIR_EXISTS: /);
    // The node's keystore opens (TOKUMEI_PASSPHRASE), the board's does not: it stops before listening.
    const wrong = await runCli(startArgs(replicas[0]!), { env: testEnv({ TOKUMEI_BOARD_PASSPHRASE: 'not the board passphrase' }), timeoutMs: 30_000 });
    assert.equal(wrong.code, 1, refusal(wrong));
    assert.match(wrong.stderr, /tokumei: KEYSTORE_BAD_PASSPHRASE: /);
    const plain = await runCli(['board', 'status', '--dir', a.dir, '--json'], { env });
    assert.equal(plain.code, 1);
    assert.match(plain.stderr, /^tokumei: BOARD_NO_REPLICA: /);
  });

  await t.test('post from A, search from B, reply from C, replies from A; only the poster opens replies', async () => {
    const unique = uniqueWord();
    const text = `Clinic study ${unique}: volunteers wanted — bring the form`;
    let t0 = Date.now();
    const posted = await cliJson<PostResult>(['post', '--dir', a.dir, '--board', board, '--text', text, '--field', 'topic=study', '--field', 'city=Zürich', '--ttl', '1h', '--json']);
    t.diagnostic(`post: ${Date.now() - t0} ms`);
    assert.match(posted.postId, /^[0-9a-f]{32}$/);
    assert.match(posted.anonymousId, /^[0-9a-f]{128}$/);
    assert.ok(posted.expires > Date.now() + 59 * 60_000 && posted.expires <= Date.now() + 3600_000);
    await replicasWhere('every replica to have the post', (all) => agree(all, 1, 0));
    t.diagnostic(`post on every replica at ${since()}`);

    t0 = Date.now();
    const found = await cliJson<{ results: BoardResult[] }>(['search', '--dir', b.dir, '--board', board, '--query', `${unique} VOLUNTEERS`, '--field', 'topic=study', '--json']);
    t.diagnostic(`search: ${Date.now() - t0} ms`);
    assert.deepEqual(found.results.map((r) => [r.postId, r.anonymousId, r.text, r.fields]), [[posted.postId, posted.anonymousId, text, [{ key: 'topic', value: 'study' }, { key: 'city', value: 'Zürich' }]]]);
    const otherField = await cliJson<{ results: BoardResult[] }>(['search', '--dir', b.dir, '--board', board, '--query', unique, '--field', 'topic=other', '--json']);
    assert.deepEqual(otherField.results, []);
    const human = await cliOk(['search', '--dir', b.dir, '--board', boardDir, '--field', 'city=Zürich'], { env, timeoutMs: REQUEST_MS });
    assert.match(human.stdout, new RegExp(`${posted.postId}.*topic=study`));

    const replyText = `count me in ${uniqueWord()}`;
    t0 = Date.now();
    const replied = await cliJson<{ replyId: string }>(['reply', '--dir', c.dir, '--board', board, '--post', posted.postId, '--text', replyText, '--json']);
    t.diagnostic(`reply: ${Date.now() - t0} ms`);
    assert.match(replied.replyId, /^[0-9a-f]{32}$/);
    await replicasWhere('every replica to have the reply', (all) => agree(all, 1, 1));
    t0 = Date.now();
    const read = await cliJson<{ replies: ReadReply[] }>(['replies', '--dir', a.dir, '--board', board, '--json']);
    t.diagnostic(`replies: ${Date.now() - t0} ms`);
    assert.deepEqual(read.replies.map((r) => [r.postId, r.replyId, r.text, r.answerAddress]), [[posted.postId, replied.replyId, replyText, '']]);
    const notMine = await runCli(['replies', '--dir', b.dir, '--board', board, '--post', posted.postId, '--json'], { env, timeoutMs: REQUEST_MS });
    assert.equal(notMine.code, 1, refusal(notMine));
    assert.match(notMine.stderr, /^tokumei: BOARD_NOT_MINE: /);
    assert.deepEqual((await cliJson<{ replies: ReadReply[] }>(['replies', '--dir', b.dir, '--board', board, '--json'])).replies, [], 'B has no posts of its own');
    // `reply` without --board is still the inbox's (here: its own usage error).
    const inboxReply = await runCli(['reply', '--dir', c.dir, '--to-message', 'zz', '--text', 'x'], { env });
    assert.equal(inboxReply.code, 2);
    assert.match(inboxReply.stderr, /^tokumei: MESSAGE_ID_INVALID: /);

    // A search that finds nothing leaves a reservation; a matching post is notified to B.
    const wanted = uniqueWord();
    const reserved = await cliJson<{ results: BoardResult[]; reservationId: string; expires: number }>(['search', '--dir', b.dir, '--board', board, '--query', `tandem ${wanted}`, '--reserve', '10m', '--json']);
    assert.deepEqual(reserved.results, []);
    assert.match(reserved.reservationId, /^[0-9a-f]{32}$/);
    assert.ok(reserved.expires > Date.now() + 9 * 60_000);
    const match = await cliJson<PostResult>(['post', '--dir', c.dir, '--board', board, '--text', `Tandem for the ride ${wanted}`, '--ttl', '10m', '--json']);
    const notified = await waitFor(
      async () => (await cliJson<{ notifications: BoardNotification[] }>(['notifications', '--dir', b.dir, '--json'], 10_000)).notifications.find((n) => n.post.postId === match.postId),
      { timeoutMs: 60_000, intervalMs: 1_000, what: 'the notification at B' },
    );
    assert.equal(notified.reservationId, reserved.reservationId);
    assert.match(notified.post.text, new RegExp(wanted));
    await replicasWhere('every replica to have both posts and the reservation', (all) => agree(all, 2, 1) && all.every((s) => s.stored.reservations === 1));
    t.diagnostic(`flow done at ${since()}`);
  });
  t.diagnostic(`slow commands: ${slowCommands.join(', ') || 'none'}`);
});

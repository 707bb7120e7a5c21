/**
 * Acceptance (issue 5): bad inputs to the board over the CLI, on 3 replica and 5 member node
 * processes (helpers/board-community.ts). Oversized text, a bad field key, control characters or
 * bidirectional overrides in a query, an empty query, malformed ids and durations are refused with
 * their code (a usage error, exit 2, when the command line alone is wrong; the board's refusal,
 * exit 1, otherwise); SQL- and FTS5-looking text is stored and found literally. Afterwards the
 * replicas agree and their databases pass SQLite's and FTS5's integrity checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BoardResult } from '../../src/board/client.js';
import type { BoardReplicaStatus, PostResult } from '../../src/board/service/board-api.js';
import { cliOk, runCli } from './helpers/cli-process.js';
import { boardCommunity, boardEnv as env, cliJson, refusal, REQUEST_MS, slowCommands, uniqueWord } from './helpers/board-community.js';
import type { TestNode } from './helpers/community.js';

test('bad inputs over the CLI are refused with their code; SQL-looking text is only text; replicas stay consistent', { timeout: 175_000 }, async (t) => {
  const { board, replicas, members, replicasWhere, since } = await boardCommunity(t, 'board-inputs');
  t.diagnostic(`overlay formed, replicas know each other at ${since()}`);
  const [b, c] = members.slice(3) as [TestNode, TestNode];
  const agree = (all: BoardReplicaStatus[], posts: number) => all.every((s) => s.stored.posts === posts && s.stored.replies === 0 && s.integrity);

  const bad = async (args: string[], exit: number, code: string) => {
    const r = await runCli(args, { env, timeoutMs: REQUEST_MS });
    assert.equal(r.code, exit, `${args.slice(0, 2).join(' ')}: ${refusal(r)}`);
    assert.match(r.stderr, new RegExp(`^tokumei: ${code}: `), args.join(' ').slice(0, 100));
    assert.equal(r.stdout, '');
  };
  const at = ['--dir', b.dir, '--board', board];
  const refusals: [string[], number, string][] = [
    [['post', ...at, '--text', 'x'.repeat(16_385)], 1, 'BOARD_TOO_LARGE'],
    [['post', ...at, '--text', 'é'.repeat(8_193)], 1, 'BOARD_TOO_LARGE'],
    [['post', ...at, '--text', 'bell \u0007 and escape \u001b[2J'], 1, 'BOARD_BAD_TEXT'],
    [['post', ...at, '--text', 'x', '--field', 'Bad Key=v'], 2, 'BOARD_BAD_FIELD'],
    [['post', ...at, '--text', 'x', '--field', 'novalue'], 2, 'CLI_USAGE'],
    [['search', ...at, '--query', 'x', '--field', 'k=two\nlines'], 2, 'BOARD_BAD_FIELD'],
    [['search', ...at, '--query', 'abc\u0001def'], 1, 'BOARD_BAD_QUERY'],
    [['search', ...at, '--query', 'right-to-left \u202e override'], 1, 'BOARD_BAD_QUERY'],
    [['search', ...at, '--query', ''], 1, 'BOARD_BAD_QUERY'],
    [['search', ...at, '--query', '  --  '], 1, 'BOARD_BAD_QUERY'],
    [['search', ...at, '--query', 'q'.repeat(257)], 1, 'BOARD_BAD_QUERY'],
    [['search', ...at], 2, 'CLI_USAGE'],
    [['post', '--dir', b.dir, '--board', board.slice(0, -2), '--text', 'x'], 2, 'BOARD_ADDRESS_INVALID'],
    [['post', ...at, '--text', 'x', '--ttl', '31d'], 2, 'CLI_USAGE'],
    [['post', ...at, '--text', 'x', '--ttl', '10'], 2, 'CLI_USAGE'],
    [['reply', ...at, '--post', 'nothex', '--text', 'x'], 2, 'BOARD_POST_ID_INVALID'],
    [['reply', '--dir', c.dir, '--board', board, '--post', 'f'.repeat(32), '--text', 'x'], 1, 'BOARD_NO_SUCH_POST'],
  ];
  // Four at a time: the machine is small.
  const queue = [...refusals];
  await Promise.all([0, 1, 2, 3].map(async () => {
    for (let x = queue.shift(); x; x = queue.shift()) await bad(...x);
  }));
  t.diagnostic(`refusals done at ${since()}`);
  await replicasWhere('replicas to store nothing of it', (all) => agree(all, 0));

  // SQL and FTS5 syntax are only text: the post is stored and found literally, from other nodes.
  const unique = uniqueWord();
  const sqlText = `'; DROP TABLE posts; -- ${unique} " OR 1=1 NEAR(a b) *`;
  const note = "'); DELETE FROM posts; --";
  const posted = await cliJson<PostResult>(['post', ...at, '--text', sqlText, '--field', `note=${note}`, '--json']);
  await replicasWhere('every replica to have the SQL-looking post', (all) => agree(all, 1));
  const queries = [`${unique} DROP TABLE posts`, `'; DROP TABLE posts; -- ${unique}`, `"${unique}" OR`];
  await Promise.all(
    queries.map(async (query, i) => {
      const found = await cliJson<{ results: BoardResult[] }>(['search', '--dir', members[i]!.dir, '--board', board, '--query', query, '--field', `note=${note}`, '--json']);
      assert.deepEqual(found.results.map((r) => [r.postId, r.text, r.fields]), [[posted.postId, sqlText, [{ key: 'note', value: note }]]], query);
    }),
  );
  const syntax = await cliJson<{ results: BoardResult[] }>(['search', '--dir', c.dir, '--board', board, '--query', 'NEAR(zzq zzr) OR * AND', '--json']);
  assert.deepEqual(syntax.results, []);

  const settled = await replicasWhere('replicas to agree after the bad inputs', (all) => agree(all, 1) && all.every((s) => s.stored.reservations === 0));
  t.diagnostic(`refusals counted by the replicas: ${JSON.stringify(settled.map((s) => s.counters.refused))}`);
  const human = await cliOk(['board', 'status', '--dir', replicas[0]!.dir], { env });
  assert.match(human.stdout, /integrity ok/);
  assert.match(human.stdout, /stored: 1 posts, 0 replies, 0 reservations/);
  t.diagnostic(`done at ${since()}; slow commands: ${slowCommands.join(', ') || 'none'}`);
});

/**
 * Acceptance (issue 2), with the CLI alone: create a CA, issue 6 passports, start 6 `tokumei node`
 * processes on loopback with a preference file naming two of them; within 30 s every node reports
 * at least 2 authenticated neighbours. Kill one process (SIGKILL): the others drop it and keep
 * their degree. Finally a SIGTERM stops a node cleanly (exit 0, control.json removed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeStatus } from '../../src/node/status.js';
import { waitFor } from './helpers/cli-process.js';
import { processCommunity, startNode, status, type TestNode } from './helpers/community.js';

const NODES = 6;
const FORM_WITHIN_MS = 30_000;

test('six node processes form an overlay and heal after one is killed', { timeout: 90_000 }, async (t) => {
  const { nodes, prefs, children } = await processCommunity(t, NODES, 'overlay');

  const started = Date.now();
  for (const n of nodes) startNode(children, n, prefs);

  const latest = new Map<string, NodeStatus | undefined>();
  const snapshot = async (which: TestNode[]) => {
    await Promise.all(which.map(async (n) => latest.set(n.name, await status(n.dir))));
    return which.map((n) => latest.get(n.name));
  };
  const describe = () =>
    [...latest].map(([name, s]) => `${name}: ${s ? s.neighbours.map((x) => x.address).join(',') || '-' : 'no answer'}`).join('; ') +
    ' | ' + nodes.filter((n) => n.proc && !n.proc.isRunning()).map((n) => `${n.name} exited: ${n.proc!.stderr().trim().split('\n').pop()}`).join('; ');

  // 1. Within 30 s every node has at least 2 authenticated neighbours.
  const formed = await waitFor(
    async () => {
      const all = await snapshot(nodes);
      return all.every((s) => s && s.neighbours.length >= 2) ? (all as NodeStatus[]) : undefined;
    },
    { timeoutMs: FORM_WITHIN_MS - (Date.now() - started), intervalMs: 700, what: 'every node to have ≥ 2 neighbours', describe },
  );
  t.diagnostic(`overlay formed in ${Date.now() - started} ms; degrees ${formed.map((s) => s.neighbours.length).join(' ')}`);
  const ids = new Set(formed.map((s) => s.id));
  assert.equal(ids.size, NODES, 'every node has its own member serial');
  for (const s of formed) {
    for (const nb of s.neighbours) {
      // Authenticated: each neighbour is one of our members (by passport serial), never itself.
      assert.ok(ids.has(nb.id), `${s.id} lists an unknown neighbour ${nb.id}`);
      assert.notEqual(nb.id, s.id);
      assert.match(nb.address, /^127\.0\.0\.1:\d+$/);
      assert.ok(nb.rttMs === null || (typeof nb.rttMs === 'number' && nb.rttMs >= 0));
    }
    assert.equal(new Set(s.neighbours.map((n) => n.id)).size, s.neighbours.length, 'no duplicate links');
  }

  // 2. Kill one node without warning: the others drop it and keep degree ≥ 2.
  const victimIndex = NODES - 1;
  const victim = nodes[victimIndex]!;
  const victimId = formed[victimIndex]!.id;
  victim.proc!.child.kill('SIGKILL');
  await victim.proc!.exited;
  const survivors = nodes.filter((n) => n !== victim);
  const healed = await waitFor(
    async () => {
      const all = await snapshot(survivors);
      const ok = all.every((s) => s && s.neighbours.length >= 2 && !s.neighbours.some((nb) => nb.id === victimId));
      return ok ? (all as NodeStatus[]) : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 700, what: `every survivor to drop ${victim.name} and keep ≥ 2 neighbours`, describe },
  );
  t.diagnostic(`after the kill, degrees ${healed.map((s) => s.neighbours.length).join(' ')}`);

  // 3. SIGTERM stops a node cleanly: exit 0 and its control.json is gone.
  const last = survivors[survivors.length - 1]!;
  assert.ok(existsSync(join(last.dir, 'control.json')));
  last.proc!.child.kill('SIGTERM');
  const exit = await last.proc!.exited;
  assert.equal(exit.code, 0, last.proc!.stderr());
  assert.equal(existsSync(join(last.dir, 'control.json')), false, 'control.json removed at stop');
});

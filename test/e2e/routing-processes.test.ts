/**
 * Acceptance (issue 3, the CLI), with the CLI alone: a CA, 8 passports and 8 `tokumei node`
 * processes on loopback. Node B hands out a one-time address; node A sends it a file with
 * `tokumei send` and gets the end-to-end acknowledgement; B's inbox lists the message with the
 * right size and SHA-256 and saves identical bytes; B replies with `tokumei reply` and A's inbox
 * holds the answer. A's `tokumei routing` shows the route: at least 3 relays, none of them B (B is
 * known to A only by its one-time address), and the relays on it hold circuits but no
 * conversation of their own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeStatus } from '../../src/node/status.js';
import type { RoutingStatus } from '../../src/routing/router.js';
import type { InboxItem, ReplyResult, SendResult } from '../../src/node/routing-api.js';
import { cliOk, runCli, waitFor } from './helpers/cli-process.js';
import { processCommunity, startNode, status, type TestNode } from './helpers/community.js';

const NODES = 8;
/** A send waits for the acknowledgement: a route seek, the onion, then the data. */
const SEND_TIMEOUT_MS = 150_000;

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function cliJson<T>(args: string[], timeoutMs = 15_000): Promise<T> {
  const r = await cliOk(args, { timeoutMs });
  return JSON.parse(r.stdout) as T;
}

test('address → send → inbox → reply between node processes, over a route of ≥ 3 relays', { timeout: 150_000 }, async (t) => {
  const { dir, nodes, prefs, children } = await processCommunity(t, NODES, 'routing');
  const started = Date.now();
  for (const n of nodes) startNode(children, n, prefs);

  const latest = new Map<string, NodeStatus | undefined>();
  const describe = () =>
    [...latest].map(([name, s]) => `${name}: ${s ? s.neighbours.length : 'no answer'}`).join(' ') +
    ' | ' + nodes.filter((n) => n.proc && !n.proc.isRunning()).map((n) => `${n.name} exited: ${n.proc!.stderr().trim().split('\n').pop()}`).join('; ');
  const formed = await waitFor(
    async () => {
      await Promise.all(nodes.map(async (n) => latest.set(n.name, await status(n.dir))));
      const all = nodes.map((n) => latest.get(n.name));
      return all.every((s) => s && s.neighbours.length >= 3) ? (all as NodeStatus[]) : undefined;
    },
    { timeoutMs: 40_000, intervalMs: 700, what: 'every node to have ≥ 3 neighbours', describe },
  );
  t.diagnostic(`overlay formed in ${Date.now() - started} ms; degrees ${formed.map((s) => s.neighbours.length).join(' ')}`);
  const idOf = new Map(nodes.map((n, i) => [formed[i]!.id, n]));
  const a = nodes[2]!;
  const b = nodes[NODES - 1]!;
  const aId = formed[2]!.id;
  const bId = formed[NODES - 1]!.id;

  // 1. B's one-time address; it names neither B's serial nor its listening address.
  // 2. A sends a file of random bytes and waits for the end-to-end acknowledgement. A young
  //    overlay may not yet offer a route of ≥ 3 relays (the message then still arrives, by
  //    multicast fallback); a fresh address means a fresh conversation and fresh seeks.
  const payload = randomBytes(6 * 1024 + 17);
  const file = join(dir, 'payload.bin');
  await writeFile(file, payload);
  const deadline = Date.now() + 60_000;
  let sent: SendResult;
  for (let attempt = 1; ; attempt++) {
    const { address } = await cliJson<{ address: string }>(['address', '--dir', b.dir, '--json']);
    assert.match(address, /^tk1[A-Za-z0-9_-]{130}$/);
    assert.ok(!address.includes(bId) && !address.includes(b.listen));
    const sendStarted = Date.now();
    sent = await cliJson<SendResult>(['send', '--dir', a.dir, '--to', address, '--file', file, '--json'], SEND_TIMEOUT_MS);
    t.diagnostic(`send ${attempt}: ${JSON.stringify(sent)} in ${Date.now() - sendStarted} ms`);
    assert.equal(sent.delivered, true);
    assert.equal(sent.bytes, payload.length);
    assert.equal(typeof sent.repairs, 'number');
    assert.equal(typeof sent.localRepairs, 'number');
    if ((!sent.multicast && sent.routeLength >= 3) || Date.now() > deadline || attempt === 3) break;
  }
  assert.equal(sent.multicast, false, 'delivered over an onion route, not by multicast fallback');
  assert.ok(sent.routeLength >= 3, `route of ${sent.routeLength} relays`);

  // 3. B's inbox lists it; --save writes identical bytes, and refuses to overwrite without --force.
  const inboxB = await cliJson<InboxItem[]>(['inbox', '--dir', b.dir, '--json']);
  const got = inboxB.find((m) => m.sha256 === sha256(payload));
  assert.ok(got, `B's inbox: ${JSON.stringify(inboxB)}`);
  assert.equal(got.bytes, payload.length);
  assert.equal(got.kind, 'message');
  assert.match(got.id, /^[0-9a-f]+$/);
  const saved = join(dir, 'saved.bin');
  await cliOk(['inbox', '--dir', b.dir, '--save', got.id, '--out', saved]);
  assert.ok((await readFile(saved)).equals(payload), 'saved bytes are identical');
  const again = await runCli(['inbox', '--dir', b.dir, '--save', got.id, '--out', saved]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^tokumei: FILE_EXISTS: /);
  await cliOk(['inbox', '--dir', b.dir, '--save', got.id, '--out', saved, '--force']);
  const unknown = await runCli(['inbox', '--dir', b.dir, '--save', 'ffffffffffffffff', '--out', join(dir, 'x')]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^tokumei: INBOX_NOT_FOUND: /);

  // 4. B replies; A's inbox holds the answer.
  const answer = `thanks for ${payload.length} bytes — ${randomBytes(4).toString('hex')}`;
  const replied = await cliJson<ReplyResult>(['reply', '--dir', b.dir, '--to-message', got.id, '--text', answer, '--json'], SEND_TIMEOUT_MS);
  assert.equal(replied.bytes, Buffer.byteLength(answer));
  t.diagnostic(`reply: ${JSON.stringify(replied)}`);
  const reply = await waitFor(
    async () => (await cliJson<InboxItem[]>(['inbox', '--dir', a.dir, '--json'])).find((m) => m.kind === 'reply'),
    { timeoutMs: 10_000, what: "the reply in A's inbox" },
  );
  assert.equal(reply.sha256, sha256(Buffer.from(answer)));
  const replyFile = join(dir, 'reply.txt');
  await cliOk(['inbox', '--dir', a.dir, '--save', reply.id, '--out', replyFile]);
  assert.equal(await readFile(replyFile, 'utf8'), answer);

  // 5. A's routing status: the route as the proxy sees it — ≥ 3 relays, neither A nor B among them.
  const routingA = await cliJson<RoutingStatus>(['routing', '--dir', a.dir, '--json']);
  const conv = routingA.conversations.find((c) => c.route.length > 0);
  assert.ok(conv, `A's conversations: ${JSON.stringify(routingA.conversations)}`);
  t.diagnostic(`A's route: ${conv.route.map((r) => idOf.get(r)?.name ?? r).join(' → ')} → B`);
  assert.ok(conv.route.length >= 3, `route of ${conv.route.length} relays`);
  assert.ok(!conv.route.includes(bId), 'B is not a relay of the route to its own address');
  assert.ok(!conv.route.includes(aId), 'A is not a relay of its own route');
  assert.equal(new Set(conv.route).size, conv.route.length, 'no relay twice');
  assert.ok(routingA.counters.seeksSent >= 1 && routingA.counters.messagesDelivered >= 1);
  assert.ok(routingA.events.some((e) => e.type === 'route-built'));

  // 6. A relay shows only what it knows: circuits, but no conversation and no delivery of its own.
  const relay = idOf.get(conv.route[1]!)!;
  const routingRelay = await cliJson<RoutingStatus>(['routing', '--dir', relay.dir, '--json']);
  assert.ok(routingRelay.circuits >= 1, `${relay.name} holds the circuit`);
  assert.deepEqual(routingRelay.conversations, []);
  assert.ok(!routingRelay.events.some((e) => e.type === 'delivered' || e.type === 'received'));

  // 7. The human forms are there too.
  const human = await cliOk(['routing', '--dir', a.dir]);
  assert.match(human.stdout, /me → .* → destination/);
  const humanInbox = await cliOk(['inbox', '--dir', b.dir]);
  assert.match(humanInbox.stdout, new RegExp(got.id));
});

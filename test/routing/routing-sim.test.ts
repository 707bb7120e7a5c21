import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestnet, type Testnet } from '../../src/node/testnet.js';
import type { TokumeiNode } from '../../src/node/node.js';
import type { SendOutcome } from '../../src/routing/proxy/conversation.js';
import { settle } from '../helpers/settle.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);


async function network(n: number, seed: number, routing = {}): Promise<Testnet> {
  const net = await createTestnet(n, { runtime: 'sim', seed, overlay: { minDegree: 5, maxDegree: 7 }, routing });
  assert.ok(await net.waitFor(() => net.nodes.every((x) => x.status().neighbours.length >= 5), 120_000), 'overlay did not form');
  await net.advance(10_000);
  return net;
}

function neighbours(n: TokumeiNode): Set<string> {
  return new Set(n.status().neighbours.map((x) => x.id));
}

test('200 nodes: A reaches B by a one-time address over ≥ 3 relays, B replies, no relay links them', async () => {
  const net = await network(200, 21);
  const a = net.nodes[10]!;
  const b = net.nodes[150]!;
  const address = b.router.newAddress().text;
  assert.match(address, /^tk1[A-Za-z0-9_-]+$/);
  assert.ok(!address.includes(b.id));

  const sent: SendOutcome = await settle(net, a.router.send(address, text('hello B, from someone')));
  assert.equal(sent.delivered, true);
  assert.ok(sent.relays.length >= 3, `route had ${sent.relays.length} relays`);
  assert.ok(!sent.relays.includes(b.id), 'the proxy does not learn B');

  const received = b.router.inbox.list();
  assert.equal(received.length, 1);
  assert.equal(new TextDecoder().decode(received[0]!.bytes), 'hello B, from someone');

  await settle(net, b.router.reply(received[0]!.id, text('hello whoever you are')));
  const replies = a.router.inbox.list().filter((e) => e.kind === 'reply');
  assert.equal(replies.length, 1);
  assert.equal(new TextDecoder().decode(replies[0]!.bytes), 'hello whoever you are');

  // What every other node's routing state holds: no relay holds both A and B, and only A's
  // neighbours hold A at all.
  const aNeighbours = neighbours(a);
  let relaysOnRoute = 0;
  for (const node of net.nodes) {
    if (node === a || node === b) continue;
    const known = new Set(node.router.relayKnowledge().flat());
    if (known.size > 0) relaysOnRoute++;
    assert.ok(!(known.has(a.id) && known.has(b.id)), `relay ${node.id} holds both A and B`);
    if (known.has(a.id)) assert.ok(aNeighbours.has(node.id), `relay ${node.id} holds A but is not A's neighbour`);
  }
  assert.ok(relaysOnRoute >= 3);
  await net.stop();
});

test('a relay that vanishes is repaired locally, and nothing is lost or duplicated', async () => {
  const net = await network(80, 5);
  const a = net.nodes[3]!;
  const b = net.nodes[60]!;
  const address = b.router.newAddress().text;
  const first = await settle(net, a.router.send(address, text('one')));
  // Kill the hop after a relay that holds an alternative: that relay backtracks locally.
  const view = a.router.status().conversations[0]!;
  assert.deepEqual(view.route, first.relays);
  const holder = view.alternatives.findIndex((n, i) => n > 0 && i + 1 < view.route.length);
  assert.ok(holder >= 0, `no relay holds an alternative: ${view.alternatives.join(',')}`);
  const victim = net.nodes.findIndex((n) => n.id === first.relays[holder + 1]);
  await net.kill(victim, 'exit');
  await net.advance(2_000);
  const second = await settle(net, a.router.send(address, text('two')));
  assert.equal(second.delivered, true);
  assert.ok(second.localRepairs >= 1, `repaired locally (repairs ${second.repairs}, local ${second.localRepairs})`);
  assert.ok(!second.relays.includes(first.relays[holder + 1]!));
  assert.deepEqual(second.relays.slice(0, holder + 1), first.relays.slice(0, holder + 1), 'the prefix before the repair stays');
  const third = await settle(net, a.router.send(address, text('three')));
  assert.equal(third.delivered, true);
  const got = b.router.inbox.list().map((e) => new TextDecoder().decode(e.bytes));
  assert.deepEqual(got, ['one', 'two', 'three']);
  await net.stop();
});

test('with no route at all the message falls back to multicast and still arrives', async () => {
  // minRelays above what any route can have: route choice finds nothing, so multicast it is.
  const net = await network(40, 8, { minRelays: 20, seekTimeoutMs: 3_000 });
  const a = net.nodes[1]!;
  const b = net.nodes[30]!;
  const address = b.router.newAddress().text;
  const sent = await settle(net, a.router.send(address, text('by flood')));
  assert.equal(sent.multicast, true);
  assert.equal(b.router.inbox.list().length, 1);
  await settle(net, b.router.reply(b.router.inbox.list()[0]!.id, text('flood back')));
  assert.equal(a.router.inbox.list().filter((e) => e.kind === 'reply').length, 1);
  await net.stop();
});

test('a message of several cells arrives whole', async () => {
  const net = await network(30, 13);
  const a = net.nodes[2]!;
  const b = net.nodes[25]!;
  const address = b.router.newAddress().text;
  const big = new Uint8Array(50_000).map((_, i) => (i * 7) % 251);
  const sent = await settle(net, a.router.send(address, big));
  assert.equal(sent.bytes, 50_000);
  assert.deepEqual([...b.router.inbox.list()[0]!.bytes], [...big]);
  await net.stop();
});

test('a relay that crashes silently is detected by missing acknowledgements and routed around', async () => {
  const net = await network(60, 17);
  const a = net.nodes[4]!;
  const b = net.nodes[44]!;
  const address = b.router.newAddress().text;
  const first = await settle(net, a.router.send(address, text('before')));
  const victim = net.nodes.findIndex((n) => n.id === first.relays[2]);
  await net.kill(victim, 'crash'); // no FIN: neighbours only notice by silence
  const second = await settle(net, a.router.send(address, text('after')));
  assert.equal(second.delivered, true);
  assert.ok(second.repairs >= 1);
  assert.deepEqual(
    b.router.inbox.list().map((e) => new TextDecoder().decode(e.bytes)),
    ['before', 'after'],
  );
  await net.stop();
});

test('forged, malformed and replayed setup onions are refused and counted; the relay carries on', async () => {
  const { buildOnion } = await import('../../src/routing/formats/sphinx.js');
  const { epochOf } = await import('../../src/routing/core/routing-config.js');
  const { Link, DEFAULT_LINK_CONFIG } = await import('../../src/link/link.js');
  const { silentLogger } = await import('../../src/log.js');
  const { CircuitCommand } = await import('../../src/wire/cell.js');
  const net = await network(12, 2);
  const victim = net.nodes[5]!;
  const { identity } = net.community.issue({ now: net.sim!.now() });
  const runtime = net.sim!.createRuntime('prober');
  let conn: import('../../src/runtime/runtime.js').TransportConnection | undefined;
  void runtime.net.dial(victim.address, { passportPem: identity.passport.pem, keyPem: identity.signingKeyPem, caPem: identity.caPem }).then((c) => (conn = c));
  assert.ok(await net.waitFor(() => conn !== undefined, 5_000));
  const answers: number[] = [];
  let open = false;
  const link = new Link({ runtime, identity, crl: () => undefined, logger: silentLogger, config: DEFAULT_LINK_CONFIG }, conn!, {
    onEstablished: () => (open = true),
    onMessage: () => undefined,
    onCircuitCell: (_l, cell) => answers.push(cell.command),
    onClose: () => undefined,
  });
  link.start();
  assert.ok(await net.waitFor(() => open && victim.status().neighbours.some((n) => n.id === identity.passport.serial), 5_000));
  const before = victim.router.status().counters.onionsRejected;

  link.sendCircuitCell({ circId: 1, command: CircuitCommand.CREATE, flags: 0, payload: new Uint8Array(913).fill(7) });
  const onion = buildOnion(
    [
      { onionKey: victim.router.ctx.identity.passport.onionKey, cmd: 'extend', next: new Uint8Array(16).fill(1) },
      { onionKey: new Uint8Array(32).fill(9), cmd: 'deliver' },
    ],
    epochOf(net.sim!.now()),
    runtime.random,
  );
  link.sendCircuitCell({ circId: 2, command: CircuitCommand.CREATE, flags: 0, payload: onion.packet });
  link.sendCircuitCell({ circId: 3, command: CircuitCommand.CREATE, flags: 0, payload: onion.packet }); // replay
  link.sendCircuitCell({ circId: 4, command: CircuitCommand.RELAY, flags: 0, payload: new Uint8Array(1016).fill(3) }); // no such circuit
  await net.advance(2_000);
  const after = victim.router.status().counters;
  assert.equal(after.onionsRejected - before, 3, JSON.stringify(after));
  assert.deepEqual(answers, [CircuitCommand.DESTROY, CircuitCommand.BACKTRACK, CircuitCommand.DESTROY]);
  assert.ok(after.cellsDropped >= 1);
  assert.ok(victim.status().neighbours.length >= 5, 'the relay keeps its links');
  await net.stop();
});

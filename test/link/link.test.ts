import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestnet, type Testnet } from '../../src/node/testnet.js';
import { createCommunity } from '../../src/identity/community.js';
import { Link, DEFAULT_LINK_CONFIG } from '../../src/link/link.js';
import { createMemoryLogger } from '../../src/log.js';
import { TokumeiError } from '../../src/errors.js';
import { CELL_SIZE } from '../../src/wire/cell.js';
import type { TokumeiNode } from '../../src/node/node.js';
import type { NodeIdentity } from '../../src/identity/types.js';
import type { TransportConnection } from '../../src/runtime/runtime.js';

const DAY = 86_400_000;

function neighbourIds(node: TokumeiNode): string[] {
  return node.status().neighbours.map((n) => n.id);
}

function refusalCodes(node: TokumeiNode): string[] {
  return node.status().refusals.map((r) => r.code);
}

async function pair(): Promise<Testnet> {
  const net = await createTestnet(2, { runtime: 'sim', seed: 7 });
  assert.ok(await net.waitFor(() => net.nodes.every((n) => n.status().neighbours.length === 1), 10_000));
  return net;
}

test('two members link, measure RTT and exchange descriptors', async () => {
  const net = await pair();
  await net.advance(12_000);
  const [a, b] = net.nodes as [TokumeiNode, TokumeiNode];
  assert.deepEqual(neighbourIds(a), [b.id]);
  const n = a.status().neighbours[0]!;
  assert.equal(n.address, b.address);
  assert.ok(n.rttMs !== null && n.rttMs > 0, `rtt ${n.rttMs}`);
  assert.ok(n.uptimeMs !== null && n.uptimeMs > 0);
  await net.stop();
});

/** Dials on the simulated network, letting virtual time run until the connection is up. */
async function simDial(net: Testnet, host: string, address: string, identity: NodeIdentity): Promise<TransportConnection> {
  const runtime = net.sim!.createRuntime(host);
  let conn: TransportConnection | undefined;
  void runtime.net.dial(address, { passportPem: identity.passport.pem, keyPem: identity.signingKeyPem, caPem: identity.caPem }).then((c) => (conn = c));
  assert.ok(await net.waitFor(() => conn !== undefined, 5_000));
  return conn!;
}

async function refusedByAll(net: Testnet, identity: Parameters<Testnet['addNode']>[0], code: string, judges = net.nodes.slice()): Promise<void> {
  const before = judges;
  const intruder = await net.addNode(identity);
  await net.advance(15_000);
  for (const node of before) {
    assert.ok(!neighbourIds(node).includes(intruder.id), `${node.id} linked to the intruder`);
    assert.ok(refusalCodes(node).includes(code), `${node.id} refusals: ${refusalCodes(node).join(',')}`);
  }
  assert.equal(intruder.status().neighbours.length, 0);
}

test('a passport from another CA is refused by every node', async () => {
  const net = await pair();
  const other = await createCommunity({ keyType: 'ed25519', trustees: 1, threshold: 1, random: net.sim!.createRuntime('other-ca').random, now: net.sim!.now() });
  // The intruder trusts its own CA, so it refuses the members too; both sides log OTHER_CA.
  await refusedByAll(net, { identity: other.issue({ now: net.sim!.now() }).identity }, 'LINK_OTHER_CA');
  await net.stop();
});

test('an expired passport is refused by every node', async () => {
  const net = await pair();
  const now = net.sim!.now();
  const { identity } = net.community.issue({ now, notBefore: new Date(now - 30 * DAY), notAfter: new Date(now - DAY) });
  await refusedByAll(net, { identity }, 'LINK_EXPIRED');
  await net.stop();
});

test('a not-yet-valid passport is refused by every node', async () => {
  const net = await pair();
  const now = net.sim!.now();
  const { identity } = net.community.issue({ now, notBefore: new Date(now + DAY), notAfter: new Date(now + 30 * DAY) });
  await refusedByAll(net, { identity }, 'LINK_NOT_YET_VALID');
  await net.stop();
});

test('a passport with the wrong onion key fails the challenge', async () => {
  const net = await pair();
  const { identity } = net.community.issue({ now: net.sim!.now(), wrongOnionKey: true });
  await refusedByAll(net, { identity }, 'LINK_CHALLENGE_FAILED');
  await net.stop();
});

test('a revoked member is dropped, and refused when it comes back', async () => {
  const net = await createTestnet(4, { runtime: 'sim', seed: 11 });
  assert.ok(await net.waitFor(() => net.nodes.every((n) => n.status().neighbours.length >= 3), 20_000));
  const victim = net.nodes[3]!;
  const crl = net.community.revoke(victim.id);
  assert.ok(net.nodes[0]!.installCrl(crl)); // told to one node only: the overlay spreads it
  assert.ok(await net.waitFor(() => net.nodes.slice(0, 3).every((n) => n.crlNumber === crl.number && !neighbourIds(n).includes(victim.id)), 10_000));
  await net.kill(3);
  await refusedByAll(net, { identity: net.identities[3]! }, 'LINK_REVOKED', net.nodes.slice(0, 3));
  await net.stop();
});

test('a neighbour that floods is throttled, then dropped and banned', async () => {
  const net = await pair();
  const victim = net.nodes[0]!;
  const { identity } = net.community.issue({ now: net.sim!.now() });
  const runtime = net.sim!.createRuntime('flooder-clock');
  const logger = createMemoryLogger();
  const conn = await simDial(net, 'flooder', victim.address, identity);
  let closed: TokumeiError | undefined;
  let established = false;
  const link = new Link({ runtime, identity, crl: () => undefined, logger, config: DEFAULT_LINK_CONFIG }, conn, {
    onEstablished: () => (established = true),
    onMessage: () => undefined,
    onClose: (_l, e) => (closed = e ?? new TokumeiError('io', 'CLOSED', 'closed')),
  });
  link.start();
  assert.ok(await net.waitFor(() => established, 5_000));
  assert.ok(await net.waitFor(() => neighbourIds(victim).includes(identity.passport.serial), 5_000));
  // 30,000 cells/s, six times what a neighbour may send: throttled first, then dropped.
  for (let round = 0; round < 30 && closed === undefined; round++) {
    for (let i = 0; i < 3_000; i++) link.sendCircuitCell({ circId: 9, command: 0x20, flags: 0, payload: new Uint8Array(0) });
    await net.advance(100);
  }
  assert.ok(await net.waitFor(() => closed !== undefined, 5_000));
  assert.match(closed!.message, /LINK_FLOODING/);
  assert.ok(!neighbourIds(victim).includes(identity.passport.serial));
  assert.ok(victim.status().refusals.some((r) => r.code === 'LINK_FLOODING'));
  await net.stop();
});

test('garbage after the TLS handshake closes the link without harming the node', async () => {
  const net = await pair();
  const victim = net.nodes[0]!;
  const { identity } = net.community.issue({ now: net.sim!.now() });
  const conn = await simDial(net, 'garbler', victim.address, identity);
  let closedAt = 0;
  conn.onData(() => undefined);
  conn.onClose(() => (closedAt = net.sim!.now()));
  const junk = new Uint8Array(CELL_SIZE * 3).fill(0xab);
  conn.send(junk);
  assert.ok(await net.waitFor(() => closedAt > 0, 5_000));
  await net.advance(2_000);
  assert.deepEqual(neighbourIds(victim), [net.nodes[1]!.id]);
  await net.stop();
});

test('a silent peer is dropped by the handshake timeout', async () => {
  const net = await pair();
  const victim = net.nodes[0]!;
  const { identity } = net.community.issue({ now: net.sim!.now() });
  const conn = await simDial(net, 'mute', victim.address, identity);
  let closed = false;
  conn.onData(() => undefined);
  conn.onClose(() => (closed = true));
  assert.ok(await net.waitFor(() => closed, 15_000));
  assert.ok(victim.status().refusals.some((r) => r.code === 'LINK_TIMEOUT'));
  await net.stop();
});

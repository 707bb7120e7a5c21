import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestnet, type Testnet } from '../../src/node/testnet.js';
import { generateX25519 } from '../../src/crypto/x25519.js';
import { createAnonymousId } from '../../src/anonymous-id/anonymous-id.js';
import { randomScalar } from '../../src/crypto/ristretto.js';
import { settle } from '../helpers/settle.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array): string => new TextDecoder().decode(b);


test('an anycast service address: any replica answers a request, a replica asking reaches another', async () => {
  const net = await createTestnet(24, { runtime: 'sim', seed: 7, overlay: { minDegree: 4, maxDegree: 6 } });
  try {
    assert.ok(await net.waitFor(() => net.nodes.every((x) => x.status().neighbours.length >= 4), 120_000));
    await net.advance(10_000);
    // Three replicas share one fixed address (an ID and an X25519 key), as a board's do.
    const id = createAnonymousId(randomScalar());
    const key = generateX25519();
    const replicas = [3, 11, 19];
    const seen: { replica: number; hop: string }[] = [];
    for (const r of replicas) {
      const node = net.nodes[r]!;
      const address = node.router.fixedAddress(id, key.privateKey, key.publicRaw, true);
      node.router.serve(address, (req) => {
        seen.push({ replica: r, hop: req.previousHop });
        void req.respond(text(`replica ${r} got "${str(req.bytes)}"`)).catch(() => undefined);
      });
    }
    const boardText = net.nodes[3]!.router.fixedAddress(id, key.privateKey, key.publicRaw, true).text;

    const answer = await settle(net, net.nodes[8]!.router.request(boardText, text('ping'), { timeoutMs: 60_000 }));
    assert.match(str(answer), /^replica (3|11|19) got "ping"$/);
    assert.equal(seen.length, 1);
    assert.ok(net.nodes.some((n) => n.id === seen[0]!.hop), 'previous hop is a member serial');
    assert.equal(net.nodes[8]!.router.inbox.list().length, 0, 'answers to requests do not go to the inbox');

    // Two requests from one node go on two sessions with two reply addresses.
    const again = await settle(net, net.nodes[8]!.router.request(boardText, text('pong'), { timeoutMs: 60_000 }));
    assert.match(str(again), /got "pong"$/);

    // A replica asking its own board address reaches another replica, never itself.
    const fromReplica = await settle(net, net.nodes[11]!.router.request(boardText, text('hello'), { timeoutMs: 60_000 }));
    assert.match(str(fromReplica), /^replica (3|19) got "hello"$/);

    // Sending to a served address as a plain message is refused as one's own.
    await assert.rejects(net.nodes[3]!.router.send(boardText, text('x')), /own/);
    // No answer at all: the request times out (bounded in virtual time).
    const silentId = createAnonymousId(randomScalar());
    const silentKey = generateX25519();
    const silent = net.nodes[5]!.router.fixedAddress(silentId, silentKey.privateKey, silentKey.publicRaw, true);
    net.nodes[5]!.router.serve(silent, () => undefined);
    await assert.rejects(settle(net, net.nodes[20]!.router.request(silent.text, text('anyone?'), { timeoutMs: 30_000 }), 200_000), /REQUEST_TIMEOUT|no answer/);
  } finally {
    await net.stop();
  }
});

/**
 * Introduction relays (docs/protocol.md §6.10): with `introductions` on, a destination serves its
 * addresses through relays at least three hops out that are not its neighbours. Over 80 simulated
 * nodes a sender reaches such an address on a route that ends at one of them, the destination
 * answers on the spliced circuit, and the curious seeker and the curious destination
 * (docs/threat-model.md R1, R2) name their target no better than chance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSimNetwork } from '../../src/sim/churn.js';
import { curiousSeeker } from '../../src/sim/adversary/curious-seeker.js';
import { curiousDestination } from '../../src/sim/adversary/curious-destination.js';

test('80 nodes behind introduction relays: routes end at one of D\'s introduction relays, replies come back, neither end names the other', { timeout: 300_000 }, async () => {
  const { net } = await buildSimNetwork(80, 11, { introductions: true });
  try {
    const a = net.nodes[0]!;
    const b = net.nodes[79]!;
    const intro = b.router.introductions!.relays;
    const around = new Set(b.status().neighbours.map((x) => x.id));
    assert.equal(intro.length, 2, 'two introduction relays');
    for (const r of intro) assert.ok(!around.has(r) && r !== b.id, 'an introduction relay is not a neighbour of D');

    const address = b.router.newAddress().text;
    let sent: { relays: string[]; multicast: boolean } | undefined;
    a.router.send(address, new TextEncoder().encode('hello'), { multicastFallback: false }).then((r) => (sent = r));
    await net.sim!.runUntil(() => sent !== undefined, { timeoutMs: 60_000 });
    assert.equal(sent!.multicast, false);
    const last = sent!.relays.at(-1)!;
    assert.ok(intro.includes(last), 'the route ends at an introduction relay of D');
    assert.ok(!sent!.relays.includes(b.id));
    const entry = b.router.inbox.list().find((e) => new TextDecoder().decode(e.bytes) === 'hello');
    assert.ok(entry, 'D got the message');

    let replied = false;
    b.router.reply(entry.id, new TextEncoder().encode('answer')).then(() => (replied = true));
    await net.sim!.runUntil(() => replied, { timeoutMs: 60_000 });
    await net.advance(2_000);
    assert.ok(a.router.inbox.list().some((e) => e.kind === 'reply' && new TextDecoder().decode(e.bytes) === 'answer'), 'the reply came back on the spliced circuit');

    const seeker = await curiousSeeker(net, { trials: 8, setups: 3, seed: 11 });
    assert.ok(seeker.trials >= 6, JSON.stringify(seeker));
    assert.ok(seeker.success <= 2 * seeker.baseline, `the seeker names D no better than chance: ${JSON.stringify(seeker)}`);
    const destination = await curiousDestination(net, { trials: 8, seed: 11 });
    assert.ok(destination.trials >= 6, JSON.stringify(destination));
    assert.ok(destination.success <= 2 * destination.baseline, `the destination names the sender no better than chance: ${JSON.stringify(destination)}`);
  } finally {
    await net.stop();
  }
});

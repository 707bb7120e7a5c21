import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTokumeiError, LinkRefusal } from '../../src/errors.js';
import type { LinkCredentials, Runtime, TransportConnection } from '../../src/runtime/runtime.js';
import { SimNetwork, type SimNetworkOptions } from '../../src/runtime/sim/sim-runtime.js';
import { credentialsFor, makeTestPki } from '../fixtures/certs.js';

const pki = await makeTestPki();
const alice = credentialsFor(pki, pki.alice);
const bob = credentialsFor(pki, pki.bob);

/** Awaits a promise while virtual time runs. */
async function settle<T>(sim: SimNetwork, promise: Promise<T>, timeoutMs = 60_000): Promise<T> {
  let done = false;
  const watched = promise.finally(() => {
    done = true;
  });
  watched.catch(() => undefined);
  await sim.runUntil(() => done, { timeoutMs });
  assert.ok(done, 'promise settled within the virtual time limit');
  return watched;
}

interface Pair {
  sim: SimNetwork;
  a: Runtime;
  b: Runtime;
  /** a listens, b dials. */
  atA: TransportConnection;
  atB: TransportConnection;
}

async function connectedPair(options: SimNetworkOptions = {}): Promise<Pair> {
  const sim = new SimNetwork({ seed: 5, ...options });
  const a = sim.createRuntime('node-a');
  const b = sim.createRuntime('node-b');
  const accepted: TransportConnection[] = [];
  await settle(sim, a.net.listen({ address: 'node-a:7000', credentials: alice, onConnection: (c) => accepted.push(c) }));
  const atB = await settle(sim, b.net.dial('node-a:7000', bob));
  assert.equal(accepted.length, 1);
  return { sim, a, b, atA: accepted[0]!, atB };
}

describe('sim network', () => {
  it('respects link latency: handshake flights, sends, refusals', async () => {
    const sim = new SimNetwork({ latencyMs: () => 20 });
    const a = sim.createRuntime('node-a');
    const b = sim.createRuntime('node-b');
    const t0 = sim.now();
    let acceptedAt = 0;
    let atA: TransportConnection | undefined;
    const arrivals: number[] = [];
    await a.net.listen({
      address: 'node-a:7000',
      credentials: alice,
      onConnection: (conn) => {
        acceptedAt = sim.now() - t0;
        atA = conn;
        conn.onData(() => arrivals.push(sim.now() - t0));
      },
    });
    const atB = await settle(sim, b.net.dial('node-a:7000', bob));
    assert.equal(acceptedAt, 60, 'listener accepts after 1.5 round trips');
    assert.equal(sim.now() - t0, 80, 'dial resolves after 2 round trips');
    atB.send(new Uint8Array([1]));
    await sim.runFor(5);
    atB.send(new Uint8Array([2]));
    await sim.runFor(100);
    assert.deepEqual(arrivals, [100, 105]);
    assert.ok(atA);
    const refusedFrom = sim.now();
    await assert.rejects(settle(sim, b.net.dial('node-a:7001', bob)), (e: unknown) => isTokumeiError(e, LinkRefusal.UNREACHABLE));
    assert.equal(sim.now() - refusedFrom, 40, 'refused after one round trip');
  });

  it('draws per-link latency once from the seed, within bounds', () => {
    const sim = new SimNetwork({ seed: 11, latencyMs: { min: 5, max: 50 } });
    const seen = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const ms = sim.latency('node-0', `node-${i + 1}`);
      assert.ok(ms >= 5 && ms <= 50);
      assert.equal(sim.latency(`node-${i + 1}`, 'node-0'), ms, 'symmetric and stable');
      seen.add(ms);
    }
    assert.ok(seen.size > 10);
    assert.equal(new SimNetwork({ seed: 11 }).latency('node-0', 'node-1'), sim.latency('node-0', 'node-1'));
  });

  it('under loss delivers every byte, in order, later', async () => {
    const { sim, atA, atB } = await connectedPair({ loss: 0.3, latencyMs: () => 10 });
    const got: number[] = [];
    const times: number[] = [];
    atA.onData((data) => {
      for (const byte of data) got.push(byte);
      times.push(sim.now());
    });
    const start = sim.now();
    for (let i = 0; i < 300; i++) atB.send(new Uint8Array([i % 256]));
    assert.ok(await sim.runUntil(() => got.length === 300, { timeoutMs: 600_000 }));
    assert.deepEqual(got, Array.from({ length: 300 }, (_, i) => i % 256));
    assert.ok(times.every((t, i) => i === 0 || t >= times[i - 1]!), 'arrival times never go back');
    assert.ok(times.at(-1)! - start >= 200, 'retransmissions cost at least one RTO');
  });

  it('paces sends by bandwidth', async () => {
    const { sim, atA, atB } = await connectedPair({ latencyMs: () => 10, bandwidthBytesPerMs: 100 });
    let arrived = 0;
    atA.onData((data) => {
      arrived += data.byteLength;
    });
    const start = sim.now();
    for (let i = 0; i < 10; i++) atB.send(new Uint8Array(1000)); // 10 ms each on the wire
    assert.ok(await sim.runUntil(() => arrived === 10_000));
    assert.equal(sim.now() - start, 110);
  });

  it('counts bytes and sends per host', async () => {
    const { sim, atA, atB } = await connectedPair();
    atA.onData(() => undefined);
    atB.send(new Uint8Array(100));
    atB.send(new Uint8Array(50));
    await sim.runFor(1_000);
    assert.deepEqual(sim.stats('node-b'), { bytesSent: 150, sends: 2, bytesReceived: 0, receives: 0, dials: 1, accepts: 0 });
    assert.equal(sim.stats('node-a').bytesReceived, 150);
    assert.equal(sim.stats('node-a').accepts, 1);
  });

  it('keeps bytes that arrive before onData is set', async () => {
    const { sim, atA, atB } = await connectedPair();
    atB.send(new Uint8Array([1, 2]));
    atB.send(new Uint8Array([3]));
    atB.close();
    await sim.runFor(1_000);
    const got: number[] = [];
    let closed = false;
    atA.onClose(() => {
      closed = true;
    });
    atA.onData((data) => got.push(...data));
    await sim.runFor(1);
    assert.deepEqual(got, [1, 2, 3]);
    assert.ok(closed);
  });

  it('refuses passports through verifyPassport like TLS would', async () => {
    const refused = new Set([pki.expiredLeaf.serial]);
    const sim = new SimNetwork({
      verifyPassport: ({ presentedDer }) =>
        Buffer.from(presentedDer).equals(Buffer.from(pki.expiredLeaf.der)) && refused.size ? LinkRefusal.EXPIRED : undefined,
    });
    const a = sim.createRuntime('node-a');
    const b = sim.createRuntime('node-b');
    const failures: string[] = [];
    await a.net.listen({ address: 'node-a:1', credentials: alice, onConnection: () => assert.fail('refused'), onHandshakeFailure: (f) => failures.push(`${f.remoteAddress} ${(f.error as { code?: string }).code}`) });
    await assert.rejects(settle(sim, b.net.dial('node-a:1', credentialsFor(pki, pki.expiredLeaf))),
      (e: unknown) => isTokumeiError(e, LinkRefusal.HANDSHAKE_FAILED));
    assert.equal(failures.length, 1);
    assert.match(failures[0]!, /^node-b:\d+ LINK_EXPIRED$/);
  });
});

describe('sim failure injection', () => {
  it('exit: the peer sees the close one latency later; crash: the peer hears nothing', async () => {
    for (const mode of ['exit', 'crash'] as const) {
      const { sim, atA, atB } = await connectedPair({ latencyMs: () => 15 });
      let closedAt = -1;
      atB.onClose(() => {
        closedAt = sim.now();
      });
      atB.onData(() => undefined);
      let aGot = 0;
      atA.onData(() => aGot++);
      const killedAt = sim.now();
      sim.kill('node-a', mode);
      atB.send(new Uint8Array([1]));
      await sim.runFor(30_000);
      assert.equal(aGot, 0, 'a dead host receives nothing');
      if (mode === 'exit') assert.equal(closedAt - killedAt, 15);
      else assert.equal(closedAt, -1, 'silence after a crash');
      await assert.rejects(settle(sim, sim.createRuntime('node-c').net.dial('node-a:7000', bob)),
        (e: unknown) => isTokumeiError(e, LinkRefusal.UNREACHABLE));
    }
  });

  it("never runs a killed host's timers, deliveries or promise continuations again", async () => {
    const { sim, a, atA, atB } = await connectedPair();
    let ticks = 0;
    let timeouts = 0;
    let continued = false;
    let delivered = 0;
    a.clock.setInterval(() => ticks++, 10);
    a.clock.setTimeout(() => timeouts++, 500);
    atA.onData(() => delivered++);
    await sim.runFor(100);
    const ticksAtKill = ticks;
    // Refused one round trip later, but the host dies first.
    a.net.dial('node-b:9', alice).then(() => { continued = true; }, () => { continued = true; });
    sim.kill('node-a', 'crash');
    atB.send(new Uint8Array(10));
    a.clock.setTimeout(() => timeouts++, 1); // leftover code on a dead host: a no-op
    await sim.runFor(10_000);
    assert.equal(ticks, ticksAtKill);
    assert.equal(timeouts, 0);
    assert.equal(delivered, 0);
    assert.equal(continued, false, 'a dead host’s dial never settles');
    assert.throws(() => sim.createRuntime('node-a'), (e: unknown) => isTokumeiError(e, 'SIM_HOST_DEAD'));
    sim.revive('node-a');
    const again = sim.createRuntime('node-a');
    assert.notDeepEqual(again.random.bytes(8), new SimNetwork({ seed: 5 }).createRuntime('node-a').random.bytes(8), 'a new incarnation, a new stream');
    let fresh = 0;
    again.clock.setTimeout(() => fresh++, 1);
    await sim.runFor(2);
    assert.equal(fresh, 1);
  });

  it('cut blackhole holds traffic and refuses dials; heal delivers it in order', async () => {
    const { sim, a, atA, atB } = await connectedPair({ latencyMs: () => 10 });
    const got: number[] = [];
    atA.onData((data) => got.push(...data));
    sim.cut('node-a', 'node-b', 'blackhole');
    atB.send(new Uint8Array([1]));
    atB.send(new Uint8Array([2]));
    await sim.runFor(5_000);
    assert.deepEqual(got, []);
    await assert.rejects(settle(sim, a.net.dial('node-b:1', alice)),
      (e: unknown) => isTokumeiError(e, LinkRefusal.UNREACHABLE));
    sim.heal('node-a', 'node-b');
    atB.send(new Uint8Array([3]));
    const healedAt = sim.now();
    await sim.runFor(100);
    assert.deepEqual(got, [1, 2, 3]);
    assert.ok(sim.now() - healedAt >= 10);
  });

  it('cut close resets the links at both ends', async () => {
    const { sim, b, atA, atB } = await connectedPair({ latencyMs: () => 10 });
    const errors: string[] = [];
    atA.onClose((e) => errors.push(`a ${(e as { code?: string }).code}`));
    atB.onClose((e) => errors.push(`b ${(e as { code?: string }).code}`));
    sim.cut('node-b', 'node-a', 'close');
    await sim.runFor(10);
    assert.deepEqual(errors.sort(), ['a LINK_RESET', 'b LINK_RESET']);
    await assert.rejects(settle(sim, b.net.dial('node-a:7000', bob)), (e: unknown) => isTokumeiError(e, LinkRefusal.UNREACHABLE));
    sim.heal('node-a', 'node-b');
    const again = await settle(sim, b.net.dial('node-a:7000', bob));
    assert.equal(again.initiator, true);
  });
});

describe('sim determinism and scale', () => {
  async function scenario(seed: number): Promise<string[]> {
    const trace: string[] = [];
    const sim = new SimNetwork({ seed, loss: 0.05, onEvent: (time, label, host) => trace.push(`${time} ${label} ${host ?? '-'}`) });
    const hosts = Array.from({ length: 20 }, (_, i) => sim.createRuntime(`node-${i}`));
    hosts.forEach((rt, i) => {
      void rt.net.listen({
        address: `node-${i}:7000`,
        credentials: alice,
        onConnection: (conn) => conn.onData((data) => {
          trace.push(`${sim.now()} node-${i} got ${Buffer.from(data).toString('hex')}`);
          conn.send(data);
        }),
      });
      rt.clock.setTimeout(async () => {
        const peer = rt.random.int(20);
        try {
          const conn = await rt.net.dial(`node-${peer}:7000`, bob);
          conn.onData(() => trace.push(`${sim.now()} node-${i} echo`));
          conn.send(rt.random.bytes(4));
        } catch (error) {
          trace.push(`${sim.now()} node-${i} ${String(error)}`);
        }
      }, rt.random.int(1_000));
    });
    await sim.runFor(10_000);
    return trace;
  }

  it('runs the same trace for the same seed, another for another seed', async () => {
    const one = await scenario(1);
    const two = await scenario(1);
    assert.ok(one.length > 150, `trace of ${one.length} lines`);
    assert.ok(one.some((line) => line.endsWith(' echo')));
    assert.deepEqual(one, two);
    assert.notDeepEqual(await scenario(2), one);
  });

  it('runs 2,000 hosts that set timers and dial each other in a few seconds', async () => {
    const started = performance.now();
    const sim = new SimNetwork({ seed: 2026 });
    const n = 2_000;
    const credentials: LinkCredentials = alice;
    let echoes = 0;
    let timers = 0;
    for (let i = 0; i < n; i++) {
      const rt = sim.createRuntime(`node-${i}`);
      void rt.net.listen({ address: `node-${i}:7000`, credentials, onConnection: (conn) => conn.onData((d) => conn.send(d)) });
      for (let k = 0; k < 3; k++) {
        rt.clock.setTimeout(async () => {
          timers++;
          const conn = await rt.net.dial(`node-${rt.random.int(n)}:7000`, credentials);
          conn.onData(() => {
            echoes++;
            conn.close();
          });
          conn.send(rt.random.bytes(64));
        }, 1 + rt.random.int(5_000));
      }
    }
    const done = await sim.runUntil(() => echoes === 3 * n, { timeoutMs: 120_000 });
    const seconds = (performance.now() - started) / 1000;
    assert.ok(done, `echoes ${echoes}`);
    assert.equal(timers, 3 * n);
    assert.ok(seconds < 10, `took ${seconds.toFixed(2)} s for ${sim.eventsProcessed} events`);
  });
});

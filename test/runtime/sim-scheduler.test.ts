import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTokumeiError } from '../../src/errors.js';
import { SimNetwork } from '../../src/runtime/sim/sim-runtime.js';

describe('sim scheduler', () => {
  it('runs timers on virtual time, in order, and cancels them', async () => {
    const sim = new SimNetwork({ startTime: 1_000_000 });
    const rt = sim.createRuntime('node-1');
    const fired: [string, number][] = [];
    rt.clock.setTimeout(() => fired.push(['b', rt.clock.now()]), 20);
    rt.clock.setTimeout(() => fired.push(['a', rt.clock.now()]), 10);
    rt.clock.setTimeout(() => fired.push(['a2', rt.clock.now()]), 10);
    rt.clock.setTimeout(() => fired.push(['zero', rt.clock.now()]), 0);
    const never = rt.clock.setTimeout(() => fired.push(['cancelled', rt.clock.now()]), 15);
    never.cancel();
    let ticks = 0;
    const interval = rt.clock.setInterval(() => {
      if (++ticks === 3) interval.cancel();
    }, 7);
    const started = Date.now();
    await sim.runFor(100);
    assert.deepEqual(fired, [['zero', 1_000_001], ['a', 1_000_010], ['a2', 1_000_010], ['b', 1_000_020]]);
    assert.equal(ticks, 3);
    assert.equal(sim.now(), 1_000_100);
    assert.ok(Date.now() - started < 1_000, 'no real timer drives the simulation');
  });

  it('drains promise continuations before the next event, at the same virtual time', async () => {
    const sim = new SimNetwork();
    const rt = sim.createRuntime('node-1');
    const log: string[] = [];
    const step = async (name: string): Promise<void> => {
      await null;
      await Promise.resolve();
      await new Promise<void>((resolve) => queueMicrotask(resolve));
      log.push(`${name}@${rt.clock.now() - sim.now()}`);
    };
    rt.clock.setTimeout(() => void step('first').then(() => log.push('first-done')), 10);
    rt.clock.setTimeout(() => log.push('second'), 10);
    await sim.runFor(20);
    assert.deepEqual(log, ['first@0', 'first-done', 'second']);
  });

  it('runUntil resolves true when the predicate holds and false at the time limit', async () => {
    const sim = new SimNetwork();
    const rt = sim.createRuntime('node-1');
    let n = 0;
    rt.clock.setInterval(() => n++, 100);
    assert.equal(await sim.runUntil(() => n >= 5, { timeoutMs: 10_000 }), true);
    assert.equal(sim.now() - 1_780_000_000_000, 500);
    assert.equal(await sim.runUntil(() => n >= 1_000, { timeoutMs: 1_000 }), false);
    assert.equal(sim.now() - 1_780_000_000_000, 1_500);
    assert.equal(await sim.run({ maxEvents: 7 }), 7);
  });

  it('rejects the run when a callback throws, or reports it to onCallbackError', async () => {
    const sim = new SimNetwork();
    sim.createRuntime('node-1').clock.setTimeout(() => {
      throw new Error('boom');
    }, 5);
    await assert.rejects(sim.runFor(10), /boom/);
    const errors: string[] = [];
    const lenient = new SimNetwork({ onCallbackError: (error, host) => errors.push(`${host}: ${(error as Error).message}`) });
    const rt = lenient.createRuntime('node-2');
    let after = false;
    rt.clock.setTimeout(() => {
      throw new Error('bang');
    }, 5);
    rt.clock.setTimeout(() => {
      after = true;
    }, 6);
    await lenient.runFor(10);
    assert.deepEqual(errors, ['node-2: bang']);
    assert.ok(after);
  });

  it('handles over 200k timer events per second', async () => {
    const sim = new SimNetwork();
    let fired = 0;
    for (let h = 0; h < 100; h++) sim.createRuntime(`node-${h}`).clock.setInterval(() => fired++, 10 + (h % 7));
    const started = performance.now();
    await sim.runFor(20_000);
    const seconds = (performance.now() - started) / 1000;
    const rate = sim.eventsProcessed / seconds;
    assert.ok(fired > 150_000);
    assert.ok(rate > 200_000, `rate ${Math.round(rate)} events/s`);
  });
});

describe('sim random', () => {
  it('gives each host its own reproducible stream', () => {
    const one = new SimNetwork({ seed: 9 });
    const two = new SimNetwork({ seed: 9 });
    const r1 = one.createRuntime('node-1').random;
    const r2 = two.createRuntime('node-1').random;
    const other = one.createRuntime('node-2').random;
    assert.deepEqual(r1.bytes(33), r2.bytes(33));
    assert.equal(r1.int(1_000_000), r2.int(1_000_000));
    assert.notDeepEqual(r1.bytes(16), other.bytes(16));
    for (let i = 0; i < 1_000; i++) {
      const x = r1.int(7);
      assert.ok(Number.isInteger(x) && x >= 0 && x < 7);
      const f = r1.float();
      assert.ok(f >= 0 && f < 1);
    }
    assert.ok(r1.int(2 ** 40) < 2 ** 40);
    assert.throws(() => r1.int(0), (e: unknown) => isTokumeiError(e) && e.kind === 'bad-input');
    assert.throws(() => r1.bytes(-1), (e: unknown) => isTokumeiError(e) && e.kind === 'bad-input');
  });
});

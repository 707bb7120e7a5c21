import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTokumeiError } from '../../src/errors.js';
import { createRealRuntime } from '../../src/runtime/real/real-runtime.js';

describe('real runtime', () => {
  const runtime = createRealRuntime();

  it('runs and cancels timers on the wall clock', async () => {
    const started = runtime.clock.now();
    assert.ok(Math.abs(started - Date.now()) < 5);
    const fired: string[] = [];
    runtime.clock.setTimeout(() => fired.push('once'), 5);
    runtime.clock.setTimeout(() => fired.push('cancelled'), 5).cancel();
    let ticks = 0;
    const interval = runtime.clock.setInterval(() => {
      if (++ticks === 3) interval.cancel();
    }, 2);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.deepEqual(fired, ['once']);
    assert.equal(ticks, 3);
  });

  it('gives strong random bytes, integers and floats in range', () => {
    const { random } = runtime;
    assert.equal(random.bytes(0).byteLength, 0);
    assert.equal(random.bytes(100_000).byteLength, 100_000);
    assert.notDeepEqual(random.bytes(16), random.bytes(16));
    for (let i = 0; i < 500; i++) {
      const x = random.int(10);
      assert.ok(Number.isInteger(x) && x >= 0 && x < 10);
      const big = random.int(2 ** 50 + 3);
      assert.ok(Number.isInteger(big) && big >= 0 && big < 2 ** 50 + 3);
      const f = random.float();
      assert.ok(f >= 0 && f < 1);
    }
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 60]) {
      assert.throws(() => random.int(bad), (e: unknown) => isTokumeiError(e) && e.kind === 'bad-input');
    }
    assert.throws(() => random.bytes(-1), (e: unknown) => isTokumeiError(e) && e.kind === 'bad-input');
  });
});

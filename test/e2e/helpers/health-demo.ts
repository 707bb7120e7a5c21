/**
 * The demo community (src/demo/demo.ts: real `tokumei node` processes over TLS on loopback) with
 * its scenario running (src/demo/demo-scenario.ts): members load their generated records and
 * upload, the intermediary publishes statistics, the clinic posts an offer and answers every
 * answer with a proposal and, when asked, its letter of intent. The player (DEMO_PLAYER) is left
 * to the test.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemo, type Demo } from '../../../src/demo/demo.js';
import { DemoScenario } from '../../../src/demo/demo-scenario.js';
import { removeTestDir } from './cli-process.js';

export interface HealthDemo {
  demo: Demo;
  scenario: DemoScenario;
  board: string;
  /** JSON call to a node's control API. */
  call<T = any>(label: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  /** Resolves once the scenario's step `name` is done; rejects if it failed (with its detail). */
  step(name: string, timeoutMs?: number): Promise<void>;
  /** Stops the scenario and every node, and removes the community's directory. */
  stop(): Promise<void>;
}

export async function startHealthDemo(label: string): Promise<HealthDemo> {
  const dir = await mkdtemp(join(tmpdir(), `tokumei-e2e-${label}-`));
  const env = { ...process.env };
  delete env.TOKUMEI_DEBUG;
  let started: Demo;
  try {
    started = await startDemo({ dir: join(dir, 'demo'), env });
  } catch (e) {
    await removeTestDir(dir);
    throw e;
  }
  const playing = new DemoScenario(started);
  const running = playing.run();
  const stop = async (): Promise<void> => {
    playing.stop();
    await started.stop();
    await running.catch(() => undefined);
    await playing.settle().catch(() => undefined);
    await removeTestDir(dir);
  };

  const call = async <T>(l: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> =>
    (await started.client(l)).call<T>(method, path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? undefined : 'application/json');

  const step = async (name: string, timeoutMs = 240_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = playing.steps.find((x) => x.name === name);
      if (!s) throw new Error(`the demo scenario has no step "${name}" (it has: ${playing.steps.map((x) => x.name).join(', ')})`);
      if (s.state === 'done') return;
      if (s.state === 'failed') throw new Error(`demo scenario step "${name}" failed: ${s.detail}`);
      if (Date.now() > deadline) throw new Error(`demo scenario step "${name}" not done after ${timeoutMs} ms (${s.state}); steps: ${playing.steps.map((x) => `${x.name}=${x.state}`).join(', ')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  return { demo: started, scenario: playing, board: started.boardAddress, call, step, stop };
}

/** Polls `probe` (errors count as "not yet") until it returns a value, or throws after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/**
 * `tokumei demo` (what `npm start` runs): builds the community, prints the dashboards' URLs, runs
 * the scenario end to end by itself, and on Ctrl-C (SIGINT) stops every node and exits 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeTestDir, testEnv, TOKUMEI_BIN, waitFor } from '../e2e/helpers/cli-process.js';

/** The first steps; the whole scenario, opening included, is checked by e2e/dashboard-browser. */
const STEPS = ['overlay', 'board replicas', 'health records', 'uploads'];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('demo: the community comes up, prints dashboard URLs, runs its scenario, stops on SIGINT', { timeout: 420_000 }, async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'tokumei-demo-test-'));
  const dir = join(base, 'community');
  const env = testEnv({ TOKUMEI_PASSPHRASE: undefined }); // the demo brings its own throwaway passphrase
  const demo = spawn(process.execPath, [TOKUMEI_BIN, 'demo', '--dir', dir, '--interval-ms', '1000'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  demo.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  demo.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => demo.on('exit', (code) => resolve(code)));
  const nodePids = new Set<number>();
  const nodesDir = join(dir, 'nodes');
  const collectPids = () => {
    if (!existsSync(nodesDir)) return;
    for (const name of readdirSync(nodesDir)) {
      const file = join(nodesDir, name, 'control.json');
      try {
        if (existsSync(file)) nodePids.add(JSON.parse(readFileSync(file, 'utf8')).pid);
      } catch {
        // being written
      }
    }
  };
  t.after(async () => {
    if (demo.exitCode === null && demo.signalCode === null) demo.kill('SIGKILL');
    await exited;
    for (const pid of nodePids) if (alive(pid)) process.kill(pid, 'SIGKILL'); // the demo should have done it
    await removeTestDir(base);
  });

  await waitFor(async () => (/member1 +http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+/.test(out) ? true : undefined), {
    timeoutMs: 120_000,
    intervalMs: 300,
    what: 'the dashboard URLs',
    describe: () => out.slice(-2000) + err,
  });
  await waitFor(
    async () => {
      collectPids();
      if (/scenario ✖/.test(out)) throw new Error(`a scenario step failed:\n${out.slice(-3000)}`);
      return STEPS.every((s) => out.includes(`scenario ✔ ${s}`)) ? true : undefined;
    },
    { timeoutMs: 300_000, intervalMs: 500, what: 'the first scenario steps to finish', describe: () => out.slice(-3000) + err },
  );
  assert.match(out, /scenario ✔ uploads — 6 anonymous uploads/);
  collectPids();
  assert.equal(nodePids.size, 13);

  demo.kill('SIGINT');
  assert.equal(await exited, 0, err);
  assert.match(out, /stopping every node/);
  for (const name of readdirSync(nodesDir)) assert.equal(existsSync(join(nodesDir, name, 'control.json')), false, `${name} stopped cleanly`);
  for (const pid of nodePids) assert.equal(alive(pid), false, `node process ${pid} is gone`);
});

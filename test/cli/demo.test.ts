/**
 * `tokumei demo` (what `npm start` runs): builds a community, starts node processes, reports the
 * overlay as it forms, and on Ctrl-C (SIGINT) stops every node and exits 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeTestDir, testEnv, TOKUMEI_BIN, waitFor } from '../e2e/helpers/cli-process.js';

const NODES = 3;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('demo shows the overlay forming and stops every node on SIGINT', { timeout: 60_000 }, async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'tokumei-demo-test-'));
  const dir = join(base, 'community');
  const env = testEnv({ TOKUMEI_PASSPHRASE: undefined }); // the demo brings its own throwaway passphrase
  const demo = spawn(process.execPath, [TOKUMEI_BIN, 'demo', '--dir', dir, '--nodes', String(NODES), '--interval-ms', '500'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  demo.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  demo.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => demo.on('exit', (code) => resolve(code)));
  const nodePids = new Set<number>();
  t.after(async () => {
    if (demo.exitCode === null && demo.signalCode === null) demo.kill('SIGKILL');
    await exited;
    for (const pid of nodePids) if (alive(pid)) process.kill(pid, 'SIGKILL'); // the demo should have done it
    await removeTestDir(base);
  });

  await waitFor(
    async () => {
      for (let i = 1; i <= NODES; i++) {
        const file = join(dir, `node${i}`, 'control.json');
        if (existsSync(file)) {
          try {
            nodePids.add(JSON.parse(readFileSync(file, 'utf8')).pid);
          } catch {
            // being written
          }
        }
      }
      return new RegExp(`${NODES}/${NODES} nodes up, \\d+ links, degree min [1-9]`).test(out) ? true : undefined;
    },
    { timeoutMs: 40_000, intervalMs: 300, what: 'the demo to report every node up and linked', describe: () => out.slice(-1500) + err },
  );
  assert.match(out, /NODE +ID +ADDRESS +DEG +NEIGHBOURS \(RTT\)/);
  assert.match(out, /node1 +[0-9a-f]{12} +127\.0\.0\.1:\d+ +\d+ +node\d/);
  assert.equal(nodePids.size, NODES);

  demo.kill('SIGINT');
  assert.equal(await exited, 0, err);
  assert.match(out, /stopping every node/);
  for (let i = 1; i <= NODES; i++) assert.equal(existsSync(join(dir, `node${i}`, 'control.json')), false, `node${i} stopped cleanly`);
  for (const pid of nodePids) assert.equal(alive(pid), false, `node process ${pid} is gone`);
});

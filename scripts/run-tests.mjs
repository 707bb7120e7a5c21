#!/usr/bin/env node
/**
 * Runs every compiled test file (dist/test/**\/*.test.js) with `node --test`, so that node's own
 * summary is the last thing printed and its exit code is ours. Arguments narrow the run to files
 * whose path contains one of them: `npm test -- e2e/refusals`.
 */
import { readdirSync, statSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const testRoot = join(root, 'dist', 'test');

function find(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) find(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

if (!existsSync(testRoot)) {
  console.error('tokumei: TESTS_NOT_BUILT: dist/test is missing; run `npm test` (it builds first) or `npx tsc -p tsconfig.json`');
  process.exit(1);
}
const filters = process.argv.slice(2);
const files = find(testRoot)
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('tokumei: NO_TESTS: no test files matched');
  process.exit(1);
}
/** No single test may run longer than this; a stuck one fails instead of hanging CI. */
const TEST_TIMEOUT_MS = 600_000; // per test file too: the browser test runs the whole demo community
/** The whole run, as a last resort (e.g. a test file that never exits because of a leaked handle). */
const RUN_TIMEOUT_MS = 20 * 60_000;

// In its own process group, so that the watchdog can stop the runner and every test file it started.
const child = spawn(process.execPath, ['--test', '--test-reporter=spec', `--test-timeout=${TEST_TIMEOUT_MS}`, ...files], {
  cwd: root,
  stdio: 'inherit',
  detached: true,
});
const killGroup = (sig) => {
  try {
    process.kill(-child.pid, sig);
  } catch {
    // already gone
  }
};
// Forward Ctrl-C / termination so test children (which clean up their own processes) stop too.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => killGroup(sig));
const watchdog = setTimeout(() => {
  console.error(`tokumei: TESTS_TIMED_OUT: the test run exceeded ${RUN_TIMEOUT_MS / 60_000} minutes; stopping it`);
  killGroup('SIGTERM');
  setTimeout(() => killGroup('SIGKILL'), 5_000).unref();
}, RUN_TIMEOUT_MS);
watchdog.unref();
child.on('exit', (code, signal) => {
  clearTimeout(watchdog);
  process.exitCode = code ?? (signal ? 1 : 0);
});

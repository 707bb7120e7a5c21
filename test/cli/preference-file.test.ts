/** `tokumei node` with a bad or missing preference file stops at once with one clear line (exit 1). */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../e2e/helpers/cli-process.js';
import { assertOneLine } from './helpers/one-line.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokumei-prefs-'));
});
after(() => rm(dir, { recursive: true, force: true }));

test('a preference file with a bad line names the line', async () => {
  const prefs = join(dir, 'bad.txt');
  await writeFile(prefs, '# first nodes\n127.0.0.1:7001\nthis is not an address\n');
  const r = await runCli(['node', '--dir', dir, '--listen', '127.0.0.1:0', '--peers', prefs]);
  assert.equal(r.code, 1, r.stderr);
  assertOneLine(r.stderr, 'PREFERENCE_FILE_INVALID');
  assert.match(r.stderr, /line 3/);
});

test('a port out of range in the preference file is refused', async () => {
  const prefs = join(dir, 'port.txt');
  await writeFile(prefs, '127.0.0.1:99999\n');
  const r = await runCli(['node', '--dir', dir, '--listen', '127.0.0.1:0', '--peers', prefs]);
  assert.equal(r.code, 1);
  assertOneLine(r.stderr, 'PREFERENCE_FILE_INVALID');
});

test('a missing preference file is a clear error', async () => {
  const r = await runCli(['node', '--dir', dir, '--listen', '127.0.0.1:0', '--peers', join(dir, 'nope.txt')]);
  assert.equal(r.code, 1);
  assertOneLine(r.stderr, 'PREFERENCE_FILE_UNREADABLE');
  assert.match(r.stderr, /ENOENT/);
});

test('a binary preference file does not crash the command', async () => {
  const prefs = join(dir, 'binary.bin');
  await writeFile(prefs, Buffer.from([0, 255, 10, 13, 0x3a, 0x3a, 10, 200, 201]));
  const r = await runCli(['node', '--dir', dir, '--listen', '127.0.0.1:0', '--peers', prefs]);
  assert.equal(r.code, 1);
  assertOneLine(r.stderr, 'PREFERENCE_FILE_INVALID');
});

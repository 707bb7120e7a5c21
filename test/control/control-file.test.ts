import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokumeiError } from '../../src/errors.js';
import { controlFilePath, readControlFile, removeControlFile, writeControlFile } from '../../src/control/control-file.js';

test('control.json is written 0600, read back, and removed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tokumei-control-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await assert.rejects(readControlFile(dir), (e: unknown) => e instanceof TokumeiError && e.code === 'CONTROL_NOT_RUNNING');
  const info = { url: 'http://127.0.0.1:1234', token: 'cd'.repeat(32), pid: 42, nodeId: 'aa', address: '127.0.0.1:7001' };
  await writeControlFile(dir, info);
  assert.equal((await stat(controlFilePath(dir))).mode & 0o777, 0o600);
  assert.deepEqual(await readControlFile(dir), info);
  await writeControlFile(dir, { ...info, pid: 43 }); // overwrite keeps 0600
  assert.equal((await stat(controlFilePath(dir))).mode & 0o777, 0o600);
  await removeControlFile(dir);
  await removeControlFile(dir); // idempotent
  await assert.rejects(readControlFile(dir), (e: unknown) => e instanceof TokumeiError && e.code === 'CONTROL_NOT_RUNNING');
  await writeFile(controlFilePath(dir), '{not json');
  await assert.rejects(readControlFile(dir), (e: unknown) => e instanceof TokumeiError && e.code === 'CONTROL_FILE_INVALID');
  await writeFile(controlFilePath(dir), '{"url": "ftp://x", "token": "t"}');
  await assert.rejects(readControlFile(dir), (e: unknown) => e instanceof TokumeiError && e.code === 'CONTROL_FILE_INVALID');
});

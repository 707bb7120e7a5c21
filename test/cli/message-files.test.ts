/**
 * The files behind `send --file` and `inbox --save`: a message is read whole and within 16 MiB
 * (checked before sending), and saved atomically without overwriting unless forced.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, truncate, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokumeiError } from '../../src/errors.js';
import { messageSource, readMessage } from '../../src/cli/message-input.js';
import { saveFileAtomic } from '../../src/cli/save-file.js';
import { MAX_MESSAGE_SIZE } from '../../src/routing/end-to-end/e2e-limits.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokumei-files-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const code = (c: string) => (e: unknown) => e instanceof TokumeiError && e.code === c;

test('exactly one of --file and --text', () => {
  assert.deepEqual(messageSource({ file: 'f' }, 'send'), { file: 'f' });
  assert.deepEqual(messageSource({ text: '' }, 'send'), { text: '' });
  assert.throws(() => messageSource({}, 'send'), /exactly one of --file and --text/);
  assert.throws(() => messageSource({ file: 'f', text: 't' }, 'send'), /exactly one/);
});

test('text is UTF-8; a file is read whole; missing, oversize and directories are refused', async () => {
  assert.deepEqual(await readMessage({ text: 'héllo' }), new TextEncoder().encode('héllo'));
  const f = join(dir, 'msg.bin');
  const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
  await writeFile(f, data);
  assert.ok(Buffer.from(await readMessage({ file: f })).equals(data));
  await writeFile(join(dir, 'empty'), '');
  assert.equal((await readMessage({ file: join(dir, 'empty') })).length, 0);
  await assert.rejects(readMessage({ file: join(dir, 'nope') }), code('FILE_MISSING'));
  await assert.rejects(readMessage({ file: dir }), code('FILE_NOT_REGULAR'));
  const big = join(dir, 'big');
  await writeFile(big, '');
  await truncate(big, MAX_MESSAGE_SIZE + 1); // sparse: costs nothing
  await assert.rejects(readMessage({ file: big }), code('MESSAGE_TOO_LARGE'));
  await truncate(big, MAX_MESSAGE_SIZE);
  assert.equal((await readMessage({ file: big })).length, MAX_MESSAGE_SIZE);
});

test('saving refuses to overwrite unless forced, and leaves no temporary file', async () => {
  const out = join(dir, 'saved.bin');
  await saveFileAtomic(out, new Uint8Array([1, 2, 3]), { force: false });
  assert.deepEqual([...(await readFile(out))], [1, 2, 3]);
  assert.equal((await stat(out)).mode & 0o777, 0o600);
  await assert.rejects(saveFileAtomic(out, new Uint8Array([4]), { force: false }), code('FILE_EXISTS'));
  assert.deepEqual([...(await readFile(out))], [1, 2, 3]);
  await saveFileAtomic(out, new Uint8Array([4]), { force: true });
  assert.deepEqual([...(await readFile(out))], [4]);
  await assert.rejects(saveFileAtomic(join(dir, 'no', 'such', 'dir'), new Uint8Array([1]), { force: false }), code('FILE_WRITE_FAILED'));
  assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.tmp')), []);
});

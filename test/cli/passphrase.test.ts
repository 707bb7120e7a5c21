/**
 * The passphrase: a wrong one is a clear one-line error (for the CA and for a node's keystore), a
 * missing one without a terminal is a clear error rather than a hang, and no private key is ever
 * written unencrypted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliOk, runCli, testEnv } from '../e2e/helpers/cli-process.js';
import { assertOneLine } from './helpers/one-line.js';

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await allFiles(p)));
    else out.push(p);
  }
  return out;
}

describe('passphrase', () => {
  let dir: string;
  let caDir: string;
  let nodeDir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokumei-pass-'));
    caDir = join(dir, 'ca');
    nodeDir = join(dir, 'alice');
    await cliOk(['ca', 'init', '--dir', caDir]);
    await cliOk(['ca', 'issue', '--ca', caDir, '--name', 'alice', '--out', nodeDir]);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('without TOKUMEI_PASSPHRASE and without a terminal: exit 1, PASSPHRASE_REQUIRED, nothing created', async () => {
    const target = join(dir, 'ca2');
    const r = await runCli(['ca', 'init', '--dir', target], { env: testEnv({ TOKUMEI_PASSPHRASE: undefined }) });
    assert.equal(r.code, 1);
    assertOneLine(r.stderr, 'PASSPHRASE_REQUIRED');
    assert.equal(existsSync(target), false);
  });

  test('a wrong CA passphrase is one clear line', async () => {
    const r = await runCli(['ca', 'issue', '--ca', caDir, '--name', 'bob', '--out', join(dir, 'bob')], { env: testEnv({ TOKUMEI_PASSPHRASE: 'wrong' }) });
    assert.equal(r.code, 1, r.stderr);
    assertOneLine(r.stderr, /PASSPHRASE|KEYSTORE/);
    assert.match(r.stderr, /passphrase/i);
  });

  test('a wrong node passphrase is one clear line, and the node does not start', async () => {
    const prefs = join(dir, 'prefs.txt');
    await writeFile(prefs, '# nobody yet\n');
    const r = await runCli(['node', '--dir', nodeDir, '--listen', '127.0.0.1:0', '--peers', prefs], { env: testEnv({ TOKUMEI_PASSPHRASE: 'wrong' }), timeoutMs: 15_000 });
    assert.equal(r.code, 1, r.stderr);
    assertOneLine(r.stderr, /PASSPHRASE|KEYSTORE/);
    assert.equal(existsSync(join(nodeDir, 'control.json')), false);
  });

  test('no private key is written unencrypted in the CA dir or a NODEDIR', async () => {
    for (const file of [...(await allFiles(caDir)), ...(await allFiles(nodeDir))]) {
      const text = await readFile(file, 'latin1');
      assert.doesNotMatch(text, /-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/, file);
      assert.doesNotMatch(text, /"(d|privateKey|secret)"\s*:\s*"/, file);
    }
    // Keystores are readable by their owner only.
    for (const file of await allFiles(nodeDir)) {
      if (/keystore/i.test(file)) assert.equal((await stat(file)).mode & 0o077, 0, `${file} is group/other readable`);
    }
  });
});

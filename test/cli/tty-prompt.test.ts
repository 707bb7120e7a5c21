/**
 * The interactive passphrase prompt, on a real pseudo-terminal (util-linux `script`): nothing typed
 * is echoed, `ca init` asks twice, and two different answers create nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliOk, removeTestDir, testEnv, TOKUMEI_BIN } from '../e2e/helpers/cli-process.js';

const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

/** Runs `tokumei args` on a pty; each time the output shows the next prompt, types the next answer. */
function onTerminal(args: string[], answers: string[], timeoutMs = 20_000): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, TOKUMEI_BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: testEnv({ TOKUMEI_PASSPHRASE: undefined }), stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let prompts = 0;
    const onData = (d: string) => {
      output += d;
      const seen = (output.match(/(Passphrase for|Repeat the passphrase)[^:]*: /g) ?? []).length;
      while (prompts < seen && prompts < answers.length) child.stdin.write(answers[prompts++] + '\r');
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code, output });
    });
  });
}

test('ca init asks twice on a terminal, without echo', { skip: hasScript ? false : 'util-linux `script` not installed', timeout: 60_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tokumei-tty-'));
  t.after(() => removeTestDir(dir));
  const secret = 'tty-secret-4711';

  const ok = await onTerminal(['ca', 'init', '--dir', join(dir, 'ca')], [secret, secret]);
  assert.equal(ok.code, 0, ok.output);
  assert.match(ok.output, /Passphrase for the new CA/);
  assert.match(ok.output, /Repeat the passphrase/);
  assert.ok(!ok.output.includes(secret), `the passphrase was echoed: ${ok.output}`);
  // The passphrase typed at the prompt is the CA's.
  await cliOk(['ca', 'issue', '--ca', join(dir, 'ca'), '--name', 'a', '--out', join(dir, 'a')], { env: testEnv({ TOKUMEI_PASSPHRASE: secret }) });

  const mismatch = await onTerminal(['ca', 'init', '--dir', join(dir, 'ca2')], [secret, secret + 'x']);
  assert.equal(mismatch.code, 1, mismatch.output);
  assert.match(mismatch.output, /tokumei: PASSPHRASE_MISMATCH: /);
  assert.equal(existsSync(join(dir, 'ca2')), false);
});

/**
 * Runs the real `tokumei` command (bin/tokumei.js) as child processes for CLI and end-to-end tests.
 * Every child is tracked so that a test can kill all of them in `after`, also when it fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** dist/test/e2e/helpers/ → repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const TOKUMEI_BIN = fileURLToPath(new URL('../../../../bin/tokumei.js', import.meta.url));

export const TEST_PASSPHRASE = 'correct horse battery staple';

/** Environment for test children: a known passphrase and cheap keystores (scrypt 2^14). */
export function testEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TOKUMEI_PASSPHRASE: TEST_PASSPHRASE, TOKUMEI_KDF_LOG_N: '14', ...extra };
  delete env.TOKUMEI_DEBUG;
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k];
  return env;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `tokumei ...args` to completion (killed after timeoutMs); stdin is an empty pipe (not a TTY). */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TOKUMEI_BIN, ...args], { env: options.env ?? testEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end();
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Like runCli, but fails the test with the command's stderr when it does not exit 0. */
export async function cliOk(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  const r = await runCli(args, options);
  if (r.code !== 0) throw new Error(`tokumei ${args.join(' ')} exited ${r.code ?? r.signal}: ${r.stderr.trim()}`);
  return r;
}

export interface RunningCli {
  child: ChildProcess;
  /** Last 64 KiB of stderr (what the node logs). */
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning(): boolean;
}

/** Keeps every long-running child of a test; `killAll` is for `after`. */
export class ChildSet {
  private readonly children: RunningCli[] = [];

  start(args: string[], env: NodeJS.ProcessEnv = testEnv()): RunningCli {
    const child = spawn(process.execPath, [TOKUMEI_BIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (err.length > 65536) err = err.slice(-65536);
    });
    let running = true;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => {
        running = false;
        resolve({ code, signal });
      }),
    );
    const r: RunningCli = { child, stderr: () => err, exited, isRunning: () => running };
    this.children.push(r);
    return r;
  }

  async killAll(): Promise<void> {
    for (const c of this.children) if (c.isRunning()) c.child.kill('SIGKILL');
    await Promise.all(this.children.map((c) => c.exited));
  }
}

/** Polls `probe` until it returns a value (not undefined) or `timeoutMs` passes; then throws with `describe()`. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, options: { timeoutMs: number; intervalMs?: number; what: string; describe?: () => string }): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 500));
  }
  throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${options.describe ? ': ' + options.describe() : ''}`);
}

/** Removes a test's directory, unless TOKUMEI_KEEP_TEST_DIRS is set (to read node logs after a failure). */
export async function removeTestDir(dir: string): Promise<void> {
  if (process.env.TOKUMEI_KEEP_TEST_DIRS) {
    process.stderr.write(`# kept ${dir}\n`);
    return;
  }
  const { rm } = await import('node:fs/promises');
  await rm(dir, { recursive: true, force: true });
}

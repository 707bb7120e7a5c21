/**
 * Runs `tokumei node` child processes for the demo and stops every one of them: SIGTERM first
 * (clean shutdown), SIGKILL for any that has not exited after a grace period.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { tokumeiBinPath } from './bin-path.js';

export interface NodeProcess {
  label: string;
  dir: string;
  child: ChildProcess;
  /** Set when the process has exited. */
  exit?: { code: number | null; signal: NodeJS.Signals | null };
}

export interface NodeSpec {
  label: string;
  dir: string;
  listen: string;
  peersFile: string;
  /** More `tokumei node` flags (a board replica's --board, a trustee's --trustee …). */
  extraArgs?: string[];
}

export function spawnNode(spec: NodeSpec, env: NodeJS.ProcessEnv): NodeProcess {
  // The node writes its own node.log; stderr is kept too for failures before logging starts.
  const errFd = openSync(join(spec.dir, 'stderr.log'), 'a', 0o600);
  const child = spawn(process.execPath, [tokumeiBinPath(), 'node', '--dir', spec.dir, '--listen', spec.listen, '--peers', spec.peersFile, ...(spec.extraArgs ?? [])], {
    env,
    stdio: ['ignore', 'ignore', errFd],
  });
  closeSync(errFd);
  const proc: NodeProcess = { label: spec.label, dir: spec.dir, child };
  child.on('exit', (code, signal) => (proc.exit = { code, signal }));
  return proc;
}

export async function stopAll(procs: NodeProcess[], graceMs = 5_000): Promise<void> {
  const running = procs.filter((p) => !p.exit && p.child.exitCode === null && p.child.signalCode === null);
  const exited = running.map((p) => new Promise<void>((resolve) => p.child.once('exit', () => resolve())));
  for (const p of running) p.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
  await Promise.race([Promise.all(exited), grace]);
  clearTimeout(timer);
  for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(exited);
}

/** One `tokumei ca` command at a time on a CA directory (a lock file holding the pid). */
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FileErrors } from '../files/files-errors.js';
import { IdentityErrors } from './identity-errors.js';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** In-process queue per directory (BOUNDED by the directories in use: one entry each). */
const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` holding `<dir>/.lock`, so two `tokumei ca` commands cannot interleave their
 * read-modify-write of members.json: calls in this process queue up; another live process holding
 * the lock (O_EXCL file with its pid) makes us fail with CA_LOCKED; a dead one's lock is taken over.
 */
export function withDirLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const key = resolve(dir);
  const prev = queues.get(key) ?? Promise.resolve();
  const run = prev.catch(() => {}).then(() => withFileLock(key, fn));
  const tail = run.catch(() => {});
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return run;
}

async function withFileLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(dir, '.lock');
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx', mode: 0o600 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw FileErrors.FILE_WRITE_FAILED(`cannot lock ${dir}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
      const holder = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      if (attempt < 3 && Number.isInteger(holder) && holder > 0 && holder !== process.pid && pidAlive(holder)) {
        throw IdentityErrors.CA_LOCKED(`${dir} is in use by process ${holder} (remove ${lock} if it is not)`);
      }
      if (attempt >= 3) throw IdentityErrors.CA_LOCKED(`cannot take ${lock}`);
      await unlink(lock).catch(() => {}); // stale: its process is gone (or was this one, before a crash)
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lock).catch(() => {});
  }
}

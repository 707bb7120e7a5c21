/**
 * Crash-safe files for the passport office and node directories: a file is written to a temporary
 * name, fsynced and renamed over the target (then the directory is fsynced), so a reader sees the
 * old or the new content, never half. A new directory is filled under a temporary name and
 * renamed into place, so it appears complete or not at all, and an existing one is never touched.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { TokumeiError } from '../errors.js';
import { IdentityErrors } from './identity-errors.js';

async function fsyncDir(dir: string): Promise<void> {
  const h = await open(dir, constants.O_RDONLY);
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

async function writeSynced(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  const h = await open(path, 'wx', mode);
  try {
    await h.writeFile(data);
    await h.sync();
  } finally {
    await h.close();
  }
}

function ioError(code: string, message: string, cause: unknown): TokumeiError {
  return new TokumeiError('io', code, `${message}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
}

/** Replaces `path` atomically with `data` (mode 0600 unless given). */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeSynced(tmp, data, mode);
    await rename(tmp, path);
    await fsyncDir(dirname(path));
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw ioError('FILE_WRITE_FAILED', `cannot write ${path}`, e);
  }
}

/** True when `dir` exists and holds anything. */
export async function dirInUse(dir: string): Promise<boolean> {
  try {
    const s = await stat(dir);
    if (!s.isDirectory()) return true;
    return (await readdir(dir)).length > 0;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw ioError('FILE_READ_FAILED', `cannot inspect ${dir}`, e);
  }
}

export interface NewFile {
  data: string | Uint8Array;
  /** Default 0600. */
  mode?: number;
}

/**
 * Creates directory `dir` holding `files` (relative paths; subdirectories are made), atomically.
 * Refuses with `existsCode` when `dir` already exists with content.
 */
export async function createDirAtomic(dir: string, files: Record<string, NewFile>, existsCode: string): Promise<void> {
  if (await dirInUse(dir)) throw new TokumeiError('bad-input', existsCode, `${dir} already exists and is not empty; refusing to overwrite it`);
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true }).catch((e: unknown) => {
    throw ioError('FILE_WRITE_FAILED', `cannot create ${parent}`, e);
  });
  const tmp = join(parent, `.${basename(dir)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(tmp, { mode: 0o700 });
    const dirs = new Set<string>([tmp]);
    for (const [rel, f] of Object.entries(files)) {
      const path = join(tmp, rel);
      if (!path.startsWith(tmp + '/')) throw new Error(`bad relative path ${rel}`);
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      dirs.add(dirname(path));
      await writeSynced(path, f.data, f.mode ?? 0o600);
    }
    for (const d of dirs) await fsyncDir(d);
    // rename(2) onto an existing empty directory replaces it; onto a non-empty one it fails.
    await rename(tmp, dir);
    await fsyncDir(parent);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true }).catch(() => {});
    if ((e as NodeJS.ErrnoException).code === 'ENOTEMPTY' || (e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new TokumeiError('bad-input', existsCode, `${dir} appeared while it was being created; refusing to overwrite it`);
    }
    throw e instanceof TokumeiError ? e : ioError('FILE_WRITE_FAILED', `cannot create ${dir}`, e);
  }
}

/** Reads a small text file; FILE_MISSING or FILE_READ_FAILED (io), FILE_TOO_LARGE (bad-input). */
export async function readTextFile(path: string, maxBytes: number): Promise<string> {
  let data: Buffer;
  try {
    const s = await stat(path);
    if (s.size > maxBytes) throw IdentityErrors.FILE_TOO_LARGE(`${path} is larger than ${maxBytes} bytes`);
    data = await readFile(path);
  } catch (e) {
    if (e instanceof TokumeiError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw IdentityErrors.FILE_MISSING(`${path} does not exist`, { cause: e });
    throw ioError('FILE_READ_FAILED', `cannot read ${path}`, e);
  }
  if (data.length > maxBytes) throw IdentityErrors.FILE_TOO_LARGE(`${path} is larger than ${maxBytes} bytes`);
  return data.toString('utf8');
}

/** Parses a JSON file, mapping a syntax error to `malformedCode` (bad-input). */
export async function readJsonFile(path: string, maxBytes: number, malformedCode: string): Promise<unknown> {
  const text = await readTextFile(path, maxBytes);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new TokumeiError('bad-input', malformedCode, `${path} is not valid JSON`, { cause: e });
  }
}

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
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError('FILE_WRITE_FAILED', `cannot lock ${dir}`, e);
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

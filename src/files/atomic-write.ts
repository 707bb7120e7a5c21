/**
 * Crash-safe writes for the passport office, node directories and the control file: a file is
 * written to a temporary name, fsynced and renamed (or linked) over the target, then the directory
 * is fsynced, so a reader sees the old or the new content, never half. A new directory is filled
 * under a temporary name and renamed into place, so it appears complete or not at all, and an
 * existing one is never touched.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TokumeiError } from '../errors.js';
import { FileErrors } from './files-errors.js';

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

function ioError(code: 'FILE_WRITE_FAILED' | 'FILE_READ_FAILED', message: string, cause: unknown): TokumeiError {
  return FileErrors[code](`${message}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
}

/**
 * Writes `path` atomically: the data goes to a temporary file in the same directory (created with
 * `mode`, default 0600, so it is never readable by others, not even briefly), is fsynced, and then
 * takes the target's name in one step — rename(2), replacing what was there, or with
 * `overwrite: false` link(2), which fails with FILE_EXISTS if the name exists (no window in which
 * another writer could slip in). A reader sees the old content or the new, never half.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: { mode?: number; overwrite?: boolean } = {}): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeSynced(tmp, data, options.mode ?? 0o600);
    if (options.overwrite !== false) await rename(tmp, path);
    else {
      await link(tmp, path).catch((e: NodeJS.ErrnoException) => {
        throw e.code === 'EEXIST' ? FileErrors.FILE_EXISTS(`${path} already exists; refusing to overwrite it`) : e;
      });
    }
    await fsyncDir(dirname(path));
  } catch (e) {
    if (e instanceof TokumeiError) throw e;
    throw ioError('FILE_WRITE_FAILED', `cannot write ${path}`, e);
  } finally {
    await unlink(tmp).catch(() => {}); // after rename it is gone already; after link it is a second name
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

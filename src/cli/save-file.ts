/**
 * Writes a received message to a file atomically: the bytes go to a temporary file in the same
 * directory, are fsynced, and then take the target's name in one step — link(2), which fails if
 * the name exists (no overwrite, and no window in which another writer could slip in), or with
 * `force`, rename(2). A reader never sees half a message.
 */
import { randomBytes } from 'node:crypto';
import { link, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { CliErrors } from './cli-errors.js';

export async function saveFileAtomic(path: string, data: Uint8Array, options: { force: boolean; mode?: number }): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', options.mode ?? 0o600);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (options.force) await rename(tmp, path);
    else await link(tmp, path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw CliErrors.FILE_EXISTS(`${path} already exists; refusing to overwrite it (use --force)`);
    throw CliErrors.FILE_WRITE_FAILED(`cannot write ${path}: ${code ?? (e as Error).message}`);
  } finally {
    await unlink(tmp).catch(() => {}); // after rename it is gone already; after link it is a second name
  }
  await syncDir(dirname(path)).catch(() => {});
}

async function syncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

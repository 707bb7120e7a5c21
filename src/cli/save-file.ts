/**
 * Writes a received message to a file (`tokumei inbox --save`) through the one atomic writer
 * (src/files/atomic-write.ts): without `force` an existing file is never replaced (FILE_EXISTS,
 * with the option that would), with it the file is replaced in one step. A reader never sees
 * half a message.
 */
import { isTokumeiError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { FileErrors } from '../files/files-errors.js';

export async function saveFileAtomic(path: string, data: Uint8Array, options: { force: boolean; mode?: number }): Promise<void> {
  try {
    await writeFileAtomic(path, data, { mode: options.mode ?? 0o600, overwrite: options.force });
  } catch (e) {
    if (isTokumeiError(e, 'FILE_EXISTS')) throw FileErrors.FILE_EXISTS(`${path} already exists; refusing to overwrite it (use --force)`);
    throw e;
  }
}

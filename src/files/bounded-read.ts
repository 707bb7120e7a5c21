/** Bounded reads of small files: FILE_MISSING or FILE_READ_FAILED (io), FILE_TOO_LARGE (bad-input). */
import { readFile, stat } from 'node:fs/promises';
import { TokumeiError } from '../errors.js';
import { FileErrors } from './files-errors.js';

/** Reads a small text file; FILE_MISSING or FILE_READ_FAILED (io), FILE_TOO_LARGE (bad-input). */
export async function readTextFile(path: string, maxBytes: number): Promise<string> {
  let data: Buffer;
  try {
    const s = await stat(path);
    if (s.size > maxBytes) throw FileErrors.FILE_TOO_LARGE(`${path} is larger than ${maxBytes} bytes`);
    data = await readFile(path);
  } catch (e) {
    if (e instanceof TokumeiError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw FileErrors.FILE_MISSING(`${path} does not exist`, { cause: e });
    throw FileErrors.FILE_READ_FAILED(`cannot read ${path}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
  if (data.length > maxBytes) throw FileErrors.FILE_TOO_LARGE(`${path} is larger than ${maxBytes} bytes`);
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

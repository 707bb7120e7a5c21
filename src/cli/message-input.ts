/**
 * The message of `tokumei send` and `tokumei reply`: exactly one of `--file F` and `--text T`.
 * A file is checked for size before it is read, and read only up to that size (a file that grows
 * meanwhile is refused), so a message over 16 MiB never reaches the node.
 */
import { open } from 'node:fs/promises';
import { TokumeiError } from '../errors.js';
import { MAX_MESSAGE_SIZE } from '../routing/end-to-end/e2e-limits.js';
import { optionalString, type Values } from './args.js';
import { usageError } from './usage-error.js';
import { RoutingErrors } from '../routing/core/routing-errors.js';
import { FileErrors } from '../files/files-errors.js';

export type MessageSource = { file: string } | { text: string };

/** Checks the options (usage errors); reading comes later, after the other checks. */
export function messageSource(values: Values, command: string): MessageSource {
  const file = optionalString(values, 'file');
  const text = optionalString(values, 'text');
  if ((file === undefined) === (text === undefined)) throw usageError('give exactly one of --file and --text', command);
  if (file !== undefined) {
    if (file === '') throw usageError('--file needs a path', command);
    return { file };
  }
  return { text: text! };
}

export async function readMessage(source: MessageSource): Promise<Uint8Array> {
  if ('text' in source) {
    const bytes = new TextEncoder().encode(source.text);
    if (bytes.length > MAX_MESSAGE_SIZE) throw tooLarge('--text', bytes.length);
    return bytes;
  }
  const path = source.file;
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw FileErrors.FILE_MISSING(`${path} does not exist`);
    throw FileErrors.FILE_READ_FAILED(`cannot read ${path}: ${code ?? (e as Error).message}`);
  }
  try {
    const stat = await fh.stat();
    if (!stat.isFile()) throw FileErrors.FILE_NOT_REGULAR(`${path} is not a regular file`);
    if (stat.size > MAX_MESSAGE_SIZE) throw tooLarge(path, stat.size);
    // One byte more than the stat said tells a file that grew meanwhile.
    const buf = Buffer.alloc(stat.size + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, length, buf.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > stat.size) throw FileErrors.FILE_CHANGED(`${path} grew while it was read; send it once it is complete`);
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, length);
  } catch (e) {
    if (e instanceof TokumeiError) throw e;
    throw FileErrors.FILE_READ_FAILED(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    await fh.close();
  }
}

function tooLarge(what: string, size: number): TokumeiError {
  return RoutingErrors.MESSAGE_TOO_LARGE(`${what} holds ${size} bytes; a message is at most ${MAX_MESSAGE_SIZE} bytes (16 MiB)`);
}

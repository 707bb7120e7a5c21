/**
 * Options shared by the board commands (docs/protocol.md §7): `--board` (a tkb1 address, or a
 * BOARDDIR whose board.json names one), durations (`30s`, `10m`, `1h`, `7d`), repeatable
 * `--field key=value`, post ids, and the text of a post or reply. Mistakes in their form are usage
 * errors (exit 2) found before the node is asked; a field breaking §7.3's rules keeps the board's
 * code, BOARD_BAD_FIELD.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BOARD_ADDRESS_PREFIX, decodeBoardAddress, encodeBoardAddress } from '../board/board-address.js';
import { BOARD_FILES, readBoardAddress } from '../board/board-keys.js';
import { checkFields, utf8Length } from '../board/text-rules.js';
import { BOARD_LIMITS, type BoardField } from '../board/types.js';
import { TokumeiError } from '../errors.js';
import { optionalString, requireString, type Values } from './args.js';
import { messageSource, readMessage } from './message-input.js';
import { usageError } from './usage-error.js';
import { BoardErrors } from '../board/board-errors.js';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `30s`, `10m`, `1h`, `7d` → seconds, at most `maxSeconds`. */
export function parseDuration(text: string, option: string, command: string, maxSeconds: number): number {
  const m = /^([1-9][0-9]{0,6})([smhd])$/.exec(text);
  if (!m) throw usageError(`--${option} must be a duration such as 30s, 10m, 1h or 7d`, command);
  const seconds = Number(m[1]) * UNIT_SECONDS[m[2]!]!;
  if (seconds > maxSeconds) throw usageError(`--${option} is at most ${formatDuration(maxSeconds)}`, command);
  return seconds;
}

export function formatDuration(seconds: number): string {
  for (const [unit, n] of [['d', 86_400], ['h', 3600], ['m', 60]] as const) if (seconds % n === 0) return `${seconds / n}${unit}`;
  return `${seconds}s`;
}

/** `--field key=value` (repeatable) → fields checked by §7.3's rules. */
export function parseFields(values: Values, command: string): BoardField[] {
  const raw = values.field as unknown;
  const list: string[] = raw === undefined ? [] : Array.isArray(raw) ? (raw as string[]) : [raw as string];
  const fields = list.map((kv) => {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw usageError(`--field must be key=value, got ${JSON.stringify(kv.slice(0, 40))}`, command);
    return { key: kv.slice(0, eq), value: kv.slice(eq + 1) };
  });
  try {
    return checkFields(fields);
  } catch (e) {
    throw usageError(`--field: ${(e as TokumeiError).message}`, command, (e as TokumeiError).code);
  }
}

/**
 * `--board`: a board address, or a BOARDDIR (its public board.json is read; no passphrase).
 * BOARD_ADDRESS_INVALID as a usage error.
 */
export async function boardOption(values: Values, command: string): Promise<string> {
  const text = requireString(values, 'board', command);
  if (!text.startsWith(BOARD_ADDRESS_PREFIX) && existsSync(join(text, BOARD_FILES.board)) && statSync(text).isDirectory()) {
    return encodeBoardAddress(await readBoardAddress(text));
  }
  try {
    decodeBoardAddress(text);
  } catch (e) {
    throw usageError(`--board: ${(e as TokumeiError).message}`, command, (e as TokumeiError).code);
  }
  return text;
}

/** A post id: 32 lowercase hex digits. */
export function postIdOption(values: Values, name: string, command: string): string {
  const id = requireString(values, name, command);
  if (!/^[0-9a-f]{32}$/.test(id)) throw usageError(`--${name} must be a post id: 32 lowercase hex digits (see \`tokumei search\`)`, command, 'BOARD_POST_ID_INVALID');
  return id;
}

export function optionalPostId(values: Values, name: string, command: string): string | undefined {
  return optionalString(values, name) === undefined ? undefined : postIdOption(values, name, command);
}

/**
 * The text of a post or reply: `--text T` or `--file F` (UTF-8). Text above 16,384 bytes is
 * refused here as the board would refuse it (BOARD_TOO_LARGE, exit 1), without asking the node.
 */
export async function boardText(values: Values, command: string, what: string): Promise<string> {
  const bytes = await readMessage(messageSource(values, command));
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw BoardErrors.BOARD_BAD_TEXT(`${what} is not valid UTF-8`);
  }
  const size = utf8Length(text);
  if (size > BOARD_LIMITS.maxTextBytes) {
    throw BoardErrors.BOARD_TOO_LARGE(`${what} is ${size} bytes of UTF-8, more than ${BOARD_LIMITS.maxTextBytes}`);
  }
  return text;
}

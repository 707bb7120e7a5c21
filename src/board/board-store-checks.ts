/**
 * The board store's small pieces (board-store.ts): FTS5 quoting of search words, row mapping,
 * argument checks, and the mapping of SQLite's errors onto the store's codes.
 */
import { TokumeiError } from '../errors.js';
import type { StoredPost, StoredReservation } from './board-store-types.js';
import type { BoardField } from './types.js';
import { BoardErrors } from './board-errors.js';

const HEX_ID = /^[0-9a-f]{32}$/;

export type PostRow = Omit<StoredPost, 'fields'> & { fields: string };

/**
 * §7.4: each word becomes one FTS5 string ("…", inner quotes doubled), joined by spaces (AND), so
 * nothing a user types is ever read as FTS5 syntax (`*`, `NEAR(`, `col:`, `OR`, `^`).
 */
export function quoteFtsWords(words: readonly string[]): string {
  return words.map((w) => `"${w.replaceAll('"', '""')}"`).join(' ');
}

export function postFromRow(row: PostRow): StoredPost {
  const fields = (JSON.parse(row.fields) as [string, string][]).map(([key, value]) => ({ key, value }));
  return { ...row, fields };
}

export function frozenReservation(r: StoredReservation): StoredReservation {
  return Object.freeze({
    ...r,
    words: Object.freeze([...r.words]) as string[],
    fields: Object.freeze(r.fields.map((f) => Object.freeze({ key: f.key, value: f.value }))) as BoardField[],
  });
}

export function checkId(id: string): void {
  if (typeof id !== 'string' || !HEX_ID.test(id)) {
    throw BoardErrors.BOARD_STORE_ARGUMENT('an id must be 32 lower-case hex digits');
  }
}

export function positiveInt(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 1) {
    throw BoardErrors.BOARD_STORE_ARGUMENT(`${name} must be a positive integer`);
  }
  return v;
}

/** Maps what better-sqlite3 throws onto the store's codes; TokumeiErrors pass through. */
export function storeError(e: unknown, path: string): TokumeiError {
  if (e instanceof TokumeiError) return e;
  const code = (e as { code?: unknown }).code;
  const msg = e instanceof Error ? e.message : String(e);
  if (typeof code === 'string') {
    if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
      return BoardErrors.BOARD_STORE_CORRUPT(`${path} is not a readable board store (${code}: ${msg})`, { cause: e });
    }
    if (/^SQLITE_(IOERR|FULL|CANTOPEN|READONLY|BUSY|LOCKED|PERM|NOLFS)/.test(code)) {
      return BoardErrors.BOARD_STORE_IO(`${path}: ${code}: ${msg}`, { cause: e });
    }
    return BoardErrors.BOARD_STORE_FAILED(`${path}: ${code}: ${msg}`, { cause: e });
  }
  if (e instanceof TypeError && /directory does not exist|not open/.test(msg)) {
    return BoardErrors.BOARD_STORE_IO(`${path}: ${msg}`, { cause: e });
  }
  return BoardErrors.BOARD_STORE_FAILED(`${path}: ${msg}`, { cause: e });
}

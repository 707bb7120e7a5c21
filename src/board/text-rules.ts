/**
 * Text, field and query rules of the board (docs/protocol.md §7.3, §7.4). The board stores and
 * indexes text from strangers, so everything that could hide or reorder what a reader sees
 * (control characters, bidirectional overrides) is refused rather than cleaned. SQL or FTS5
 * syntax in text is harmless here: text is bound as a parameter and query words are quoted.
 */
import { errorFor } from '../errors.js';
import { BOARD_LIMITS, type BoardField } from './types.js';

const utf8Encoder = new TextEncoder();

function refuse(code: string, message: string): never {
  throw errorFor(code, message, 'bad-input');
}

function codePointName(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Why `cp` is not allowed in board text, or undefined. `allowLayout` admits tab and newline
 * (post and reply text); field values and queries are single-line.
 */
function forbidden(cp: number, allowLayout: boolean): string | undefined {
  if (cp === 0x09 || cp === 0x0a) return allowLayout ? undefined : 'a tab or newline';
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return 'a control character';
  if (cp === 0xfffe || cp === 0xffff) return 'a noncharacter';
  if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) return 'a bidirectional override';
  if (cp >= 0xd800 && cp <= 0xdfff) return 'a lone surrogate (not UTF-8)';
  return undefined;
}

/** The UTF-8 length of `text`. */
export function utf8Length(text: string): number {
  return utf8Encoder.encode(text).length;
}

export interface TextRuleOptions {
  /** Code when the text is too long (default: `badCode`). */
  tooLargeCode?: string;
  /** Code for a forbidden character (default BOARD_BAD_TEXT). */
  badCode?: string;
  /** What the text is, for messages ("post text", "field x value"). */
  what?: string;
  /** Admit tab and newline (default true). */
  allowLayout?: boolean;
}

/**
 * §7.3 text rules: at most `maxBytes` of UTF-8 (`code`, e.g. BOARD_TOO_LARGE), no C0/C1 control
 * characters but tab and newline, no U+FFFE/U+FFFF, no bidirectional overrides, no lone
 * surrogates (BOARD_BAD_TEXT unless options say otherwise). The message names the rule and the
 * character position.
 */
export function checkText(text: string, maxBytes: number, code: string, options: TextRuleOptions = {}): string {
  const what = options.what ?? 'text';
  const badCode = options.badCode ?? 'BOARD_BAD_TEXT';
  if (typeof text !== 'string') refuse(badCode, `${what} must be a string`);
  // Size first: a huge input is refused before it is scanned character by character.
  if (text.length > maxBytes) refuse(code, `${what} is longer than ${maxBytes} bytes`);
  const bytes = utf8Length(text);
  if (bytes > maxBytes) refuse(code, `${what} is ${bytes} bytes of UTF-8, more than ${maxBytes}`);
  let at = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const why = forbidden(cp, options.allowLayout ?? true);
    if (why !== undefined) refuse(badCode, `${what} holds ${why} (${codePointName(cp)}) at character ${at}`);
    at++;
  }
  return text;
}

/** Strict UTF-8 decoding (BOARD_BAD_TEXT on any invalid sequence); the rules are checked apart. */
export function decodeText(bytes: Uint8Array, what = 'text', code = 'BOARD_BAD_TEXT'): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return refuse(code, `${what} is not valid UTF-8`);
  }
}

const FIELD_KEY = /^[a-z][a-z0-9_.-]{0,31}$/;

/** §7.3 field rules (BOARD_BAD_FIELD): ≤ 16 fields, keys [a-z][a-z0-9_.-]{0,31}, unique, values ≤ 128 bytes, one line. */
export function checkFields(fields: readonly BoardField[]): BoardField[] {
  if (!Array.isArray(fields)) refuse('BOARD_BAD_FIELD', 'fields must be a list');
  if (fields.length > BOARD_LIMITS.maxFields) refuse('BOARD_BAD_FIELD', `${fields.length} fields, at most ${BOARD_LIMITS.maxFields} allowed`);
  const seen = new Set<string>();
  fields.forEach((f, i) => {
    if (typeof f !== 'object' || f === null) refuse('BOARD_BAD_FIELD', `field ${i} is not { key, value }`);
    const { key, value } = f;
    if (typeof key !== 'string' || !FIELD_KEY.test(key)) {
      refuse('BOARD_BAD_FIELD', `field ${i} key ${JSON.stringify(String(key)).slice(0, 40)} is not [a-z][a-z0-9_.-]{0,31}`);
    }
    if (seen.has(key)) refuse('BOARD_BAD_FIELD', `field key "${key}" is repeated`);
    seen.add(key);
    checkText(value, BOARD_LIMITS.maxFieldValueBytes, 'BOARD_BAD_FIELD', { badCode: 'BOARD_BAD_FIELD', what: `field "${key}" value`, allowLayout: false });
  });
  return fields.map((f) => ({ key: f.key, value: f.value }));
}

/*
 * Words as SQLite FTS5's `unicode61 remove_diacritics 2` tokenizer cuts them: a word is a run of
 * letters, digits and private-use characters (L*, N*, Co); a combining diacritic (FTS5's own list,
 * in U+0300–U+0331) continues a word but does not start one; anything else separates words.
 */
const TOKEN_CHAR = /[\p{L}\p{N}\p{Co}]/u;
const DIACRITIC_MASK = [0x08029fdf, 0x000361f8]; // sqlite3Fts5UnicodeIsdiacritic: bits for U+0300–U+0331

function isFtsDiacritic(cp: number): boolean {
  if (cp < 0x300 || cp > 0x331) return false;
  const bit = cp - 0x300;
  return ((DIACRITIC_MASK[bit >> 5]! >>> (bit & 31)) & 1) === 1;
}

/** The words of `text` as they are written: [start, end) code-unit spans. */
function wordSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  let start = -1;
  let at = 0;
  for (const ch of text) {
    if (TOKEN_CHAR.test(ch)) {
      if (start < 0) start = at;
    } else if (!(start >= 0 && isFtsDiacritic(ch.codePointAt(0)!))) {
      if (start >= 0) spans.push([start, at]);
      start = -1;
    }
    at += ch.length;
  }
  if (start >= 0) spans.push([start, at]);
  return spans;
}

/**
 * §7.4 query words: the query obeys the text rules on one line and is at most 256 bytes; its
 * words (as FTS5 cuts them) are at most 16. Any breach is BOARD_BAD_QUERY. The words keep their
 * case and accents: FTS5 folds both sides itself, with its own (older) Unicode tables, and a word
 * folded by JavaScript first could miss (e.g. Cherokee, whose lower case came in Unicode 8).
 * An empty list is allowed here (a query of fields only).
 */
export function queryWords(query: string): string[] {
  checkText(query, BOARD_LIMITS.maxQueryBytes, 'BOARD_BAD_QUERY', { badCode: 'BOARD_BAD_QUERY', what: 'query', allowLayout: false });
  const words = wordSpans(query).map(([a, b]) => query.slice(a, b));
  if (words.length > BOARD_LIMITS.maxQueryWords) refuse('BOARD_BAD_QUERY', `query has ${words.length} words, at most ${BOARD_LIMITS.maxQueryWords} allowed`);
  return words;
}

/** One code point folded as unicode61 does: simple case folding, then Latin diacritics removed. */
function foldCodePoint(ch: string): string {
  const up = ch.toUpperCase();
  const lower = ([...up].length === 1 ? up : ch).toLowerCase(); // ς→σ, ſ→s, µ→μ like FTS5
  const one = [...lower].length === 1 ? lower : [...ch.toLowerCase()][0]!; // İ → i
  const cp = one.codePointAt(0)!;
  if ((cp >= 0xc0 && cp < 0x250) || (cp >= 0x1e00 && cp < 0x1f00)) {
    const base = one.normalize('NFD');
    if (base.length > 1 && base.charCodeAt(0) < 0x80) return base[0]!;
  }
  return one;
}

/**
 * Words folded the way FTS5 `unicode61 remove_diacritics 2` indexes them (case folded, Latin
 * diacritics removed, combining diacritics dropped), so a replica can tell which stored
 * reservations a new post may match without the index. It agrees with SQLite on ~95% of assigned
 * code points (SQLite's tables are from an older Unicode): a replica confirms a candidate with a
 * real MATCH on the stored post, so a reservation fires exactly when a search finds the post.
 */
export function normalizedWords(text: string): string[] {
  return wordSpans(text).map(([a, b]) => {
    let out = '';
    for (const ch of text.slice(a, b)) if (!isFtsDiacritic(ch.codePointAt(0)!)) out += foldCodePoint(ch);
    return out;
  });
}

/** An FTS5 MATCH string: each word a quoted string (inner quotes doubled), joined by spaces (AND). */
export function ftsQuery(words: readonly string[]): string {
  return words.map((w) => `"${w.replaceAll('"', '""')}"`).join(' ');
}

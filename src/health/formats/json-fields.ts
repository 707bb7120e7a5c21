/**
 * Strict checks shared by the health formats of docs/protocol.md §8.4–§8.5 (offers, answers,
 * proposals, letters of intent): bounded UTF-8 JSON in canonical form (exactly what
 * `JSON.stringify` of the documented key order gives), exact key sets, and the board's text rules
 * (§7.3), so that whatever we encode is accepted by a board replica and whatever a stranger sends
 * is refused with one typed error rather than half-understood.
 */
import { utf8 } from '../../crypto/bytes.js';

import { intField, objectField, type Fail } from '../../wire/json-fields.js';


/** Board field keys (§7.3). */
export const NAME_PATTERN = /^[a-z][a-z0-9_.-]{0,31}$/;
/** Attribute names as offers name them: the catalogue's (§8.1, camelCase) and any future ones. */
export const ATTRIBUTE_PATTERN = /^[a-z][A-Za-z0-9_.-]{0,31}$/;

/** Strict UTF-8 decoding of at most `maxBytes`. */
export function decodeUtf8(bytes: Uint8Array, maxBytes: number, fail: Fail): string {
  if (!(bytes instanceof Uint8Array)) fail('must be bytes');
  if (bytes.length > maxBytes) fail(`${bytes.length} bytes, at most ${maxBytes} allowed`);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return fail('not valid UTF-8');
  }
}

/** Parses bounded JSON text into a plain object. */
export function parseObject(text: string, maxBytes: number, fail: Fail): Record<string, unknown> {
  if (typeof text !== 'string') fail('must be JSON text');
  if (text.length > maxBytes || utf8(text).length > maxBytes) fail(`larger than ${maxBytes} bytes`);
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    fail('not JSON');
  }
  return objectField(o, 'document', fail);
}

/**
 * Why `cp` is refused in board text (§7.3), or undefined. `multiline` admits tab and newline.
 */
function forbidden(cp: number, multiline: boolean): string | undefined {
  if (cp === 0x09 || cp === 0x0a) return multiline ? undefined : 'a tab or newline';
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return 'a control character';
  if (cp === 0xfffe || cp === 0xffff) return 'a noncharacter';
  if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) return 'a bidirectional override';
  if (cp >= 0xd800 && cp <= 0xdfff) return 'a lone surrogate';
  return undefined;
}

export interface TextRule {
  /** Least UTF-8 bytes (default 1: text is non-empty). */
  min?: number;
  maxBytes: number;
  /** Admit tab and newline (default false). */
  multiline?: boolean;
}

/** §7.3 text rules with bounds; returns the string. */
export function textField(v: unknown, rule: TextRule, what: string, fail: Fail): string {
  if (typeof v !== 'string') fail(`${what} must be a string`);
  if (v.length > rule.maxBytes) fail(`${what} is longer than ${rule.maxBytes} bytes`);
  const bytes = utf8(v).length;
  if (bytes < (rule.min ?? 1)) fail(`${what} must not be empty`);
  if (bytes > rule.maxBytes) fail(`${what} is ${bytes} bytes of UTF-8, more than ${rule.maxBytes}`);
  for (const ch of v) {
    const why = forbidden(ch.codePointAt(0)!, rule.multiline ?? false);
    if (why !== undefined) fail(`${what} holds ${why}`);
  }
  return v;
}

export function nameField(v: unknown, what: string, fail: Fail): string {
  if (typeof v !== 'string' || !NAME_PATTERN.test(v)) fail(`${what} must match [a-z][a-z0-9_.-]{0,31}`);
  return v;
}

export function attributeField(v: unknown, what: string, fail: Fail): string {
  if (typeof v !== 'string' || !ATTRIBUTE_PATTERN.test(v)) fail(`${what} must match [a-z][A-Za-z0-9_.-]{0,31}`);
  return v;
}


/** Milliseconds since the epoch, 0 .. year 9999. */
export const MAX_TIME_MS = 253_402_300_799_999;

export function timeField(v: unknown, what: string, fail: Fail): number {
  return intField(v, 0, MAX_TIME_MS, what, fail);
}

export function boolField(v: unknown, what: string, fail: Fail): boolean {
  if (typeof v !== 'boolean') fail(`${what} must be true or false`);
  return v;
}

export function arrayField(v: unknown, min: number, max: number, what: string, fail: Fail): unknown[] {
  if (!Array.isArray(v)) fail(`${what} must be a list`);
  if (v.length < min || v.length > max) fail(`${what} must hold ${min}..${max} entries, not ${v.length}`);
  return v;
}

/** A profile attribute value as the health formats carry it. */
export type AttributeValue = string | number | boolean;
export const MAX_VALUE_BYTES = 128;

/** A string (one line, ≤ 128 bytes, may be empty), a finite number, or a boolean. */
export function valueField(v: unknown, what: string, fail: Fail): AttributeValue {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) fail(`${what} must be a finite number`);
    return Object.is(v, -0) ? 0 : v;
  }
  if (typeof v === 'string') return textField(v, { min: 0, maxBytes: MAX_VALUE_BYTES }, what, fail);
  return fail(`${what} must be a string, a number or a boolean`);
}

/** A set of attribute names: unique, sorted, so that two sides compare them byte for byte. */
export function attributeSet(v: unknown, min: number, max: number, what: string, fail: Fail): string[] {
  const names = arrayField(v, min, max, what, fail).map((n, i) => attributeField(n, `${what}[${i}]`, fail));
  for (let i = 1; i < names.length; i++) if (names[i - 1]! >= names[i]!) fail(`${what} must be sorted and without repeats`);
  return names;
}

/** A printable description of a value for messages, cut short. */
export function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * Strict checks shared by the emergency-opening formats (docs/protocol.md §2.7): canonical JSON
 * (what `JSON.stringify` of the documented key order gives, nothing else), exact key sets,
 * lower-case hex of fixed length, and text without control characters.
 */
import { utf8 } from '../crypto/bytes.js';

import type { Fail } from '../wire/json-fields.js';


/** Parses JSON text (bounded) or takes an object as is; either way returns a plain object. */
export function asObject(input: unknown, maxChars: number, fail: Fail): Record<string, unknown> {
  let o: unknown = input;
  if (typeof input === 'string') {
    if (input.length > maxChars) fail('too large');
    try {
      o = JSON.parse(input);
    } catch {
      fail('not JSON');
    }
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) fail('not a JSON object');
  return o as Record<string, unknown>;
}


/** Member serials as escrow records and the passport office write them (§2.1, §2.5). */
export const SERIAL_PATTERN = /^[0-9a-f]{2,40}$/;

// C0 controls, DEL, C1 controls; and UTF-16 halves without their partner (not encodable as UTF-8).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Text rules (§2.7): 1..maxBytes UTF-8 bytes, no control characters, well-formed Unicode. */
export function textField(v: unknown, maxBytes: number, what: string, fail: Fail): string {
  if (typeof v !== 'string' || v.length === 0) fail(`${what} must be a non-empty string`);
  if (CONTROL.test(v)) fail(`${what} must not contain control characters`);
  if (LONE_SURROGATE.test(v)) fail(`${what} is not well-formed Unicode`);
  if (utf8(v).length > maxBytes) fail(`${what} must be at most ${maxBytes} UTF-8 bytes`);
  return v;
}

/** `label` (ending in "\n") followed by the UTF-8 of `JSON.stringify(body)`: what gets signed. */
export function labelledJson(label: string, body: unknown): Uint8Array {
  return utf8(label + JSON.stringify(body));
}

/**
 * JSON request bodies of the control API: read within a bound, parsed, and checked field by field.
 * Binary payloads travel as standard base64 (RFC 4648 §4), decoded strictly: padding required,
 * no whitespace, canonical trailing bits — so one payload has one spelling.
 */
import type { IncomingMessage } from 'node:http';
import { ControlHttpError } from './http-error.js';
import { readBody } from './read-body.js';

export type JsonObject = Record<string, unknown>;

/** Reads a body of at most `limitBytes` that must be a JSON object with exactly `fields` (or fewer). */
export async function readJsonObject(req: IncomingMessage, limitBytes: number, fields: readonly string[]): Promise<JsonObject> {
  const body = await readBody(req, limitBytes);
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ControlHttpError(400, 'CONTROL_JSON_INVALID', 'body must be a JSON object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ControlHttpError(400, 'CONTROL_JSON_INVALID', 'body must be a JSON object');
  }
  const unknown = Object.keys(value).find((k) => !fields.includes(k));
  if (unknown !== undefined) throw new ControlHttpError(400, 'CONTROL_FIELD_INVALID', `unexpected field ${JSON.stringify(unknown.slice(0, 40))}`);
  return value as JsonObject;
}

/** A string field of at most `maxLength` characters. */
export function stringField(o: JsonObject, name: string, maxLength: number): string {
  const v = o[name];
  if (typeof v !== 'string') throw new ControlHttpError(400, 'CONTROL_FIELD_INVALID', `field "${name}" must be a string`);
  if (v.length > maxLength) throw new ControlHttpError(400, 'CONTROL_FIELD_INVALID', `field "${name}" is longer than ${maxLength} characters`);
  return v;
}

/** Characters of the base64 form of `bytes` bytes. */
export function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

/** A base64 field decoding to at most `maxBytes` (413 beyond: the payload, not the JSON, is too big). */
export function base64Field(o: JsonObject, name: string, maxBytes: number): Uint8Array {
  const v = o[name];
  if (typeof v !== 'string') throw new ControlHttpError(400, 'CONTROL_FIELD_INVALID', `field "${name}" must be a base64 string`);
  if (v.length > base64Length(maxBytes)) throw new ControlHttpError(413, 'MESSAGE_TOO_LARGE', `field "${name}" decodes to more than ${maxBytes} bytes`);
  // Node's decoder skips what it does not know; only a canonical string survives the round trip
  // (no whitespace, no base64url letters, padding where it belongs, zero trailing bits).
  const bytes = Buffer.from(v, 'base64');
  if (bytes.toString('base64') !== v) throw new ControlHttpError(400, 'CONTROL_BASE64_INVALID', `field "${name}" is not canonical padded base64`);
  if (bytes.length > maxBytes) throw new ControlHttpError(413, 'MESSAGE_TOO_LARGE', `field "${name}" decodes to more than ${maxBytes} bytes`);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

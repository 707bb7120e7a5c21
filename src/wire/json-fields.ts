/**
 * Field checks for the strict JSON formats (emergency openings §2.7, health §8): each takes a
 * `Fail` that throws the caller's typed error, so one format's refusals keep one code.
 */
import { TokumeiError, type ErrorKind } from '../errors.js';

export type Fail = (message: string) => never;

/** A failure function: `TokumeiError(kind, code, "<what>: <message>")`. */
export function failWith(kind: ErrorKind, code: string, what: string): Fail {
  return (message: string): never => {
    throw new TokumeiError(kind, code, `${what}: ${message}`);
  };
}

export function objectField(v: unknown, what: string, fail: Fail): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${what} must be a JSON object`);
  return v as Record<string, unknown>;
}

/** The object has exactly these keys (no extra, none missing). */
export function exactKeys(o: Record<string, unknown>, keys: readonly string[], what: string, fail: Fail): void {
  const have = Object.keys(o);
  if (have.length !== keys.length || !keys.every((k) => Object.hasOwn(o, k))) fail(`${what} must have exactly the fields ${keys.join(', ')}`);
}

/**
 * When the input was text, it must be the canonical encoding of what was decoded: no duplicate
 * keys (JSON.parse keeps the last), no whitespace or escapes that two readers could take
 * differently. An object given as it is has no text to check.
 */
export function checkCanonical(input: unknown, canonical: string, fail: Fail): void {
  if (typeof input === 'string' && input !== canonical) fail('not in canonical form');
}

export function hexField(v: unknown, bytes: number, what: string, fail: Fail): string {
  if (typeof v !== 'string' || v.length !== bytes * 2 || !/^[0-9a-f]*$/.test(v)) fail(`${what} must be ${bytes} bytes of lower-case hex`);
  return v;
}

export function intField(v: unknown, min: number, max: number, what: string, fail: Fail): number {
  if (!Number.isSafeInteger(v) || (v as number) < min || (v as number) > max) fail(`${what} must be an integer in ${min}..${max}`);
  return v as number;
}

/**
 * node:util parseArgs with tokumei's conventions: strict, unknown options and stray positionals
 * are usage errors, and typed getters that turn bad values into one clear line.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from './usage-error.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | undefined>;

export interface Parsed {
  values: Values;
  positionals: string[];
}

/** `command` names the command for help hints, e.g. `ca issue`. */
export function parseCommandArgs(command: string, argv: string[], options: OptionSpec, maxPositionals = 0): Parsed {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' }, ...options }, strict: true, allowPositionals: true });
  } catch (e) {
    // parseArgs messages are clear but sometimes multi-line; keep the first line.
    const msg = (e as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '');
    throw usageError(msg, command);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw usageError(`unexpected argument ${JSON.stringify(parsed.positionals[maxPositionals])}`, command);
  }
  return { values: parsed.values as Values, positionals: parsed.positionals };
}

export function requireString(values: Values, name: string, command: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw usageError(`missing --${name}`, command);
  return v;
}

export function optionalString(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function optionalInt(values: Values, name: string, command: string, min: number, max: number): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d+$/.test(v)) throw usageError(`--${name} must be a whole number`, command);
  const n = Number(v);
  if (n < min || n > max) throw usageError(`--${name} must be between ${min} and ${max}`, command);
  return n;
}

/** An ISO 8601 date or date-time (`2026-01-01` or `2026-01-01T12:00:00Z`). */
export function optionalDate(values: Values, name: string, command: string): Date | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const ok = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v);
  const d = ok ? new Date(v as string) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw usageError(`--${name} must be an ISO date such as 2026-01-31 or 2026-01-31T12:00:00Z`, command);
  return d;
}

export function oneOf<T extends string>(values: Values, name: string, command: string, allowed: readonly T[], fallback: T): T {
  const v = values[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw usageError(`--${name} must be one of ${allowed.join(', ')}`, command);
  }
  return v as T;
}

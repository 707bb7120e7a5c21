/**
 * A mistake on the command line (missing option, bad value): printed as one line, exit status 2.
 * The code is CLI_USAGE unless a more precise one exists (e.g. CONTROL_NOT_LOOPBACK).
 */
import { TokumeiError } from '../errors.js';

export const USAGE_CODE = 'CLI_USAGE';

export class UsageError extends TokumeiError {
  constructor(message: string, code = USAGE_CODE) {
    super('bad-input', code, message);
    this.name = 'UsageError';
  }
}

/** `helpFor` names the command whose `--help` to suggest ('' for the main help). */
export function usageError(message: string, helpFor?: string, code?: string): UsageError {
  const hint = helpFor === undefined ? '' : ` (see \`tokumei ${helpFor ? helpFor + ' ' : ''}--help\`)`;
  return new UsageError(message + hint, code);
}

export function isUsageError(e: unknown): boolean {
  return e instanceof UsageError;
}

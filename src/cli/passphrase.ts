/**
 * The one passphrase (DESIGN §2.5): from TOKUMEI_PASSPHRASE, else asked on the terminal without
 * echo. With no terminal and no variable we stop with a clear error rather than hang.
 */

import type { CliIo } from './cli-io.js';
import { promptHidden } from './tty-prompt.js';
import { CliErrors } from './cli-errors.js';
import { IdentityErrors } from '../identity/identity-errors.js';

export const PASSPHRASE_ENV = 'TOKUMEI_PASSPHRASE';

export interface PassphraseRequest {
  /** What it unlocks, for the prompt: "CA", "keystore in nodes/alice"… */
  what: string;
  /** Ask twice and compare (only when creating something on a terminal). */
  confirm?: boolean;
}

export async function getPassphrase(io: CliIo, request: PassphraseRequest): Promise<string> {
  const fromEnv = io.env[PASSPHRASE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!io.stdin.isTTY) {
    throw CliErrors.PASSPHRASE_REQUIRED(`passphrase needed for the ${request.what}: set ${PASSPHRASE_ENV} or run in a terminal to be asked`);
  }
  const first = await promptHidden(io.stdin, io.err, `Passphrase for the ${request.what}: `);
  if (first === '') throw IdentityErrors.PASSPHRASE_EMPTY('the passphrase must not be empty');
  if (request.confirm) {
    const second = await promptHidden(io.stdin, io.err, 'Repeat the passphrase: ');
    if (second !== first) throw CliErrors.PASSPHRASE_MISMATCH('the two passphrases differ; nothing was created');
  }
  return first;
}

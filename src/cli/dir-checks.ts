/**
 * Early, friendly checks that a directory is what the command expects, before asking for a
 * passphrase (the identity layer would fail later with a less helpful "file missing").
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { CliErrors } from './cli-errors.js';

export function requireNodeDir(dir: string): void {
  if (!existsSync(join(dir, 'passport.pem')) || !existsSync(join(dir, 'keystore.json'))) {
    throw CliErrors.NODE_DIR_INVALID(`${dir} is not a node directory (no passport.pem / keystore.json); create one with \`tokumei ca issue --out ${dir}\``);
  }
}

export function requireCaDir(dir: string): void {
  if (!existsSync(join(dir, 'ca.pem')) || !existsSync(join(dir, 'ca-key.json'))) {
    throw CliErrors.CA_DIR_INVALID(`${dir} is not a CA directory (no ca.pem / ca-key.json); create one with \`tokumei ca init --dir ${dir}\``);
  }
}

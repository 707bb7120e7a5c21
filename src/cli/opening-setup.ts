/**
 * What `tokumei node --trustee CADIR:INDEX` and `--authority AUTHDIR [--community CADIR]` need
 * (docs/protocol.md §2.8): the trustee's keys (its keystore in the demo CA directory), the
 * authority's keys (`tokumei authority init`), and the community's public material (ca.pem,
 * community.json, escrow/) from CADIR. Passphrases: TOKUMEI_TRUSTEE_PASSPHRASE or
 * TOKUMEI_AUTHORITY_PASSPHRASE when set, else the usual one (TOKUMEI_PASSPHRASE, else the
 * terminal, asked separately from the node's own keystore).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { unlockTrustee } from '../identity/ca-store.js';
import { CA_FILES } from '../identity/ca-files.js';
import type { AuthoritySetup, TrusteeSetup } from '../trustees/service/opening-roles.js';
import { loadAuthorityDir, readAuthorityList, readAuthorityPublic } from '../trustees/authority-keys.js';
import { loadCommunityMaterial, trusteeAuthoritiesPath } from '../trustees/community-material.js';
import type { CliIo } from './cli-io.js';
import { getPassphrase } from './passphrase.js';
import { usageError } from './usage-error.js';

export const TRUSTEE_PASSPHRASE_ENV = 'TOKUMEI_TRUSTEE_PASSPHRASE';
export const AUTHORITY_PASSPHRASE_ENV = 'TOKUMEI_AUTHORITY_PASSPHRASE';

/** `CADIR:INDEX` (the last colon splits, so CADIR may hold one). */
export function parseTrusteeOption(text: string, command: string): { caDir: string; index: number } {
  const at = text.lastIndexOf(':');
  const caDir = text.slice(0, at);
  const indexText = text.slice(at + 1);
  if (at <= 0 || !/^[1-9][0-9]{0,2}$/.test(indexText) || Number(indexText) > 255) throw usageError('--trustee must be CADIR:INDEX, e.g. ca:1', command);
  if (!existsSync(join(caDir, CA_FILES.community)) || !existsSync(join(caDir, CA_FILES.trusteesDir, `trustee-${indexText}`, 'keystore.json'))) {
    throw usageError(`--trustee: ${caDir} holds no community.json or no keystore of trustee ${indexText}`, command, 'TRUSTEE_DIR_INVALID');
  }
  return { caDir, index: Number(indexText) };
}

/** Checks an AUTHDIR's public file before any passphrase is asked. */
export async function checkAuthorityDir(dir: string): Promise<void> {
  await readAuthorityPublic(dir);
}

async function passphraseFor(io: CliIo, env: string, what: string): Promise<string> {
  const fromEnv = io.env[env];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return getPassphrase(io, { what });
}

/**
 * The trustee's setup: its keys, the community's material (CADIR must be the CA of the node's
 * passport) and its authorities.json (CADIR/trustees/trustee-INDEX/authorities.json, read at
 * each use so it can be edited while the node runs).
 */
export async function unlockTrusteeSetup(io: CliIo, option: { caDir: string; index: number }, nodeCaPem: string, boards: string[]): Promise<TrusteeSetup> {
  const community = await loadCommunityMaterial(option.caDir, nodeCaPem);
  const keys = await unlockTrustee(option.caDir, option.index, await passphraseFor(io, TRUSTEE_PASSPHRASE_ENV, `keystore of trustee ${option.index} in ${option.caDir}`));
  const path = trusteeAuthoritiesPath(option.caDir, option.index);
  return { keys, community, authorities: () => readAuthorityList(path), boards };
}

export async function unlockAuthoritySetup(io: CliIo, authorityDir: string, communityDir: string, nodeCaPem: string): Promise<AuthoritySetup> {
  const community = await loadCommunityMaterial(communityDir, nodeCaPem);
  const keys = await loadAuthorityDir(authorityDir, await passphraseFor(io, AUTHORITY_PASSPHRASE_ENV, `authority keystore in ${authorityDir}`));
  return { keys, community };
}

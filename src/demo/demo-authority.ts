/**
 * The demo's opening authority (docs/protocol.md §2.7–§2.8): the one party the trustees accept
 * opening requests from. Its Ed25519 key is made here, and every trustee lists it in its
 * authorities.json, as `tokumei authority init` and `tokumei trustee allow` would.
 */
import { join } from 'node:path';
import { allowAuthority, authorityPublic, generateAuthority, writeAuthorityDir } from '../trustees/authority-keys.js';
import { trusteeAuthoritiesPath } from '../trustees/community-material.js';
import type { DemoNodeSpec } from './demo-layout.js';
import { DEMO_KDF, DEMO_PASSPHRASE } from './demo-layout.js';

export interface DemoAuthority {
  dir: string;
  caDir: string;
  boardAddress: string;
}

export async function prepareAuthority(dir: string, caDir: string, specs: DemoNodeSpec[], boardAddress: string): Promise<DemoAuthority> {
  const authorityDir = join(dir, 'authority');
  const keys = generateAuthority('Saltmere emergency desk');
  await writeAuthorityDir(authorityDir, keys, DEMO_PASSPHRASE, { kdf: DEMO_KDF });
  for (const s of specs) if (s.role === 'trustee') await allowAuthority(trusteeAuthoritiesPath(caDir, s.trustee!), authorityPublic(keys));
  return { dir: authorityDir, caDir, boardAddress };
}

/** Flags of a trustee node: its keys in the CA dir, and the board where requests appear. */
export function trusteeArgs(a: DemoAuthority, index: number): string[] {
  return ['--trustee', `${a.caDir}:${index}`, '--trustee-board', a.boardAddress];
}

export function authorityArgs(a: DemoAuthority): string[] {
  return ['--authority', a.dir, '--community', a.caDir];
}

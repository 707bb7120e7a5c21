/**
 * An opening authority's key (docs/protocol.md §2.7, §2.8): an authority *is* its Ed25519 key, and
 * its name is the label trustees list it under. `tokumei authority init --out AUTHDIR --name NAME`
 * makes
 *
 *   AUTHDIR/authority.json  { "format": "tokumei-authority/1", "name": …, "signingPublicKey": <hex> }  (0644)
 *   AUTHDIR/keystore.json   keystore kind "authority" (§2.4): { name, signingSeed (hex) }
 *
 * authority.json is what each trustee copies into its own authorities.json (`tokumei trustee
 * allow`). A trustee's list is its own policy: no one else can add an authority to it.
 */
import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { TokumeiError } from '../errors.js';
import { fromHex, toHex } from '../crypto/bytes.js';
import type { RandomSource } from '../crypto/random.js';
import { ed25519PrivateKeyFromSeed, ed25519RawPublicKey, generateSigningKeyPair } from '../crypto/signing.js';
import { createDirAtomic, writeFileAtomic } from '../files/atomic-write.js';
import { readJsonFile, readTextFile } from '../files/bounded-read.js';
import { openKeystore, sealKeystore, type KeystoreOptions } from '../identity/keystore.js';
import { AUTHORITIES_FORMAT, AUTHORITY_MAX_BYTES, parseAuthorityList, type OpeningAuthority } from './opening-request.js';
import { textField } from './fields.js';
import { failWith } from '../wire/json-fields.js';
import { IdentityErrors } from '../identity/identity-errors.js';
import { TrusteeErrors } from './trustees-errors.js';

export const AUTHORITY_FORMAT = 'tokumei-authority/1';
export const AUTHORITY_FILES = { authority: 'authority.json', keystore: 'keystore.json' } as const;
const MAX_FILE = 64 * 1024;
/** BOUNDED(64) authorities per trustee (opening-request.ts). */
const MAX_AUTHORITIES = 64;

/** What the authority's node holds to sign requests and notices. */
export interface AuthorityKeys {
  readonly name: string;
  readonly signingKey: KeyObject;
  /** Ed25519 public key, hex. */
  readonly signingPublicKey: string;
}

export function authorityFromKey(name: string, signingKey: KeyObject): AuthorityKeys {
  textField(name, AUTHORITY_MAX_BYTES, 'authority name', failWith('bad-input', 'AUTHORITY_BAD_NAME', 'authority'));
  return { name, signingKey, signingPublicKey: toHex(ed25519RawPublicKey(signingKey)) };
}

export function generateAuthority(name: string, random?: RandomSource): AuthorityKeys {
  return authorityFromKey(name, generateSigningKeyPair('ed25519', random).privateKey);
}

export function authorityPublic(a: AuthorityKeys): OpeningAuthority {
  return { name: a.name, signingPublicKey: a.signingPublicKey };
}

/** Creates AUTHDIR atomically; AUTHORITY_DIR_EXISTS when it exists with content. */
export async function writeAuthorityDir(dir: string, a: AuthorityKeys, passphrase: string, options: KeystoreOptions = {}): Promise<void> {
  const seed = Buffer.from(a.signingKey.export({ format: 'jwk' }).d ?? '', 'base64url').toString('hex');
  const keystore = await sealKeystore('authority', { name: a.name, signingSeed: seed }, passphrase, options);
  const pub = JSON.stringify({ format: AUTHORITY_FORMAT, ...authorityPublic(a) }, null, 2) + '\n';
  await createDirAtomic(dir, { [AUTHORITY_FILES.authority]: { data: pub, mode: 0o644 }, [AUTHORITY_FILES.keystore]: { data: keystore } }, 'AUTHORITY_DIR_EXISTS');
}

/** AUTHDIR/authority.json, no passphrase needed (AUTHORITY_DIR_MALFORMED when unreadable). */
export async function readAuthorityPublic(dir: string): Promise<OpeningAuthority> {
  const path = join(dir, AUTHORITY_FILES.authority);
  const j = (await readJsonFile(path, MAX_FILE, 'AUTHORITY_DIR_MALFORMED')) as Record<string, unknown> | null;
  if (typeof j !== 'object' || j === null || j.format !== AUTHORITY_FORMAT) throw TrusteeErrors.AUTHORITY_DIR_MALFORMED(`${path} is not a ${AUTHORITY_FORMAT} file`);
  try {
    const [entry] = parseAuthorityList({ format: AUTHORITIES_FORMAT, authorities: [{ name: j.name, signingPublicKey: j.signingPublicKey }] });
    return entry!;
  } catch (e) {
    throw TrusteeErrors.AUTHORITY_DIR_MALFORMED(`${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** Unlocks AUTHDIR (KEYSTORE_BAD_PASSPHRASE) and checks the keystore matches authority.json. */
export async function loadAuthorityDir(dir: string, passphrase: string): Promise<AuthorityKeys> {
  const pub = await readAuthorityPublic(dir);
  const secrets = await openKeystore(await readTextFile(join(dir, AUTHORITY_FILES.keystore), MAX_FILE), passphrase, 'authority');
  let keys: AuthorityKeys;
  try {
    keys = authorityFromKey(secrets.name ?? '', ed25519PrivateKeyFromSeed(fromHex(secrets.signingSeed ?? '', 32)));
  } catch (e) {
    throw IdentityErrors.KEYSTORE_MALFORMED(`authority keystore holds malformed keys: ${(e as Error).message}`, { cause: e });
  }
  if (keys.name !== pub.name || keys.signingPublicKey !== pub.signingPublicKey) {
    throw TrusteeErrors.AUTHORITY_KEYS_MISMATCH(`${join(dir, AUTHORITY_FILES.authority)} names another authority than its keystore`);
  }
  return keys;
}

/** A trustee's authorities.json; a missing file is an empty list (the trustee accepts no one). */
export async function readAuthorityList(path: string): Promise<OpeningAuthority[]> {
  let text: string;
  try {
    text = await readTextFile(path, MAX_FILE);
  } catch (e) {
    if (e instanceof TokumeiError && e.code === 'FILE_MISSING') return [];
    throw e;
  }
  return parseAuthorityList(text);
}

/**
 * Adds (or renames) an authority in a trustee's authorities.json. Returns false when it was
 * already listed under that name. AUTHORITY_LIST_FULL past 64.
 */
export async function allowAuthority(path: string, entry: OpeningAuthority): Promise<boolean> {
  const list = await readAuthorityList(path);
  if (list.some((a) => a.name === entry.name && a.signingPublicKey === entry.signingPublicKey)) return false;
  const next = [...list.filter((a) => a.signingPublicKey !== entry.signingPublicKey), entry];
  if (next.length > MAX_AUTHORITIES) throw TrusteeErrors.AUTHORITY_LIST_FULL(`${path} already lists ${MAX_AUTHORITIES} authorities`);
  parseAuthorityList({ format: AUTHORITIES_FORMAT, authorities: next }); // the same checks a reader runs
  await writeFileAtomic(path, JSON.stringify({ format: AUTHORITIES_FORMAT, authorities: next }, null, 2) + '\n', { mode: 0o644 });
  return true;
}

/**
 * The profile file, encrypted at rest (docs/protocol.md §8.1):
 *
 *   { "format": "tokumei-health-profile-file/1", "aead": "chacha20-poly1305",
 *     "salt": "<32 bytes hex>", "nonce": "<12 bytes hex>",
 *     "ciphertext": "<base64 of ChaCha20-Poly1305(profile JSON) ‖ tag>" }
 *
 * file key = HKDF-SHA-256(ikm = the caller's 32-byte profile key, salt, info = "tokumei-health/1
 * profile file", 32), with a fresh salt per save, so a nonce never repeats under one file key
 * however often the profile is saved. The AAD is the header (format, aead, salt, nonce in that
 * order, as JSON), so no parameter can be changed unnoticed. The caller derives the profile key
 * from the member's keys; this module never sees a passphrase.
 *
 * Saving writes a temporary file, fsyncs it and renames it over the old one (identity/fs-atomic),
 * so a failed or interrupted save leaves the previous profile intact.
 */
import { isTokumeiError } from '../../errors.js';
import { aeadOpen, aeadSeal, AEAD_KEY_LENGTH, AEAD_NONCE_LENGTH } from '../../crypto/aead.js';
import { checkBytes, fromBase64, fromHex, toBase64, toHex, utf8, wipe } from '../../crypto/bytes.js';
import { hkdfSha256 } from '../../crypto/hkdf.js';
import { randomBytesFrom, type RandomSource } from '../../crypto/random.js';
import { readTextFile } from '../../files/bounded-read.js';
import { writeFileAtomic } from '../../files/atomic-write.js';
import { decodeProfile, encodeProfile } from './profile-codec.js';
import type { Profile } from './profile.js';
import { HealthErrors } from '../health-errors.js';

export const PROFILE_FILE_FORMAT = 'tokumei-health-profile-file/1';
export const PROFILE_KEY_LENGTH = AEAD_KEY_LENGTH;
const AEAD_NAME = 'chacha20-poly1305';
const SALT_LENGTH = 32;
const FILE_INFO = utf8('tokumei-health/1 profile file');
/** 7 kinds × 1000 measurements × ~40 bytes, base64, with room to spare. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

export interface SaveProfileOptions {
  random?: RandomSource;
  /** Replaces the atomic writer (tests inject failures); default identity/fs-atomic writeFileAtomic. */
  writeFile?: (path: string, data: string) => Promise<void>;
}

function corrupt(message: string, cause?: unknown): never {
  throw HealthErrors.HEALTH_PROFILE_CORRUPT(`health profile file is corrupt: ${message}`, cause === undefined ? undefined : { cause });
}

function header(salt: string, nonce: string): string {
  return JSON.stringify({ format: PROFILE_FILE_FORMAT, aead: AEAD_NAME, salt, nonce });
}

function fileKey(key: Uint8Array, salt: Uint8Array): Uint8Array {
  return hkdfSha256(key, salt, FILE_INFO, AEAD_KEY_LENGTH);
}

/** Encrypts a profile into the file's text. The profile is checked first (HEALTH_BAD_PROFILE). */
export function sealProfile(profile: Profile, key: Uint8Array, random?: RandomSource): string {
  checkBytes('profile key', key, PROFILE_KEY_LENGTH);
  const json = encodeProfile(profile);
  try {
    decodeProfile(json); // never write what we could not read back
  } catch (e) {
    throw HealthErrors.HEALTH_BAD_PROFILE(`refusing to save an invalid profile: ${(e as Error).message}`, { cause: e });
  }
  const salt = randomBytesFrom(random, SALT_LENGTH);
  const nonce = randomBytesFrom(random, AEAD_NONCE_LENGTH);
  const saltHex = toHex(salt);
  const nonceHex = toHex(nonce);
  const k = fileKey(key, salt);
  const plaintext = utf8(json);
  try {
    const ct = aeadSeal(k, nonce, plaintext, utf8(header(saltHex, nonceHex)));
    return JSON.stringify({ format: PROFILE_FILE_FORMAT, aead: AEAD_NAME, salt: saltHex, nonce: nonceHex, ciphertext: toBase64(ct) }) + '\n';
  } finally {
    wipe(k, plaintext);
  }
}

/** Decrypts the file's text: HEALTH_PROFILE_CORRUPT (malformed), HEALTH_PROFILE_KEY (wrong key or altered). */
export function openProfile(text: string, key: Uint8Array): Profile {
  checkBytes('profile key', key, PROFILE_KEY_LENGTH);
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    corrupt('not JSON', e);
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) corrupt('not an object');
  if (Object.keys(j).join(',') !== 'format,aead,salt,nonce,ciphertext') corrupt('unexpected fields');
  if (j.format !== PROFILE_FILE_FORMAT) corrupt(`unknown format ${JSON.stringify(j.format)}`);
  if (j.aead !== AEAD_NAME) corrupt(`unknown cipher ${JSON.stringify(j.aead)}`);
  let salt: Uint8Array, nonce: Uint8Array, ct: Uint8Array;
  try {
    salt = fromHex(j.salt as string, SALT_LENGTH);
    nonce = fromHex(j.nonce as string, AEAD_NONCE_LENGTH);
    ct = fromBase64(j.ciphertext as string);
  } catch (e) {
    corrupt('bad salt, nonce or ciphertext encoding', e);
  }
  const k = fileKey(key, salt);
  let plaintext: Uint8Array;
  try {
    plaintext = aeadOpen(k, nonce, ct, utf8(header(j.salt as string, j.nonce as string)));
  } catch (e) {
    if (isTokumeiError(e, 'AEAD_FAILED')) {
      throw HealthErrors.HEALTH_PROFILE_KEY('the health profile does not open with this key (wrong key, or the file was altered)', { cause: e });
    }
    corrupt('ciphertext too short', e);
  } finally {
    wipe(k);
  }
  try {
    return decodeProfile(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch (e) {
    if (isTokumeiError(e)) throw e;
    corrupt('plaintext is not UTF-8', e);
  } finally {
    wipe(plaintext);
  }
}

/** Saves atomically: the old file stays whole if anything fails (FILE_WRITE_FAILED, HEALTH_BAD_PROFILE). */
export async function saveProfile(path: string, profile: Profile, key: Uint8Array, options: SaveProfileOptions = {}): Promise<void> {
  const text = sealProfile(profile, key, options.random);
  await (options.writeFile ?? ((p: string, d: string) => writeFileAtomic(p, d, { mode: 0o600 })))(path, text);
}

/** Loads and decrypts: HEALTH_PROFILE_MISSING (io), HEALTH_PROFILE_CORRUPT, HEALTH_PROFILE_KEY, FILE_READ_FAILED. */
export async function loadProfile(path: string, key: Uint8Array): Promise<Profile> {
  let text: string;
  try {
    text = await readTextFile(path, MAX_FILE_BYTES);
  } catch (e) {
    if (isTokumeiError(e, 'FILE_MISSING')) throw HealthErrors.HEALTH_PROFILE_MISSING(`no health profile at ${path}`, { cause: e });
    if (isTokumeiError(e, 'FILE_TOO_LARGE')) corrupt(`${path} is larger than ${MAX_FILE_BYTES} bytes`, e);
    throw e;
  }
  return openProfile(text, key);
}

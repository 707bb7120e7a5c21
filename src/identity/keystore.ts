/**
 * Keystores (DESIGN §4): private keys encrypted at rest under one passphrase.
 *
 *   { "format": "tokumei-keystore/1",
 *     "kdf": { "name": "scrypt", "logN": 17, "r": 8, "p": 1, "salt": "<32 bytes hex>" },
 *     "aead": "chacha20-poly1305",
 *     "nonce": "<12 bytes hex>",
 *     "ciphertext": "<base64 of ChaCha20-Poly1305(plaintext) ‖ tag>" }
 *
 * key = scrypt(passphrase as NFC UTF-8, salt, N = 2^logN, r, p, 32) (RFC 7914); the AAD is the
 * canonical header — the JSON of format, kdf, aead and nonce in that order, as written above —
 * so that changing any parameter makes authentication fail. Parameters are bounded
 * (crypto/kdf.ts) before scrypt runs, so a hostile file cannot make us allocate gigabytes.
 *
 * The plaintext is UTF-8 JSON `{ "kind": "member" | "ca" | "trustee" | "board", …secrets as strings }`.
 * Its buffer is wiped after parsing; the strings cannot be (JS strings are immutable).
 *
 * Cost: default logN 17, r 8, p 1 (128 MiB, ~0.5 s). TOKUMEI_KDF_LOG_N (14..17) lowers the cost
 * of *new* keystores only — for demos and CI; opening always uses the file's own parameters.
 */
import { TokumeiError } from '../errors.js';
import { aeadOpen, aeadSeal, AEAD_NONCE_LENGTH } from '../crypto/aead.js';
import { fromBase64, fromHex, toBase64, toHex, utf8, wipe } from '../crypto/bytes.js';
import { checkScryptParams, scryptDerive, type ScryptParams } from '../crypto/kdf.js';
import { randomBytesFrom, type RandomSource } from '../crypto/random.js';
import { IdentityErrors } from './identity-errors.js';

export const KEYSTORE_FORMAT = 'tokumei-keystore/1';
export const KEYSTORE_DEFAULT_KDF: ScryptParams = { logN: 17, r: 8, p: 1 };
/** The lowest cost TOKUMEI_KDF_LOG_N may ask for. */
export const KEYSTORE_ENV_MIN_LOG_N = 14;
const SALT_LENGTH = 32;
/** A keystore holds a few keys; a large file is not ours. */
const MAX_FILE_CHARS = 64 * 1024;

export type KeystoreKind = 'member' | 'ca' | 'trustee' | 'board' | 'authority';
export type KeystoreSecrets = Record<string, string>;

export interface KeystoreOptions {
  /** Explicit scrypt parameters (tests use low cost); default: KEYSTORE_DEFAULT_KDF or the env. */
  kdf?: Partial<ScryptParams>;
  random?: RandomSource;
  /** Environment to read TOKUMEI_KDF_LOG_N from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

function malformed(message: string, cause?: unknown): never {
  throw IdentityErrors.KEYSTORE_MALFORMED(`keystore: ${message}`, { cause });
}

/** The scrypt parameters a new keystore gets: options, else TOKUMEI_KDF_LOG_N (lower only), else default. */
export function keystoreCreationParams(options: KeystoreOptions = {}): ScryptParams {
  const envText = (options.env ?? process.env).TOKUMEI_KDF_LOG_N;
  let logN = KEYSTORE_DEFAULT_KDF.logN;
  if (envText !== undefined && envText !== '') {
    const v = Number(envText);
    if (!Number.isInteger(v) || v < KEYSTORE_ENV_MIN_LOG_N || v > KEYSTORE_DEFAULT_KDF.logN) {
      throw IdentityErrors.KDF_ENV_INVALID(`TOKUMEI_KDF_LOG_N must be an integer ${KEYSTORE_ENV_MIN_LOG_N}..${KEYSTORE_DEFAULT_KDF.logN}, got ${JSON.stringify(envText)}`);
    }
    logN = v;
  }
  const k = options.kdf ?? {};
  const params = { logN: k.logN ?? logN, r: k.r ?? KEYSTORE_DEFAULT_KDF.r, p: k.p ?? KEYSTORE_DEFAULT_KDF.p };
  checkScryptParams(params);
  return params;
}

function passphraseBytes(passphrase: string | Uint8Array): Uint8Array {
  if (typeof passphrase === 'string') return utf8(passphrase.normalize('NFC'));
  if (passphrase instanceof Uint8Array) return passphrase;
  throw IdentityErrors.PASSPHRASE_INVALID('passphrase must be a string');
}

interface Header {
  format: string;
  kdf: { name: 'scrypt'; logN: number; r: number; p: number; salt: string };
  aead: 'chacha20-poly1305';
  nonce: string;
}

/** The AAD: the header's JSON with a fixed key order, rebuilt from parsed values. */
function canonicalHeader(h: Header): Uint8Array {
  const { logN, r, p, salt } = h.kdf;
  return utf8(JSON.stringify({ format: h.format, kdf: { name: 'scrypt', logN, r, p, salt }, aead: h.aead, nonce: h.nonce }));
}

/** Encrypts `secrets` of `kind` under `passphrase`; returns the file's JSON text. */
export async function sealKeystore(kind: KeystoreKind, secrets: KeystoreSecrets, passphrase: string | Uint8Array, options: KeystoreOptions = {}): Promise<string> {
  const pass = passphraseBytes(passphrase);
  if (pass.length === 0) throw IdentityErrors.PASSPHRASE_EMPTY('the passphrase must not be empty');
  const params = keystoreCreationParams(options);
  const header: Header = {
    format: KEYSTORE_FORMAT,
    kdf: { name: 'scrypt', ...params, salt: toHex(randomBytesFrom(options.random, SALT_LENGTH)) },
    aead: 'chacha20-poly1305',
    nonce: toHex(randomBytesFrom(options.random, AEAD_NONCE_LENGTH)),
  };
  const key = await scryptDerive(pass, fromHex(header.kdf.salt), params, 32);
  const plaintext = utf8(JSON.stringify({ ...secrets, kind }));
  const sealed = aeadSeal(key, fromHex(header.nonce), plaintext, canonicalHeader(header));
  wipe(key, plaintext);
  return JSON.stringify({ ...header, ciphertext: toBase64(sealed) }, null, 2) + '\n';
}

function parseHeader(text: string): { header: Header; ciphertext: Uint8Array } {
  if (typeof text !== 'string' || text.length > MAX_FILE_CHARS) malformed('not a keystore file of sane size');
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    return malformed('not JSON', e);
  }
  const o = j as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || o.format !== KEYSTORE_FORMAT) malformed(`format is not ${KEYSTORE_FORMAT}`);
  const kdf = o.kdf as Record<string, unknown>;
  if (typeof kdf !== 'object' || kdf === null || kdf.name !== 'scrypt') malformed('kdf must be scrypt');
  if (o.aead !== 'chacha20-poly1305') malformed('aead must be chacha20-poly1305');
  const { logN, r, p, salt } = kdf as { logN: number; r: number; p: number; salt: string };
  try {
    checkScryptParams({ logN, r, p });
    if (typeof salt !== 'string' || fromHex(salt).length < 16 || salt.length > 128) malformed('bad salt');
    if (typeof o.nonce !== 'string') malformed('bad nonce');
    fromHex(o.nonce, AEAD_NONCE_LENGTH);
    if (typeof o.ciphertext !== 'string') malformed('bad ciphertext');
    const ciphertext = fromBase64(o.ciphertext);
    const header: Header = { format: KEYSTORE_FORMAT, kdf: { name: 'scrypt', logN, r, p, salt }, aead: 'chacha20-poly1305', nonce: o.nonce };
    return { header, ciphertext };
  } catch (e) {
    if (e instanceof TokumeiError && e.code === 'KEYSTORE_MALFORMED') throw e;
    return malformed(e instanceof TokumeiError ? e.message : 'bad field', e);
  }
}

/** The scrypt parameters of a keystore file (KEYSTORE_MALFORMED when unreadable). */
export function keystoreParams(text: string): ScryptParams {
  const { logN, r, p } = parseHeader(text).header.kdf;
  return { logN, r, p };
}

/**
 * Decrypts a keystore of the expected `kind`: KEYSTORE_BAD_PASSPHRASE when authentication fails
 * (wrong passphrase or tampered file), KEYSTORE_MALFORMED for anything unparseable or out of
 * bounds, or a keystore of another kind.
 */
export async function openKeystore(text: string, passphrase: string | Uint8Array, kind: KeystoreKind): Promise<KeystoreSecrets> {
  const { header, ciphertext } = parseHeader(text);
  const { logN, r, p, salt } = header.kdf;
  const key = await scryptDerive(passphraseBytes(passphrase), fromHex(salt), { logN, r, p }, 32);
  let plaintext: Uint8Array;
  try {
    plaintext = aeadOpen(key, fromHex(header.nonce), ciphertext, canonicalHeader(header));
  } catch (e) {
    throw IdentityErrors.KEYSTORE_BAD_PASSPHRASE('wrong passphrase (or the keystore file was altered)', { cause: e });
  } finally {
    wipe(key);
  }
  let secrets: unknown;
  try {
    secrets = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch (e) {
    return malformed('secrets are not JSON', e);
  } finally {
    wipe(plaintext);
  }
  const s = secrets as Record<string, unknown>;
  if (typeof s !== 'object' || s === null || Array.isArray(s)) malformed('secrets are not an object');
  if (s.kind !== kind) malformed(`holds ${String(s.kind)} keys, not ${kind} keys`);
  const out: KeystoreSecrets = {};
  for (const [k, v] of Object.entries(s)) {
    if (typeof v !== 'string') malformed(`secret ${k} is not a string`);
    if (k !== 'kind') out[k] = v;
  }
  return out;
}

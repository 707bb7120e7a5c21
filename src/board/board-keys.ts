/**
 * A board's keys and its BOARDDIR (docs/protocol.md §7.1). Every replica of a board holds the
 * same keys:
 *
 *   board.json     {"format":"tokumei-board/1","address":"tkb1…"}   public, mode 0644
 *   keystore.json  keystore kind "board": idKey, boardId, routeKey, sealKey (hex),
 *                  signingKey (PKCS#8 PEM)                             mode 0600
 *
 * The keystore alone rebuilds the address (the fixed ID's R0 is random, so `boardId` is kept);
 * board.json is a readable copy that must agree with it.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { join } from 'node:path';

import { fromHex, toHex } from '../crypto/bytes.js';
import type { RandomSource } from '../crypto/random.js';
import { decodeScalar, randomScalar } from '../crypto/ristretto.js';
import { ed25519RawPublicKey, generateSigningKeyPair } from '../crypto/signing.js';
import { generateX25519, x25519PrivateKeyFromRaw, x25519RawPrivateKey, x25519RawPublicKey } from '../crypto/x25519.js';
import { createDirAtomic } from '../files/atomic-write.js';
import { readJsonFile, readTextFile } from '../files/bounded-read.js';
import { openKeystore, sealKeystore, type KeystoreOptions, type KeystoreSecrets } from '../identity/keystore.js';
import { createAnonymousId, isOwnAnonymousId } from '../anonymous-id/anonymous-id.js';
import { decodeBoardAddress, encodeBoardAddress, type BoardAddress } from './board-address.js';
import { BoardErrors } from './board-errors.js';
import { IdentityErrors } from '../identity/identity-errors.js';

export const BOARD_FORMAT = 'tokumei-board/1';
export const BOARD_FILES = { board: 'board.json', keystore: 'keystore.json' } as const;
const MAX_FILE = 64 * 1024;

export interface BoardKeys {
  /** ristretto255 scalar d: the board's fixed ID is R0 | d·R0 (§7.1). */
  idKey: Uint8Array;
  /** The fixed anonymous ID (64). */
  boardId: Uint8Array;
  /** X25519 private key for the last onion layer and e2e sessions (a KeyObject, as routing uses). */
  routeKey: KeyObject;
  /** X25519 private half of Q, raw 32 bytes (HPKE takes raw keys). */
  sealKey: Uint8Array;
  /** Ed25519 board signing key. */
  signingKey: KeyObject;
  /** The "tkb1" text. */
  address: string;
  /** The address's public parts. */
  public: BoardAddress;
}

function mismatch(message: string): never {
  throw BoardErrors.BOARD_KEYS_MISMATCH(message);
}

function assemble(idKey: Uint8Array, boardId: Uint8Array, routeKey: KeyObject, sealKey: Uint8Array, signingKey: KeyObject): BoardKeys {
  if (!isOwnAnonymousId(boardId, idKey)) mismatch('the board ID was not made with the board id key');
  const address = encodeBoardAddress({
    id: boardId,
    routeKey: x25519RawPublicKey(routeKey),
    sealKey: x25519RawPublicKey(x25519PrivateKeyFromRaw(sealKey)),
    signingKey: ed25519RawPublicKey(signingKey),
  });
  return { idKey, boardId, routeKey, sealKey, signingKey, address, public: decodeBoardAddress(address) };
}

/** Four fresh keys and the fixed ID (from `random` when given, for reproducible simulations). */
export function generateBoardKeys(random?: RandomSource): BoardKeys {
  const idKey = randomScalar(random);
  const boardId = createAnonymousId(idKey, random);
  const route = generateX25519(random);
  const seal = generateX25519(random);
  const signing = generateSigningKeyPair('ed25519', random);
  return assemble(idKey, boardId, route.privateKey, x25519RawPrivateKey(seal.privateKey), signing.privateKey);
}

function boardSecrets(keys: BoardKeys): KeystoreSecrets {
  return {
    idKey: toHex(keys.idKey),
    boardId: toHex(keys.boardId),
    routeKey: toHex(x25519RawPrivateKey(keys.routeKey)),
    sealKey: toHex(keys.sealKey),
    signingKey: keys.signingKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

function keysFromSecrets(s: KeystoreSecrets): BoardKeys {
  let parts;
  try {
    const idKey = fromHex(s.idKey ?? '', 32);
    if (decodeScalar(idKey) === 0n) throw new Error('idKey is zero');
    const signingKey = createPrivateKey({ key: s.signingKey ?? '', format: 'pem' });
    if (signingKey.asymmetricKeyType !== 'ed25519') throw new Error('signingKey is not Ed25519');
    parts = {
      idKey,
      boardId: fromHex(s.boardId ?? '', 64),
      routeKey: x25519PrivateKeyFromRaw(fromHex(s.routeKey ?? '', 32)),
      sealKey: fromHex(s.sealKey ?? '', 32),
      signingKey,
    };
  } catch (e) {
    throw IdentityErrors.KEYSTORE_MALFORMED(`board keystore holds malformed keys: ${(e as Error).message}`, { cause: e });
  }
  return assemble(parts.idKey, parts.boardId, parts.routeKey, parts.sealKey, parts.signingKey);
}

/** Creates BOARDDIR atomically; refuses (BOARD_DIR_EXISTS) when `dir` exists with content. */
export async function writeBoardDir(dir: string, keys: BoardKeys, passphrase: string, kdfOptions: KeystoreOptions = {}): Promise<void> {
  const keystore = await sealKeystore('board', boardSecrets(keys), passphrase, kdfOptions);
  const board = JSON.stringify({ format: BOARD_FORMAT, address: keys.address }, null, 2) + '\n';
  await createDirAtomic(dir, { [BOARD_FILES.board]: { data: board, mode: 0o644 }, [BOARD_FILES.keystore]: { data: keystore } }, 'BOARD_DIR_EXISTS');
}

/** The public board.json of a BOARDDIR (no passphrase needed): BOARD_DIR_MALFORMED when unreadable. */
export async function readBoardAddress(dir: string): Promise<BoardAddress> {
  const path = join(dir, BOARD_FILES.board);
  const j = (await readJsonFile(path, MAX_FILE, 'BOARD_DIR_MALFORMED')) as Record<string, unknown> | null;
  if (typeof j !== 'object' || j === null || j.format !== BOARD_FORMAT || typeof j.address !== 'string') {
    throw BoardErrors.BOARD_DIR_MALFORMED(`${path} is not a ${BOARD_FORMAT} file`);
  }
  return decodeBoardAddress(j.address);
}

/**
 * Unlocks a BOARDDIR: opens the keystore (KEYSTORE_BAD_PASSPHRASE on a wrong passphrase) and
 * checks that board.json names exactly these keys (BOARD_KEYS_MISMATCH), so a replica never
 * serves one board's address with another board's keys.
 */
export async function loadBoardDir(dir: string, passphrase: string): Promise<BoardKeys> {
  const published = await readBoardAddress(dir);
  const keystoreText = await readTextFile(join(dir, BOARD_FILES.keystore), MAX_FILE);
  const keys = keysFromSecrets(await openKeystore(keystoreText, passphrase, 'board'));
  if (encodeBoardAddress(published) !== keys.address) {
    mismatch(`${join(dir, BOARD_FILES.board)} names another board than the keys in ${join(dir, BOARD_FILES.keystore)}`);
  }
  return keys;
}


/**
 * What `tokumei node --board BOARDDIR` needs (the board's keys, a database in NODEDIR), and the
 * board keystore's passphrase (`board init`, `node --board`): TOKUMEI_BOARD_PASSPHRASE when set,
 * else the usual one (TOKUMEI_PASSPHRASE, else asked on the terminal — separately from the node's
 * keystore, which has its own prompt). A board's keys are shared by all its replicas, so they are
 * usually sealed under another passphrase than any one member's keystore.
 */
import { join } from 'node:path';
import { loadBoardDir, readBoardAddress, type BoardKeys } from '../board/board-keys.js';
import type { CliIo } from './cli-io.js';
import { getPassphrase } from './passphrase.js';

export const BOARD_PASSPHRASE_ENV = 'TOKUMEI_BOARD_PASSPHRASE';

export async function getBoardPassphrase(io: CliIo, boardDir: string, confirm = false): Promise<string> {
  const fromEnv = io.env[BOARD_PASSPHRASE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return getPassphrase(io, { what: `board keystore in ${boardDir}`, confirm });
}

/** What `tokumei node --board BOARDDIR` runs: the board's keys and a database in NODEDIR. */
export interface ReplicaSetup {
  keys: BoardKeys;
  databasePath: string;
}

/** Checks BOARDDIR's public file first (BOARD_DIR_MALFORMED before any passphrase is asked). */
export async function checkBoardDir(boardDir: string): Promise<void> {
  await readBoardAddress(boardDir);
}

export async function unlockReplica(io: CliIo, nodeDir: string, boardDir: string): Promise<ReplicaSetup> {
  const keys = await loadBoardDir(boardDir, await getBoardPassphrase(io, boardDir));
  return { keys, databasePath: join(nodeDir, REPLICA_DATABASE) };
}

/** A replica's database, in its own NODEDIR (never in the shared BOARDDIR). */
export const REPLICA_DATABASE = 'board.sqlite';
/** The ids of this member's own posts (so `replies` finds them after a restart). */
export const BOARD_CLIENT_STATE = 'board-client.json';

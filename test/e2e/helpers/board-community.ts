/**
 * A board over node processes, with the CLI alone: a community of 8 (processCommunity), `tokumei
 * board init`, the last 3 nodes started as replicas (`tokumei node --board`) and the first 5 as
 * members; ready once the overlay has formed and every replica knows the two others.
 *
 * The replicas are not the two nodes every preference file names (those become hubs, linked to
 * almost everyone): a route to the board needs 3 relays before a replica, which a small overlay
 * offers more often when the replicas sit at its edge.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { NodeStatus } from '../../../src/node/status.js';
import type { BoardReplicaStatus } from '../../../src/board/service/board-api.js';
import { cliOk, runCli, testEnv, waitFor, type CliResult } from './cli-process.js';
import { processCommunity, status, type ProcessCommunity, type TestNode } from './community.js';

/** The board keystore's own passphrase: not the members' (TOKUMEI_BOARD_PASSPHRASE). */
export const BOARD_PASSPHRASE = 'board keys are shared by the replicas';
/** A board request: route seeks, then tries on fresh routes (some of 30 s). */
export const REQUEST_MS = 150_000;
/** Replicas pull from each other every 5 s (§7.6). */
export const SYNC_MS = 60_000;

export const boardEnv = testEnv({ TOKUMEI_BOARD_PASSPHRASE: BOARD_PASSPHRASE });

/** Commands that took more than 5 s, for diagnostics: "post 12.3 s". */
export const slowCommands: string[] = []; // UNBOUNDED: one test's commands

export async function cliJson<T>(args: string[], timeoutMs = REQUEST_MS): Promise<T> {
  const t0 = Date.now();
  const r = await cliOk(args, { env: boardEnv, timeoutMs });
  if (Date.now() - t0 > 5_000) slowCommands.push(`${args[0]} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return JSON.parse(r.stdout) as T;
}

/** Exit status and stderr of a command, for assertion messages. */
export function refusal(r: CliResult): string {
  return `${r.code} ${r.stderr.trim()}`;
}

/** A word no other post holds. */
export const uniqueWord = () => `w${randomBytes(5).toString('hex')}`;

export interface BoardCommunity extends ProcessCommunity {
  board: string;
  boardDir: string;
  replicas: TestNode[];
  members: TestNode[];
  /** `tokumei node …` arguments for `n` (with --board for a replica). */
  startArgs(n: TestNode): string[];
  /** Waits until every replica answers `board status` and `ok` holds for all of them. */
  replicasWhere(what: string, ok: (all: BoardReplicaStatus[]) => boolean, timeoutMs?: number): Promise<BoardReplicaStatus[]>;
  /** The last status of each replica, by name. */
  latest: Map<string, BoardReplicaStatus | undefined>;
  /** Seconds since the community was built, for diagnostics. */
  since(): string;
}

export async function boardStatus(n: TestNode): Promise<BoardReplicaStatus | undefined> {
  const r = await runCli(['board', 'status', '--dir', n.dir, '--json'], { env: boardEnv, timeoutMs: 10_000 });
  return r.code === 0 ? (JSON.parse(r.stdout) as BoardReplicaStatus) : undefined;
}

export async function boardCommunity(t: { after(fn: () => Promise<void>): void }, label: string): Promise<BoardCommunity> {
  const community = await processCommunity(t, 8, label);
  const { dir, nodes, prefs, children } = community;
  const started = Date.now();
  const boardDir = join(dir, 'board');
  const { address: board } = await cliJson<{ address: string }>(['board', 'init', '--out', boardDir, '--json']);
  const replicas = nodes.slice(5);
  const members = nodes.slice(0, 5);
  const startArgs = (n: TestNode) => ['node', '--dir', n.dir, '--listen', n.listen, '--peers', prefs, '--control', '127.0.0.1:0', ...(replicas.includes(n) ? ['--board', boardDir] : [])];
  for (const n of nodes) n.proc = children.start(startArgs(n), boardEnv);

  const exited = () => nodes.filter((n) => n.proc && !n.proc.isRunning()).map((n) => `${n.name} exited: ${n.proc!.stderr().trim().split('\n').pop()}`).join('; ');
  await waitFor(
    async () => {
      const all = await Promise.all(nodes.map((n) => status(n.dir)));
      return all.every((s) => s && s.neighbours.length >= 3) ? (all as NodeStatus[]) : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 1_000, what: 'every node to have ≥ 3 neighbours', describe: exited },
  );
  const latest = new Map<string, BoardReplicaStatus | undefined>();
  const describe = () =>
    [...latest].map(([name, s]) => (s ? `${name}: ${s.stored.posts} posts ${s.stored.replies} replies, ${s.peers.length} peers, integrity ${s.integrity}` : `${name}: no answer`)).join(' | ') + ' ' + exited();
  const replicasWhere = (what: string, ok: (all: BoardReplicaStatus[]) => boolean, timeoutMs = SYNC_MS) =>
    waitFor(
      async () => {
        await Promise.all(replicas.map(async (r) => latest.set(r.name, await boardStatus(r))));
        const all = replicas.map((r) => latest.get(r.name));
        return all.every((s) => s !== undefined) && ok(all as BoardReplicaStatus[]) ? (all as BoardReplicaStatus[]) : undefined;
      },
      { timeoutMs, intervalMs: 1_000, what, describe },
    );
  await replicasWhere('every replica to know the two others', (all) => all.every((s) => s.peers.length === 2), 90_000);
  return { ...community, board, boardDir, replicas, members, startArgs, replicasWhere, latest, since: () => `${((Date.now() - started) / 1000).toFixed(1)} s` };
}

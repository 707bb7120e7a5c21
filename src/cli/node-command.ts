/**
 * `tokumei node`: unlocks the keystore in NODEDIR, starts a TokumeiNode on the real runtime, serves
 * the control API on loopback, and runs until SIGINT / SIGTERM. Stopping closes the links, the
 * control API, and removes NODEDIR/control.json.
 */
import { readFile } from 'node:fs/promises';
import { describeError, TokumeiError } from '../errors.js';
import type { Logger, LogLevel } from '../log.js';
import { loadCrl, saveCrlIfNewer } from '../identity/crl-store.js';
import { parseCrl } from '../identity/crl.js';
import { loadNodeIdentity, NODE_FILES } from '../identity/node-store.js';
import type { RevocationList } from '../identity/types.js';
import { TokumeiNode } from '../node/node.js';
import { parseAddress } from '../overlay/address.js';
import { parsePreferenceFile } from '../overlay/preference-file.js';
import { createRealRuntime } from '../runtime/real/real-runtime.js';
import { controlRoutes, type ControlApi } from '../node/node-routes.js';
import { removeControlFile, writeControlFile } from '../control/control-file.js';
import { startControlServer } from '../control/control-server.js';
import { dashboardUrl, loadDashboardSite, type DashboardSite } from '../control/dashboard-site.js';
import { routingControl } from '../node/routing-control.js';
import { nodeServices } from '../services/node-services.js';
import { DEFAULT_CONTROL_ADDRESS, parseControlAddress } from '../control/loopback.js';
import { oneOf, optionalString, parseCommandArgs, requireString } from './args.js';
import type { CliIo } from './cli-io.js';
import { helpText } from './help.js';
import { requireNodeDir } from './dir-checks.js';
import { openNodeLog } from './node-log.js';
import { getPassphrase } from './passphrase.js';
import { usageError } from './usage-error.js';
import { BOARD_CLIENT_STATE, checkBoardDir, unlockReplica } from './board-setup.js';
import { checkAuthorityDir, parseTrusteeOption, unlockAuthoritySetup, unlockTrusteeSetup } from './opening-setup.js';
import { boardOption } from './board-args.js';
import { join } from 'node:path';
import { CliErrors } from './cli-errors.js';

/** NODEDIR/health: the health application's encrypted profile (docs/protocol.md §8.6). */
const HEALTH_DIR = 'health';
/** Past this, a stuck shutdown is abandoned and the process exits with 1. */
const STOP_TIMEOUT_MS = 10_000;
/** After a stop, how long the process may take to drain before it is made to exit. */
const EXIT_GRACE_MS = 2_000;

export async function nodeCommand(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'node';
  const { values } = parseCommandArgs(cmd, argv, {
    dir: { type: 'string' },
    listen: { type: 'string' },
    peers: { type: 'string' },
    control: { type: 'string' },
    'log-level': { type: 'string' },
    board: { type: 'string' },
    trustee: { type: 'string' },
    'trustee-board': { type: 'string', multiple: true },
    authority: { type: 'string' },
    community: { type: 'string' },
  });
  if (values.help) {
    io.out(helpText(cmd));
    return 0;
  }
  const dir = requireString(values, 'dir', cmd);
  const listenText = requireString(values, 'listen', cmd);
  const peersFile = requireString(values, 'peers', cmd);
  const boardDir = values.board === undefined ? undefined : requireString(values, 'board', cmd);
  const level = oneOf<LogLevel>(values, 'log-level', cmd, ['debug', 'info', 'warn', 'error'], 'info');
  const listen = parseListen(listenText);
  const controlText = optionalString(values, 'control');
  const control = controlText === undefined ? DEFAULT_CONTROL_ADDRESS : parseControl(controlText);
  const peers = parsePreferenceFile(await readPreferenceFile(peersFile));
  requireNodeDir(dir);
  if (boardDir !== undefined) await checkBoardDir(boardDir);
  // Emergency openings (docs/protocol.md §2.8): a trustee's or an authority's role.
  const trusteeOption = values.trustee === undefined ? undefined : parseTrusteeOption(requireString(values, 'trustee', cmd), cmd);
  if (values['trustee-board'] !== undefined && !trusteeOption) throw usageError('--trustee-board needs --trustee', cmd);
  const trusteeBoards = trusteeOption ? await trusteeBoardOptions(values['trustee-board'], boardDir, cmd) : [];
  const authorityDir = values.authority === undefined ? undefined : requireString(values, 'authority', cmd);
  const communityDir = optionalString(values, 'community') ?? trusteeOption?.caDir;
  if (authorityDir !== undefined) {
    if (communityDir === undefined) throw usageError('--authority needs --community CADIR (the community\'s ca.pem, community.json and escrow/)', cmd);
    await checkAuthorityDir(authorityDir);
  }

  const passphrase = await getPassphrase(io, { what: `keystore in ${dir}` });
  const identity = await loadNodeIdentity(dir, passphrase);
  // The health application confirms a letter of intent's passphrase against the keystore (§8.5).
  const keystoreText = await readFile(join(dir, NODE_FILES.keystore), 'utf8');
  // A replica of the board too: its keystore has its own passphrase (board-setup.ts).
  const board = boardDir === undefined ? undefined : await unlockReplica(io, dir, boardDir);
  const trustee = trusteeOption === undefined ? undefined : await unlockTrusteeSetup(io, trusteeOption, identity.caPem, trusteeBoards);
  const authority = authorityDir === undefined ? undefined : await unlockAuthoritySetup(io, authorityDir, communityDir!, identity.caPem);
  const crl = await loadCrl(dir);

  const log = openNodeLog(dir, level, io.err);
  const logger = log.logger;
  const persistCrl = (c: RevocationList) => {
    Promise.resolve(saveCrlIfNewer(dir, c)).catch((e: unknown) => logger.log('warn', 'crl.save_failed', { error: describeError(e) }));
  };
  let node: TokumeiNode | undefined;
  let controlServer: Awaited<ReturnType<typeof startControlServer>> | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await removeControlFile(dir).catch(() => {});
      await controlServer?.close().catch(() => {});
      await node?.stop();
    })());

  try {
    const services = nodeServices({
      board: { statePath: join(dir, BOARD_CLIENT_STATE), ...(board ? { replica: board } : {}) },
      health: { dataDir: join(dir, HEALTH_DIR), keystoreText },
      ...(trustee ? { trustee } : {}),
      ...(authority ? { authority } : {}),
    });
    node = await TokumeiNode.start({ runtime: createRealRuntime(), identity, listen, peers, crl, logger, onCrl: persistCrl, services });
    const running = node;
    const api: ControlApi = {
      ...routingControl(running.router),
      status: () => running.status(),
      async installCrl(pem) {
        const parsed = parseCrl(pem, identity.caPem);
        const installed = running.installCrl(parsed); // the node persists it through onCrl
        logger.log('info', 'control.crl', { number: parsed.number, installed });
        return { installed, crlNumber: running.status().crlNumber };
      },
    };
    controlServer = await startControlServer({ listen: control, router: controlRoutes(api, running.serviceEntries().map(([, s]) => s)), site: dashboardSite(logger), logger });
    // The token rides in the URL's fragment; node.log is 0600 like control.json.
    const dashboard = dashboardUrl(controlServer.url, controlServer.token);
    await writeControlFile(dir, { url: controlServer.url, token: controlServer.token, pid: process.pid, nodeId: running.id, address: running.address, dashboardUrl: dashboard });
    logger.log('info', 'node.ready', { id: running.id, address: running.address, control: controlServer.url, dashboard, peers: peers.length });

    const signal = await waitForSignal(logger);
    logger.log('info', 'node.stopping', { signal });
    const timedOut = await withTimeout(stop(), STOP_TIMEOUT_MS);
    logger.log(timedOut ? 'error' : 'info', timedOut ? 'node.stop_timeout' : 'node.exit', { id: running.id });
    const code = timedOut || signal === CRASH ? 1 : 0;
    // Everything is closed; should a forgotten handle keep the event loop alive, exit anyway.
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
    return code;
  } catch (e) {
    await withTimeout(stop().catch(() => {}), STOP_TIMEOUT_MS);
    throw e;
  } finally {
    log.close();
  }
}

/** The dashboard's files; a node without them (a stripped install) still runs, API only. */
function dashboardSite(logger: Logger): DashboardSite | undefined {
  try {
    return loadDashboardSite();
  } catch (e) {
    logger.log('warn', 'dashboard.unavailable', { error: describeError(e) });
    return undefined;
  }
}

/** `--trustee-board` (repeatable: tkb1 addresses or BOARDDIRs), and the replica's own board. */
async function trusteeBoardOptions(raw: unknown, replicaBoardDir: string | undefined, cmd: string): Promise<string[]> {
  const list = raw === undefined ? [] : Array.isArray(raw) ? (raw as string[]) : [raw as string];
  const boards = await Promise.all(list.map((b) => boardOption({ board: b }, cmd)));
  if (replicaBoardDir !== undefined && list.length === 0) boards.push(await boardOption({ board: replicaBoardDir }, cmd));
  return [...new Set(boards)];
}

/** `--listen` is a node address, except that port 0 (any free port) is allowed here. */
function parseListen(text: string): string {
  const anyPort = /:0$/.test(text);
  try {
    parseAddress(anyPort ? text.slice(0, -2) + ':1' : text);
  } catch (e) {
    throw usageError(`--listen: ${(e as Error).message}`, 'node');
  }
  return text;
}

function parseControl(text: string) {
  try {
    return parseControlAddress(text);
  } catch (e) {
    const te = e as TokumeiError;
    throw usageError(`--control: ${te.message}`, undefined, te.code);
  }
}

async function readPreferenceFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw CliErrors.PREFERENCE_FILE_UNREADABLE(`cannot read preference file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

const CRASH = 'uncaught-exception';

/** Resolves on the first SIGINT or SIGTERM; an unexpected crash is logged as one line first. */
function waitForSignal(logger: Logger): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      resolve(sig);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // A bug in a protocol layer must not leave a half-dead node with a stale control.json.
    process.once('uncaughtException', (e) => {
      logger.log('error', 'node.crash', { error: describeError(e) });
      onSignal(CRASH as NodeJS.Signals);
    });
  });
}

/** Waits for `p` at most `ms`; true when it timed out. */
async function withTimeout(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), ms)));
  try {
    return await Promise.race([p.then(() => false), t]);
  } finally {
    clearTimeout(timer);
  }
}

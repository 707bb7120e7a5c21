/**
 * `tokumei board init | status`: make a board's keys (docs/protocol.md §7.1), and show the replica
 * a running node serves (§7.6).
 */
import { generateBoardKeys, writeBoardDir } from '../board/board-keys.js';
import { BoardControlClient } from '../board/service/board-control-client.js';
import { parseCommandArgs, requireString } from './args.js';
import { formatBoardStatus } from './board-format.js';
import { getBoardPassphrase } from './board-setup.js';
import type { CliIo } from './cli-io.js';
import { helpText } from './help.js';
import { usageError } from './usage-error.js';

export async function boardCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'init':
      return boardInit(rest, io);
    case 'status':
      return boardStatus(rest, io);
    case undefined:
    case '--help':
    case '-h':
      (sub === undefined ? io.err : io.out)(helpText('board'));
      return sub === undefined ? 2 : 0;
    default:
      throw usageError(`unknown command "board ${sub}"; use board init or board status`, 'board');
  }
}

async function boardInit(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'board init';
  const { values } = parseCommandArgs(cmd, argv, { out: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return help(cmd, io);
  const out = requireString(values, 'out', cmd);
  const passphrase = await getBoardPassphrase(io, out, true);
  const keys = generateBoardKeys();
  await writeBoardDir(out, keys, passphrase, { env: io.env });
  io.out(values.json ? JSON.stringify({ address: keys.address }) + '\n' : `created board in ${out}\naddress: ${keys.address}\n`);
  return 0;
}

async function boardStatus(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'board status';
  const { values } = parseCommandArgs(cmd, argv, { dir: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return help(cmd, io);
  const dir = requireString(values, 'dir', cmd);
  const status = await (await BoardControlClient.forNodeDir(dir)).status();
  io.out(values.json ? JSON.stringify(status, null, 2) + '\n' : formatBoardStatus(status));
  return 0;
}

function help(cmd: string, io: CliIo): number {
  io.out(helpText(cmd));
  return 0;
}

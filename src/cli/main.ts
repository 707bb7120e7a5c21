/**
 * Entry point of the `tokumei` command (bin/tokumei.js calls `run`). Dispatches to one module per
 * command group and turns every failure into one line on stderr:
 *   tokumei: <CODE>: <message>
 * Exit status: 0 ok, 1 runtime failure, 2 usage error. No stack traces unless TOKUMEI_DEBUG is set.
 */
import { TokumeiError } from '../errors.js';
import { processIo, type CliIo } from './cli-io.js';
import { helpText } from './help.js';
import { isUsageError, usageError } from './usage-error.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

type Command = (argv: string[], io: CliIo) => Promise<number>;

/** Loaded on demand: `tokumei status` (polled by tools) need not load TLS and the identity layer. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  ca: async () => (await import('./ca-command.js')).caCommand,
  node: async () => (await import('./node-command.js')).nodeCommand,
  status: async () => (await import('./status-command.js')).statusCommand,
  address: async () => (await import('./address-command.js')).addressCommand,
  send: async () => (await import('./send-command.js')).sendCommand,
  inbox: async () => (await import('./inbox-command.js')).inboxCommand,
  reply: async () => (await import('./reply-command.js')).replyCommand,
  routing: async () => (await import('./routing-command.js')).routingCommand,
  board: async () => (await import('./board-command.js')).boardCommand,
  post: async () => (await import('./board-member-commands.js')).postCommand,
  search: async () => (await import('./board-member-commands.js')).searchCommand,
  replies: async () => (await import('./board-member-commands.js')).repliesCommand,
  notifications: async () => (await import('./board-member-commands.js')).notificationsCommand,
  authority: async () => (await import('./opening-commands.js')).authorityCommand,
  trustee: async () => (await import('./opening-commands.js')).trusteeCommand,
  opening: async () => (await import('./opening-commands.js')).openingCommand,
  health: async () => (await import('./health-commands.js')).healthCommand,
  demo: async () => (await import('./demo-command.js')).demoCommand,
  sim: async () => (await import('./sim-command.js')).simCommand,
};

export async function run(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h') {
      // Bare `tokumei` is a usage error: the help goes to stderr with status 2.
      (name === undefined ? io.err : io.out)(helpText('main'));
      return name === undefined ? EXIT_USAGE : EXIT_OK;
    }
    if (name === 'help') {
      io.out(helpText(rest.join(' ')));
      return EXIT_OK;
    }
    if (name === '--version' || name === '-v') {
      io.out('tokumei 0.1.0\n');
      return EXIT_OK;
    }
    const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!load) throw usageError(`unknown command ${JSON.stringify(name)}`, '');
    return await (await load())(rest, io);
  } catch (e) {
    return reportError(e, io);
  }
}

export function reportError(e: unknown, io: CliIo): number {
  const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();
  if (e instanceof TokumeiError) {
    io.err(`tokumei: ${e.code}: ${oneLine(e.message)}\n`);
    if (io.env.TOKUMEI_DEBUG && e.stack) io.err(e.stack + '\n');
    return isUsageError(e) ? EXIT_USAGE : EXIT_FAILURE;
  }
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : 'INTERNAL';
  io.err(`tokumei: ${code}: ${oneLine(err?.message ?? String(e))}\n`);
  if (io.env.TOKUMEI_DEBUG && err?.stack) io.err(err.stack + '\n');
  return EXIT_FAILURE;
}

/**
 * A command with subcommands (`tokumei trustee approve`, `tokumei health upload`): bare or with
 * --help it prints the group's help (bare: on stderr, exit 2); an unknown subcommand is a usage
 * error naming the ones there are.
 */
import type { CliIo } from './cli-io.js';
import { helpText } from './help.js';
import { usageError } from './usage-error.js';

export type Subcommand = (argv: string[], io: CliIo) => Promise<number>;

export function commandGroup(name: string, subs: Record<string, Subcommand>): Subcommand {
  return async (argv, io) => {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h') {
      (sub === undefined ? io.err : io.out)(helpText(name));
      return sub === undefined ? 2 : 0;
    }
    const run = Object.hasOwn(subs, sub) ? subs[sub] : undefined;
    if (!run) throw usageError(`unknown command "${name} ${sub}"; use ${Object.keys(subs).map((s) => `${name} ${s}`).join(', ')}`, name);
    return run(rest, io);
  };
}

/** Prints an answer: itself as one JSON line with --json, else its human form. */
export function printAnswer(io: CliIo, json: boolean, answer: unknown, text: string): number {
  io.out(json ? JSON.stringify(answer) + '\n' : text);
  return 0;
}

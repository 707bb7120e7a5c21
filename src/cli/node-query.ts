/**
 * The shape of the commands that only ask the running node one question (`status`, `address`,
 * `routing`): `--dir NODEDIR [--json]`, help, then one control-API call printed as JSON or text.
 */
import { NodeClient } from '../node/node-client.js';
import { parseCommandArgs, requireString } from './args.js';
import type { CliIo } from './cli-io.js';
import { helpText } from './help.js';

export async function nodeQuery<T>(
  cmd: string,
  argv: string[],
  io: CliIo,
  ask: (client: NodeClient) => Promise<T>,
  show: { json: (answer: T) => unknown; text: (answer: T) => string },
): Promise<number> {
  const { values } = parseCommandArgs(cmd, argv, { dir: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) {
    io.out(helpText(cmd));
    return 0;
  }
  const dir = requireString(values, 'dir', cmd);
  const answer = await ask(await NodeClient.forNodeDir(dir));
  io.out(values.json ? JSON.stringify(show.json(answer), null, 2) + '\n' : show.text(answer));
  return 0;
}

/** `tokumei routing`: the running node's routing status (counters, circuits, routes, events). */
import { ControlClient } from '../control/control-client.js';
import { parseCommandArgs, requireString } from './args.js';
import type { CliIo } from './cli-io.js';
import { helpText } from './help.js';
import { formatRouting } from './routing-format.js';

export async function routingCommand(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'routing';
  const { values } = parseCommandArgs(cmd, argv, { dir: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) {
    io.out(helpText(cmd));
    return 0;
  }
  const dir = requireString(values, 'dir', cmd);
  const status = await (await ControlClient.forNodeDir(dir)).routing();
  io.out(values.json ? JSON.stringify(status, null, 2) + '\n' : formatRouting(status));
  return 0;
}

/** `tokumei status`: asks the node running from NODEDIR for its state through the control API. */
import { ControlClient } from '../control/control-client.js';
import { parseCommandArgs, requireString } from './args.js';
import type { CliIo } from './cli-io.js';
import { helpText } from './help.js';
import { formatStatus } from './status-format.js';

export async function statusCommand(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'status';
  const { values } = parseCommandArgs(cmd, argv, { dir: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) {
    io.out(helpText(cmd));
    return 0;
  }
  const dir = requireString(values, 'dir', cmd);
  const client = await ControlClient.forNodeDir(dir);
  const status = await client.status();
  io.out(values.json ? JSON.stringify(status, null, 2) + '\n' : formatStatus(status));
  return 0;
}

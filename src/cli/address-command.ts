/** `tokumei address`: asks the running node for a fresh one-time address (docs/protocol.md §6.1). */
import { ControlClient } from '../control/control-client.js';
import { parseCommandArgs, requireString } from './args.js';
import type { CliIo } from './cli-io.js';
import { helpText } from './help.js';

export async function addressCommand(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'address';
  const { values } = parseCommandArgs(cmd, argv, { dir: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) {
    io.out(helpText(cmd));
    return 0;
  }
  const dir = requireString(values, 'dir', cmd);
  const client = await ControlClient.forNodeDir(dir);
  const address = await client.newAddress();
  io.out(values.json ? JSON.stringify({ address }) + '\n' : address + '\n');
  return 0;
}

/**
 * `tokumei reply`: answers a message in the running node's inbox — along the circuit it came on,
 * or through the reply route it carried. The node never learns who the sender is.
 * `tokumei reply --board …` answers a board post instead.
 */
import { NodeClient } from '../node/node-client.js';
import { parseCommandArgs, requireString } from './args.js';
import type { CliIo } from './cli-io.js';
import { helpText } from './help.js';
import { checkMessageId } from './inbox-command.js';
import { messageSource, readMessage } from './message-input.js';

export async function replyCommand(argv: string[], io: CliIo): Promise<number> {
  // With --board it answers a board post instead (board-member-commands.ts).
  if (argv.some((a) => a === '--board' || a.startsWith('--board='))) return (await import('./board-member-commands.js')).boardReplyCommand(argv, io);
  const cmd = 'reply';
  const { values } = parseCommandArgs(cmd, argv, { dir: { type: 'string' }, 'to-message': { type: 'string' }, file: { type: 'string' }, text: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) {
    io.out(helpText(cmd));
    return 0;
  }
  const dir = requireString(values, 'dir', cmd);
  const id = checkMessageId(requireString(values, 'to-message', cmd), 'to-message', cmd);
  const source = messageSource(values, cmd);
  const data = await readMessage(source);
  const client = await NodeClient.forNodeDir(dir);
  const result = await client.reply(id, data);
  io.out(values.json ? JSON.stringify(result) + '\n' : `replied to ${id}: ${result.bytes} bytes via ${result.via}, acknowledged end to end\n`);
  return 0;
}

/**
 * `tokumei send`: hands a message to the running node, which seeks a route to the one-time
 * address, sends it over an onion route (or multicast) and answers once the destination has
 * acknowledged all of it end to end.
 */
import { NodeClient } from '../node/node-client.js';
import type { SendResult } from '../node/routing-api.js';
import { decodeAddress } from '../routing/formats/one-time-address.js';
import { TokumeiError } from '../errors.js';
import { parseCommandArgs, requireString } from './args.js';
import type { CliIo } from './cli-io.js';
import { helpText } from './help.js';
import { messageSource, readMessage } from './message-input.js';
import { usageError } from './usage-error.js';

export async function sendCommand(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'send';
  const { values } = parseCommandArgs(cmd, argv, { dir: { type: 'string' }, to: { type: 'string' }, file: { type: 'string' }, text: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) {
    io.out(helpText(cmd));
    return 0;
  }
  const dir = requireString(values, 'dir', cmd);
  const to = requireString(values, 'to', cmd);
  try {
    decodeAddress(to);
  } catch (e) {
    throw usageError(`--to: ${(e as TokumeiError).message}`, cmd, (e as TokumeiError).code);
  }
  const source = messageSource(values, cmd);
  const data = await readMessage(source);
  const client = await NodeClient.forNodeDir(dir);
  const result = await client.send(to, data);
  io.out(values.json ? JSON.stringify(result) + '\n' : formatSend(result));
  return 0;
}

export function formatSend(r: SendResult): string {
  const how = r.multicast ? 'by multicast fallback' : `over ${r.routeLength} relay${r.routeLength === 1 ? '' : 's'}`;
  const repairs = r.repairs === 0 ? 'no repairs' : `${r.repairs} repair${r.repairs === 1 ? '' : 's'} (${r.localRepairs} local)`;
  return `${r.delivered ? 'delivered' : 'not delivered'}: ${r.bytes} bytes ${how}, acknowledged end to end; ${repairs}\n`;
}

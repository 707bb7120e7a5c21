/**
 * `tokumei inbox`: lists the messages the running node received (to its one-time addresses, and
 * replies to what it sent), or with `--save ID --out FILE` writes one message's bytes to a file.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { NodeClient } from '../node/node-client.js';
import type { InboxItem } from '../node/routing-api.js';

import { optionalString, parseCommandArgs, requireString } from './args.js';
import type { CliIo } from './cli-io.js';
import { helpText } from './help.js';
import { saveFileAtomic } from './save-file.js';
import { table } from './status-format.js';
import { usageError } from './usage-error.js';
import { FileErrors } from '../files/files-errors.js';

export async function inboxCommand(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'inbox';
  const { values } = parseCommandArgs(cmd, argv, { dir: { type: 'string' }, save: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' } });
  if (values.help) {
    io.out(helpText(cmd));
    return 0;
  }
  const dir = requireString(values, 'dir', cmd);
  const save = optionalString(values, 'save');
  if (save === undefined) {
    if (values.out !== undefined || values.force) throw usageError('--out and --force go with --save ID', cmd);
    const items = await (await NodeClient.forNodeDir(dir)).inbox();
    io.out(values.json ? JSON.stringify(items, null, 2) + '\n' : formatInbox(items));
    return 0;
  }
  const id = checkMessageId(save, 'save', cmd);
  const out = requireString(values, 'out', cmd);
  const force = values.force === true;
  // Checked early for a friendly error; the write itself refuses atomically too.
  if (!force && existsSync(out)) throw FileErrors.FILE_EXISTS(`${out} already exists; refusing to overwrite it (use --force)`);
  const bytes = await (await NodeClient.forNodeDir(dir)).inboxMessage(id);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await saveFileAtomic(out, bytes, { force });
  io.out(values.json ? JSON.stringify({ id, bytes: bytes.length, sha256, out }) + '\n' : `saved message ${id} (${bytes.length} bytes, sha256 ${sha256}) to ${out}\n`);
  return 0;
}

/** Inbox ids are lowercase hex (16 digits today; up to 64 accepted). */
export function checkMessageId(id: string, option: string, command: string): string {
  if (!/^[0-9a-f]{1,64}$/.test(id)) throw usageError(`--${option} must be a message id from \`tokumei inbox\` (hex digits)`, command, 'MESSAGE_ID_INVALID');
  return id;
}

export function formatInbox(items: InboxItem[]): string {
  if (items.length === 0) return 'the inbox is empty\n';
  const rows = items.map((m) => [m.id, String(m.bytes), m.kind, m.via, new Date(m.receivedAt).toISOString(), m.sha256]);
  return table(['ID', 'BYTES', 'KIND', 'VIA', 'RECEIVED', 'SHA256'], rows);
}


/** `tokumei status`: asks the node running from NODEDIR for its state through the control API. */
import type { CliIo } from './cli-io.js';
import { nodeQuery } from './node-query.js';
import { formatStatus } from './status-format.js';

export function statusCommand(argv: string[], io: CliIo): Promise<number> {
  return nodeQuery('status', argv, io, (c) => c.status(), { json: (s) => s, text: formatStatus });
}

/** `tokumei address`: asks the running node for a fresh one-time address (docs/protocol.md §6.1). */
import type { CliIo } from './cli-io.js';
import { nodeQuery } from './node-query.js';

export function addressCommand(argv: string[], io: CliIo): Promise<number> {
  return nodeQuery('address', argv, io, (c) => c.newAddress(), { json: (address) => ({ address }), text: (address) => address + '\n' });
}

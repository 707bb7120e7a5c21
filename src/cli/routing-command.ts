/** `tokumei routing`: the running node's routing status (counters, circuits, routes, events). */
import type { CliIo } from './cli-io.js';
import { nodeQuery } from './node-query.js';
import { formatRouting } from './routing-format.js';

export function routingCommand(argv: string[], io: CliIo): Promise<number> {
  return nodeQuery('routing', argv, io, (c) => c.routing(), { json: (s) => s, text: formatRouting });
}

/**
 * The node's log: one line per event (src/log.ts format) to stderr and appended to NODEDIR/node.log.
 * Appends are synchronous so that the file is complete even if the process is killed (tests and
 * operators read it after a crash).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, type Logger, type LogLevel } from '../log.js';

export const NODE_LOG_FILE = 'node.log';

export interface NodeLog {
  logger: Logger;
  close(): void;
}

export function openNodeLog(nodeDir: string, level: LogLevel, toStderr: (line: string) => void): NodeLog {
  let fd: number | undefined = openSync(join(nodeDir, NODE_LOG_FILE), 'a', 0o600);
  const logger = createLogger(
    (line) => {
      toStderr(line + '\n');
      if (fd === undefined) return;
      try {
        writeSync(fd, line + '\n');
      } catch {
        // A full disk must not stop the node; stderr still has the line.
      }
    },
    { level },
  );
  return {
    logger,
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

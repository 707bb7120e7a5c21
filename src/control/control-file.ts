/**
 * NODEDIR/control.json: where a running node's control API listens and the token to use it.
 * Written with mode 0600 when the node starts, removed when it stops. A file left behind by a
 * killed node is harmless: the client then reports that nothing answers at that address.
 */
import { readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../files/atomic-write.js';
import { join } from 'node:path';

import { ControlErrors } from './control-errors.js';

export const CONTROL_FILE = 'control.json';

export interface ControlInfo {
  /** Base URL of the control API, e.g. `http://127.0.0.1:43121`. */
  url: string;
  token: string;
  pid: number;
  /** The node's id and listening address, for tools that want them without a request. */
  nodeId: string;
  address: string;
  /** The dashboard, token in the fragment (`http://127.0.0.1:PORT/#token=…`): open it in a browser. */
  dashboardUrl?: string;
}

export function controlFilePath(nodeDir: string): string {
  return join(nodeDir, CONTROL_FILE);
}

export async function writeControlFile(nodeDir: string, info: ControlInfo): Promise<void> {
  const path = controlFilePath(nodeDir);
  // Created 0600 from the start (never readable by others, not even briefly), then renamed in place.
  await writeFileAtomic(path, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
}

export async function readControlFile(nodeDir: string): Promise<ControlInfo> {
  const path = controlFilePath(nodeDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw ControlErrors.CONTROL_NOT_RUNNING(`no running node in ${nodeDir} (no ${CONTROL_FILE}); start it with \`tokumei node --dir ${nodeDir} …\``);
    }
    throw ControlErrors.CONTROL_FILE_UNREADABLE(`cannot read ${path}: ${(e as Error).message}`);
  }
  let info: unknown;
  try {
    info = JSON.parse(text);
  } catch {
    throw ControlErrors.CONTROL_FILE_INVALID(`${path} is not valid JSON`);
  }
  const o = info as Partial<ControlInfo>;
  if (typeof o?.url !== 'string' || typeof o.token !== 'string' || !/^http:\/\//.test(o.url)) {
    throw ControlErrors.CONTROL_FILE_INVALID(`${path} lacks a control url or token`);
  }
  const found: ControlInfo = { url: o.url, token: o.token, pid: Number(o.pid) || 0, nodeId: String(o.nodeId ?? ''), address: String(o.address ?? '') };
  if (typeof o.dashboardUrl === 'string') found.dashboardUrl = o.dashboardUrl;
  return found;
}

export async function removeControlFile(nodeDir: string): Promise<void> {
  await rm(controlFilePath(nodeDir), { force: true });
}

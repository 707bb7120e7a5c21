/**
 * The control API listens on loopback only: it can read the node's state and install a CRL, so it
 * must never be reachable from another host. `--control` is checked here before anything binds.
 */
import { isIP } from 'node:net';

import { ControlErrors } from './control-errors.js';

export interface ControlAddress {
  host: string;
  port: number;
}

/** True for 127.0.0.0/8, ::1 and the name `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1';
  return false;
}

/** Parses `--control HOST:PORT` (port 0 = any free port) and refuses a non-loopback host. */
export function parseControlAddress(text: string): ControlAddress {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw ControlErrors.CONTROL_ADDRESS_INVALID(`control address ${JSON.stringify(text)} must be HOST:PORT (e.g. 127.0.0.1:0)`);
  }
  const host = m[1]!.replace(/^\[(.*)\]$/, '$1');
  if (!isLoopbackHost(host)) {
    throw ControlErrors.CONTROL_NOT_LOOPBACK(`control API must listen on loopback (127.0.0.1 or ::1), not ${host}`);
  }
  return { host: host.toLowerCase() === 'localhost' ? '127.0.0.1' : host, port };
}

export const DEFAULT_CONTROL_ADDRESS: ControlAddress = { host: '127.0.0.1', port: 0 };

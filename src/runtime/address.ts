/**
 * `host:port` addresses, as links and preference files write them: `127.0.0.1:7000`,
 * `[::1]:7000`, `node-17:7000` (simulator host names). Parsing is strict; anything else is a
 * typed `bad-input` error, never a crash.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { TokumeiError } from '../errors.js';

export const BAD_ADDRESS = 'RUNTIME_BAD_ADDRESS';

export interface ParsedAddress {
  /** IPv4 dotted quad, IPv6 without brackets, or a DNS-style host name. */
  host: string;
  port: number;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const PORT = /^(?:0|[1-9][0-9]{0,4})$/;

function bad(address: unknown, why: string): TokumeiError {
  const shown = typeof address === 'string' ? JSON.stringify(address.slice(0, 80)) : typeof address;
  return new TokumeiError('bad-input', BAD_ADDRESS, `bad address ${shown}: ${why}`);
}

/** Parses `host:port`; IPv6 hosts must be bracketed. Throws TokumeiError(RUNTIME_BAD_ADDRESS). */
export function parseAddress(address: string): ParsedAddress {
  if (typeof address !== 'string') throw bad(address, 'not a string');
  if (address.length > 300) throw bad(address, 'too long');
  let host: string;
  let portText: string;
  if (address.startsWith('[')) {
    const close = address.indexOf(']');
    if (close < 0 || address[close + 1] !== ':') throw bad(address, 'expected [ipv6]:port');
    host = address.slice(1, close);
    portText = address.slice(close + 2);
    if (!isIPv6(host)) throw bad(address, 'not an IPv6 address inside brackets');
  } else {
    const colon = address.lastIndexOf(':');
    if (colon <= 0) throw bad(address, 'expected host:port');
    host = address.slice(0, colon);
    portText = address.slice(colon + 1);
    if (host.includes(':')) throw bad(address, 'IPv6 hosts must be written in brackets');
    const numeric = /^[0-9.]+$/.test(host);
    if (numeric ? !isIPv4(host) : !HOSTNAME.test(host)) throw bad(address, 'not an IPv4 address or host name');
  }
  if (!PORT.test(portText)) throw bad(address, 'port is not a decimal number');
  const port = Number(portText);
  if (port > 65535) throw bad(address, 'port out of range');
  return { host, port };
}

/** The inverse of parseAddress: brackets IPv6 hosts. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

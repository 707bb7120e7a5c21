/**
 * `host:port` addresses as nodes advertise them. Hosts are IPv4 literals, bracketed IPv6
 * literals, or names (DNS names, or simulator host names such as `node-17`).
 */
import { TokumeiError } from '../errors.js';

export interface Address {
  host: string;
  port: number;
  /** Canonical text form, `host:port` or `[v6]:port`. */
  text: string;
}

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;
const V6 = /^[0-9A-Fa-f:.]{2,45}$/;

export function parseAddress(input: string): Address {
  if (typeof input !== 'string' || input.length === 0 || input.length > 300) {
    throw new TokumeiError('bad-input', 'ADDRESS_INVALID', 'address must be host:port');
  }
  let host: string;
  let portText: string;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(input);
  if (v6) {
    host = v6[1]!;
    portText = v6[2]!;
    if (!V6.test(host)) throw new TokumeiError('bad-input', 'ADDRESS_INVALID', `bad IPv6 address in ${JSON.stringify(input)}`);
  } else {
    const i = input.lastIndexOf(':');
    if (i <= 0) throw new TokumeiError('bad-input', 'ADDRESS_INVALID', `address ${JSON.stringify(input)} must be host:port`);
    host = input.slice(0, i);
    portText = input.slice(i + 1);
    if (!NAME.test(host)) throw new TokumeiError('bad-input', 'ADDRESS_INVALID', `bad host in ${JSON.stringify(input)}`);
  }
  if (!/^\d{1,5}$/.test(portText)) throw new TokumeiError('bad-input', 'ADDRESS_INVALID', `bad port in ${JSON.stringify(input)}`);
  const port = Number(portText);
  if (port < 1 || port > 65535) throw new TokumeiError('bad-input', 'ADDRESS_INVALID', `port out of range in ${JSON.stringify(input)}`);
  const text = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return { host, port, text };
}

/**
 * Addresses nodes advertise and name in preference files: the runtime's `host:port` syntax,
 * with a real port (not 0), in canonical text form.
 */
import { TokumeiError } from '../errors.js';
import { formatAddress, parseAddress as parseRuntimeAddress } from '../runtime/address.js';

export interface Address {
  host: string;
  port: number;
  /** Canonical text form, `host:port` or `[v6]:port`. */
  text: string;
}

export function parseAddress(input: string): Address {
  let parsed;
  try {
    parsed = parseRuntimeAddress(input);
  } catch (e) {
    throw new TokumeiError('bad-input', 'ADDRESS_INVALID', (e as Error).message);
  }
  if (parsed.port === 0) throw new TokumeiError('bad-input', 'ADDRESS_INVALID', `port 0 in ${JSON.stringify(input)} is not an address one can dial`);
  return { ...parsed, text: formatAddress(parsed.host, parsed.port) };
}

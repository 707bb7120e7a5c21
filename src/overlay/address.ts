/**
 * Addresses nodes advertise and name in preference files: the runtime's `host:port` syntax,
 * with a real port (not 0), in canonical text form.
 */

import { formatAddress, parseAddress as parseRuntimeAddress } from '../runtime/address.js';
import { OverlayErrors } from './overlay-errors.js';

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
    throw OverlayErrors.ADDRESS_INVALID((e as Error).message);
  }
  if (parsed.port === 0) throw OverlayErrors.ADDRESS_INVALID(`port 0 in ${JSON.stringify(input)} is not an address one can dial`);
  return { ...parsed, text: formatAddress(parsed.host, parsed.port) };
}

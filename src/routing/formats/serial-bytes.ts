/**
 * Member serials on the routing wire (docs/protocol.md §6.2, §6.5): always 16 bytes, the serial's
 * big-endian value left-padded with zeros. The text form is the one the passport office prints
 * (src/identity/x509.ts serialHex): lower-case hex with leading zero bytes stripped, at least one.
 */

import { checkBytes, toHex } from '../../crypto/bytes.js';
import { RoutingErrors } from '../core/routing-errors.js';

export const SERIAL_BYTES = 16;

/** 16 bytes for a member serial in its canonical hex form; anything else is SERIAL_INVALID. */
export function serialToBytes(hex: string): Uint8Array {
  if (typeof hex !== 'string' || !/^(?:[0-9a-f]{2}){1,16}$/.test(hex)) {
    throw RoutingErrors.SERIAL_INVALID(`not a member serial (1..16 bytes of lower-case hex): ${JSON.stringify(hex)}`);
  }
  if (hex.length > 2 && hex.startsWith('00')) {
    throw RoutingErrors.SERIAL_INVALID(`member serial has a leading zero byte: ${hex}`);
  }
  const out = new Uint8Array(SERIAL_BYTES);
  out.set(Buffer.from(hex, 'hex'), SERIAL_BYTES - hex.length / 2);
  return out;
}

/** The canonical hex of 16 serial bytes (inverse of serialToBytes). */
export function serialFromBytes(bytes: Uint8Array): string {
  checkBytes('serial', bytes, SERIAL_BYTES);
  let start = 0;
  while (start < SERIAL_BYTES - 1 && bytes[start] === 0) start++;
  return toHex(bytes.subarray(start));
}

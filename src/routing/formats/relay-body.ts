/**
 * Relay cell bodies (docs/protocol.md §6.6): what a hop reads once a RELAY payload opened for it.
 *
 *   body = relay_cmd u8 | length u16 | data (length ≤ 997) | zero padding        = 1,000 bytes
 */
import { checkBytes } from '../../crypto/bytes.js';

import { wireError } from '../../wire/codec.js';
import { RoutingErrors } from '../core/routing-errors.js';

export const RELAY_BODY = 1000;
export const MAX_RELAY_DATA = RELAY_BODY - 3;

export const RelayCommand = {
  DATA: 1,
  ACK: 2,
  ALTERNATIVE: 3,
  SWITCHED: 4,
  RESUME: 5,
  BUILT: 6,
  /** Proxy → destination, ignored: tops a route's setup burst up to a fixed size (§6.6). */
  PADDING: 7,
  /** D → its introduction relay: `index u32 | ID (64)`: answer seeks for this ID (§6.10). */
  INTRO_REGISTER: 8,
  /** Introduction relay → D: `query u32 | index u32 | seek_id (16) | T (32)`: make a route proof. */
  INTRO_QUERY: 9,
  /** D → introduction relay: `query u32 | proof (48)`. */
  INTRO_PROOF: 10,
  /** Either way through an introduction relay: `splice u32 | index u32 | relay_cmd u8 | data`. */
  SPLICED: 11,
} as const;
export type RelayCommandCode = (typeof RelayCommand)[keyof typeof RelayCommand];

const KNOWN = new Set<number>(Object.values(RelayCommand));

export function encodeRelayBody(cmd: number, data: Uint8Array): Uint8Array {
  checkBytes('relay data', data);
  if (!KNOWN.has(cmd)) throw RoutingErrors.RELAY_BAD_COMMAND(`unknown relay command ${cmd}`);
  if (data.length > MAX_RELAY_DATA) throw RoutingErrors.RELAY_TOO_LARGE(`relay data ${data.length} > ${MAX_RELAY_DATA} bytes`);
  const body = new Uint8Array(RELAY_BODY);
  body[0] = cmd;
  body[1] = data.length >>> 8;
  body[2] = data.length & 0xff;
  body.set(data, 3);
  return body;
}

/** Exactly RELAY_BODY bytes, a known command, length ≤ 997 and zero padding; else WIRE_*. */
export function decodeRelayBody(body: Uint8Array): { cmd: RelayCommandCode; data: Uint8Array } {
  if (!(body instanceof Uint8Array) || body.length !== RELAY_BODY) {
    throw wireError(body instanceof Uint8Array && body.length < RELAY_BODY ? 'WIRE_TRUNCATED' : 'WIRE_INVALID', `relay body must be ${RELAY_BODY} bytes`);
  }
  const cmd = body[0]!;
  if (!KNOWN.has(cmd)) throw wireError('WIRE_INVALID', `unknown relay command ${cmd}`);
  const length = (body[1]! << 8) | body[2]!;
  if (length > MAX_RELAY_DATA) throw wireError('WIRE_TOO_LARGE', `relay data length ${length} > ${MAX_RELAY_DATA}`);
  for (let i = 3 + length; i < RELAY_BODY; i++) {
    if (body[i] !== 0) throw wireError('WIRE_INVALID', 'relay body padding is not zero');
  }
  return { cmd: cmd as RelayCommandCode, data: body.slice(3, 3 + length) };
}

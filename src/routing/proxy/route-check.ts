/**
 * The proxy's check of one answered seek (docs/protocol.md §6.4): a path is used only if every
 * record names its relay — a valid passport of the community for that serial, whose onion key
 * made the record for this seek — and the records join into one chain: the first relay is the
 * neighbour the seek went to and names this proxy as its predecessor, each next relay names the one
 * before it, and the destination's proof names the last. An honest relay names its real
 * predecessor, so nothing can be spliced in after it; no relay appears twice. Any failure drops
 * the whole path.
 */
import type { KeyObject } from 'node:crypto';
import { constantTimeEqual } from '../../crypto/bytes.js';
import { verifyPassport } from '../../identity/passport.js';
import type { RevocationList } from '../../identity/types.js';
import { describeError } from '../../errors.js';
import { checkHopAuth, type OpenedHopRecord } from '../formats/hop-record.js';
import { serialFromBytes, serialToBytes } from '../formats/serial-bytes.js';
import { RoutingErrors } from '../core/routing-errors.js';

export interface CheckedHop {
  serial: string;
  /** From the relay's passport, never from what the relay said. */
  onionKey: Uint8Array;
  /** The relay's pointer to its next hop toward the destination. */
  pointer: Uint8Array;
}

export interface PathCheck {
  tPrivate: KeyObject;
  seekId: Uint8Array;
  records: OpenedHopRecord[];
  /** The predecessor the destination's proof names. */
  lastHop: Uint8Array;
  /** The neighbours this seek was sent to. */
  firstHops: ReadonlySet<string>;
  self: string;
  caPem: string;
  crl: RevocationList | undefined;
  now: number;
}

/** The path the records describe, from the proxy's neighbour outwards; throws ROUTE_HOP_FORGED / ROUTE_PATH_BROKEN. */
export function checkAnswerPath(c: PathCheck): CheckedHop[] {
  if (c.records.length === 0) throw RoutingErrors.ROUTE_PATH_BROKEN('no hop record opened');
  const hops: CheckedHop[] = [];
  const seen = new Set<string>([c.self]);
  let predecessor = serialToBytes(c.self);
  for (const [i, r] of c.records.entries()) {
    let passport;
    try {
      passport = verifyPassport(r.passportDer, { ca: c.caPem, crl: c.crl, now: c.now });
    } catch (e) {
      throw RoutingErrors.ROUTE_HOP_FORGED(`hop ${i}: ${describeError(e)}`);
    }
    const serial = serialFromBytes(r.serial);
    if (passport.serial !== serial) throw RoutingErrors.ROUTE_HOP_FORGED(`hop ${i}: record names ${serial}, passport ${passport.serial}`);
    if (!checkHopAuth(c.tPrivate, c.seekId, r, passport.onionKey)) throw RoutingErrors.ROUTE_HOP_FORGED(`hop ${i}: not made by ${serial}'s onion key`);
    if (!constantTimeEqual(r.predecessor, predecessor)) throw RoutingErrors.ROUTE_PATH_BROKEN(`hop ${i}: ${serial} names another predecessor`);
    if (i === 0 && !c.firstHops.has(serial)) throw RoutingErrors.ROUTE_PATH_BROKEN(`first hop ${serial} is not a neighbour the seek went to`);
    if (seen.has(serial)) throw RoutingErrors.ROUTE_PATH_BROKEN(`${serial} appears twice`);
    seen.add(serial);
    hops.push({ serial, onionKey: passport.onionKey, pointer: r.pointer });
    predecessor = r.serial;
  }
  if (!constantTimeEqual(c.lastHop, predecessor)) throw RoutingErrors.ROUTE_PATH_BROKEN(`the destination heard the seek from another relay than ${serialFromBytes(predecessor)}`);
  return hops;
}

/**
 * Per-epoch stems (Dandelion++, Fanti et al. 2018, §4): instead of a fresh random neighbour for
 * every seek, a relay picks two stem successors per epoch — the two neighbours ranked lowest by
 * HMAC-SHA256(K_stem, "rank" | serial) — and sends every stem seek that came from one neighbour to
 * the same one of the two (bit 0 of HMAC-SHA256(K_stem, "map" | that neighbour's serial)). Its own
 * seeks take the successor its own serial maps to, exactly like forwarded ones, so the first relay
 * sees one steady stream per neighbour and cannot tell which seeks began at it. K_stem is the
 * relay's own, per epoch (formats/return-path.ts).
 */
import { utf8 } from '../../crypto/bytes.js';
import { hmacSha256 } from '../../crypto/hash.js';
import { serialToBytes } from '../formats/serial-bytes.js';

const RANK = utf8('rank');
const MAP = utf8('map');

/** This epoch's two stem successors among `neighbours` (fewer when there are fewer neighbours). */
export function stemSuccessors(stemKey: Uint8Array, neighbours: readonly string[]): string[] {
  return neighbours
    .map((id) => ({ id, rank: hmacSha256(stemKey, RANK, serialToBytes(id)) }))
    .sort((a, b) => Buffer.compare(a.rank, b.rank))
    .slice(0, 2)
    .map((x) => x.id);
}

/**
 * The neighbour a stem seek from `incoming` (a neighbour's serial, or this node's own for its own
 * seeks) goes to; never `incoming` itself; undefined when there is no other neighbour.
 */
export function stemSuccessor(stemKey: Uint8Array, neighbours: readonly string[], incoming: string): string | undefined {
  const successors = stemSuccessors(stemKey, neighbours);
  const pick = hmacSha256(stemKey, MAP, serialToBytes(incoming))[0]! & 1;
  const order = pick === 0 ? successors : [...successors].reverse();
  return order.find((s) => s !== incoming) ?? neighbours.find((s) => s !== incoming);
}

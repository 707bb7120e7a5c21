/**
 * Overlay link messages (docs/protocol.md §5): DESCRIPTOR, PEERS_REQUEST, PEERS, CRL.
 * Encoding only; the overlay decides what they mean.
 */
import { Reader, Writer, wireError } from '../wire/codec.js';

/** BOUNDED: most descriptors one PEERS message may carry. */
export const MAX_PEERS_PER_MESSAGE = 16;

export function encodePeers(entries: Uint8Array[]): Uint8Array {
  const w = new Writer().u8(entries.length);
  for (const e of entries) w.bytes16(e);
  return w.finish();
}

export function decodePeers(body: Uint8Array): Uint8Array[] {
  const r = new Reader(body);
  const n = r.u8('peers count');
  if (n > MAX_PEERS_PER_MESSAGE) throw wireError('WIRE_INVALID', `PEERS with ${n} entries (max ${MAX_PEERS_PER_MESSAGE})`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) out.push(r.bytes16('peers entry'));
  r.end('peers');
  return out;
}

export function encodePeersRequest(max: number): Uint8Array {
  return new Writer().u8(max).finish();
}

export function decodePeersRequest(body: Uint8Array): number {
  const r = new Reader(body);
  const max = r.u8('peers request max');
  r.end('peers request');
  return Math.min(max, MAX_PEERS_PER_MESSAGE);
}

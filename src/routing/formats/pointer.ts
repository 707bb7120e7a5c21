/**
 * Neighbour pointers (docs/protocol.md §6.3): a relay's note to itself naming one of its
 * neighbours, `r (8 random bytes) | HMAC-SHA256(K_ptr, r | serial)[0:8]`. Route information
 * carries one per relay (to the neighbour the answer came from), so the proxy can name each next
 * hop — the destination included — in a 16-byte onion field without ever learning who the
 * destination is. Being randomised, two pointers to one neighbour cannot be matched by anyone else.
 */
import { constantTimeEqual } from '../../crypto/bytes.js';
import { hmacSha256 } from '../../crypto/hash.js';
import type { RandomSource } from '../../crypto/random.js';
import type { ReturnPathKeys } from './return-path.js';
import { serialToBytes } from './serial-bytes.js';

export const POINTER_SIZE = 16;

function tag(key: Uint8Array, r: Uint8Array, serial: Uint8Array): Uint8Array {
  return hmacSha256(key, r, serial).subarray(0, 8);
}

export function sealPointer(serial: Uint8Array, keys: ReturnPathKeys, epoch: number, random: RandomSource): Uint8Array {
  const r = random.bytes(8);
  const out = new Uint8Array(POINTER_SIZE);
  out.set(r, 0);
  out.set(tag(keys.keysFor(epoch).ptr, r, serial), 8);
  return out;
}

/**
 * Which of `candidates` (member serials of current neighbours) the pointer names, trying this
 * epoch's key and the previous one; undefined when none (not ours, too old, or gone).
 */
export function openPointer(pointer: Uint8Array, keys: ReturnPathKeys, epoch: number, candidates: readonly string[]): string | undefined {
  if (pointer.length !== POINTER_SIZE) return undefined;
  const r = pointer.subarray(0, 8);
  const t = pointer.subarray(8);
  for (const e of [epoch, epoch - 1]) {
    if (e < 0) continue;
    const key = keys.keysFor(e).ptr;
    for (const c of candidates) if (constantTimeEqual(tag(key, r, serialToBytes(c)), t)) return c;
  }
  return undefined;
}

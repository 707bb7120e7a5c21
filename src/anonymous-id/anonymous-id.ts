/**
 * One-time anonymous IDs (docs/protocol.md §6.1): ID = R | K with R = r·G, K = k·R on ristretto255.
 * Only the holder of the anonymity key k can test K == k·R; to anyone else two IDs of one owner
 * look like unrelated random pairs (DDH). The owner also keeps the IDs it made in a bounded book,
 * so recent ones are recognised by lookup, without a scalar multiplication.
 */
import { badArgument, checkBytes, concatBytes, constantTimeEqual, toHex } from '../crypto/bytes.js';
import type { RandomSource } from '../crypto/random.js';
import { decodePoint, decodeScalar, encodePoint, IDENTITY_POINT, modL, mulBase, mulPoint, randomScalarBigint, SCALAR_LENGTH } from '../crypto/ristretto.js';

export const ANON_ID_LENGTH = 64;

function anonymityScalar(k: Uint8Array): bigint {
  checkBytes('anonymity key', k, SCALAR_LENGTH);
  const s = decodeScalar(k);
  if (s === 0n) badArgument('anonymity key must not be zero');
  return s;
}

/** A fresh ID for the owner of `k`. K = k·R is computed as (k·r)·G, two fixed-base multiplications. */
export function createAnonymousId(k: Uint8Array, random?: RandomSource): Uint8Array {
  const ks = anonymityScalar(k);
  const r = randomScalarBigint(random);
  const R = mulBase(r);
  const K = mulBase(modL(ks * r));
  return concatBytes(encodePoint(R), encodePoint(K));
}

/**
 * True when `id` was made with `k`. Anything that does not decode is "not mine". R = identity is
 * refused: (identity, identity) would be every member's ID (§6.1).
 */
export function isOwnAnonymousId(id: Uint8Array, k: Uint8Array): boolean {
  const ks = anonymityScalar(k);
  if (!(id instanceof Uint8Array) || id.length !== ANON_ID_LENGTH) return false;
  let R;
  try {
    R = decodePoint(id.subarray(0, 32));
  } catch {
    return false;
  }
  if (R.equals(IDENTITY_POINT)) return false;
  return constantTimeEqual(encodePoint(mulPoint(R, ks)), id.subarray(32));
}

/**
 * The owner's recent IDs, each with a value it attached (e.g. the one-time address's X25519 private
 * key). BOUNDED(capacity): adding beyond it evicts the oldest; `onEvict` may wipe the value.
 */
export class AnonymousIdBook<T> {
  // BOUNDED(capacity): insertion order is age order, the first key is the oldest.
  private readonly entries = new Map<string, T>();

  constructor(
    readonly capacity = 4096,
    private readonly onEvict?: (value: T) => void,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) badArgument('capacity must be a positive integer');
  }

  get size(): number {
    return this.entries.size;
  }

  /** Adds (or refreshes, making it the newest) an ID of ours. */
  add(id: Uint8Array, value: T): void {
    const key = toHex(checkBytes('anonymous ID', id, ANON_ID_LENGTH));
    const old = this.entries.get(key);
    this.entries.delete(key);
    if (old !== undefined && old !== value) this.onEvict?.(old);
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      const v = this.entries.get(oldest)!;
      this.entries.delete(oldest);
      this.onEvict?.(v);
    }
  }

  /** The value attached to `id` if it is one of our recent IDs; no scalar multiplication. */
  lookup(id: Uint8Array): T | undefined {
    if (!(id instanceof Uint8Array) || id.length !== ANON_ID_LENGTH) return undefined;
    return this.entries.get(toHex(id));
  }

  delete(id: Uint8Array): boolean {
    if (!(id instanceof Uint8Array) || id.length !== ANON_ID_LENGTH) return false;
    const key = toHex(id);
    const v = this.entries.get(key);
    if (v === undefined) return false;
    this.entries.delete(key);
    this.onEvict?.(v);
    return true;
  }
}

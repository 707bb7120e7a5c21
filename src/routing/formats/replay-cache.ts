/**
 * The setup-onion replay cache (docs/protocol.md §6.5): tags of the onions a relay accepted, kept
 * for the current and the previous epoch only (an onion names its epoch and is refused outside
 * those two, so older tags can go). BOUNDED(capacity) per epoch: a full epoch refuses new setups
 * rather than forgetting, since forgetting would let a replay through.
 */
import { badArgument, checkBytes } from '../../crypto/bytes.js';

/** Bytes of the tag kept: the first 16 of SHA-256(s); 128 bits make collisions irrelevant. */
const KEPT = 16;

export class ReplayCache {
  // BOUNDED(2 epochs × capacity).
  private readonly epochs = new Map<number, Set<string>>();
  private latest = -1;

  constructor(readonly capacity = 100_000) {
    if (!Number.isInteger(capacity) || capacity < 1) badArgument('capacity must be a positive integer');
  }

  private advance(nowEpoch: number): number {
    if (!Number.isInteger(nowEpoch) || nowEpoch < 0) badArgument('epoch must be a non-negative integer');
    if (nowEpoch > this.latest) {
      this.latest = nowEpoch;
      for (const e of this.epochs.keys()) if (e < nowEpoch - 1) this.epochs.delete(e);
    }
    // A clock that stepped back files its tags under the oldest epoch still kept.
    return Math.max(nowEpoch, this.latest - 1);
  }

  private static key(tag: Uint8Array): string {
    return Buffer.from(checkBytes('replay tag', tag).subarray(0, KEPT)).toString('latin1');
  }

  /** True when `tag` was accepted in the current or previous epoch. */
  has(tag: Uint8Array, nowEpoch: number): boolean {
    this.advance(nowEpoch);
    const k = ReplayCache.key(tag);
    for (const set of this.epochs.values()) if (set.has(k)) return true;
    return false;
  }

  /** Records `tag`; false (nothing recorded) when this epoch's set is full. */
  add(tag: Uint8Array, nowEpoch: number): boolean {
    const e = this.advance(nowEpoch);
    let set = this.epochs.get(e);
    if (!set) {
      set = new Set();
      this.epochs.set(e, set);
    }
    if (set.size >= this.capacity) return false;
    set.add(ReplayCache.key(tag));
    return true;
  }

  /** Tags held, all epochs. */
  get size(): number {
    let n = 0;
    for (const s of this.epochs.values()) n += s.size;
    return n;
  }
}

/**
 * Known peers: verified descriptors of members this node may dial (docs/protocol.md §5.2).
 * BOUNDED(capacity): when full, the entry heard of least recently goes. Each entry carries a dial
 * back-off so a vanished peer is not hammered.
 */
import type { Random } from '../runtime/runtime.js';
import type { SignedDescriptor } from './descriptor.js';

export interface KnownPeer {
  signed: SignedDescriptor;
  lastSeen: number;
  failures: number;
  /** No dial before this time. */
  retryAt: number;
}

export class PeerTable {
  private readonly peers = new Map<string, KnownPeer>(); // BOUNDED(capacity)

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.peers.size;
  }

  get(id: string): KnownPeer | undefined {
    return this.peers.get(id);
  }

  /** Adds or refreshes an entry; a newer descriptor replaces an older one, never the reverse. */
  upsert(signed: SignedDescriptor, now: number): void {
    const id = signed.descriptor.id;
    const existing = this.peers.get(id);
    if (existing) {
      if (signed.descriptor.issuedAt > existing.signed.descriptor.issuedAt) existing.signed = signed;
      existing.lastSeen = now;
      return;
    }
    if (this.peers.size >= this.capacity) this.evictOne();
    this.peers.set(id, { signed, lastSeen: now, failures: 0, retryAt: 0 });
  }

  delete(id: string): void {
    this.peers.delete(id);
  }

  /** Doubles the back-off after each failed dial; gives up on the entry after `maxFailures`. */
  markFailure(id: string, now: number, baseMs: number, maxMs: number, maxFailures: number): void {
    const p = this.peers.get(id);
    if (!p) return;
    p.failures++;
    if (p.failures >= maxFailures) {
      this.peers.delete(id);
      return;
    }
    p.retryAt = now + Math.min(maxMs, baseMs * 2 ** (p.failures - 1));
  }

  markSuccess(id: string): void {
    const p = this.peers.get(id);
    if (p) {
      p.failures = 0;
      p.retryAt = 0;
    }
  }

  /** Drops entries whose descriptor is older than `maxAgeMs`. */
  prune(now: number, maxAgeMs: number): void {
    for (const [id, p] of this.peers) if (p.signed.descriptor.issuedAt < now - maxAgeMs) this.peers.delete(id);
  }

  /** Up to `n` random entries for which `keep` holds. */
  sample(n: number, random: Random, keep: (p: KnownPeer) => boolean = () => true): KnownPeer[] {
    const pool = [...this.peers.values()].filter(keep);
    for (let i = pool.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    return pool.slice(0, n);
  }

  *values(): IterableIterator<KnownPeer> {
    yield* this.peers.values();
  }

  private evictOne(): void {
    let oldest: string | undefined;
    let oldestSeen = Infinity;
    for (const [id, p] of this.peers) {
      if (p.lastSeen < oldestSeen) {
        oldestSeen = p.lastSeen;
        oldest = id;
      }
    }
    if (oldest !== undefined) this.peers.delete(oldest);
  }
}

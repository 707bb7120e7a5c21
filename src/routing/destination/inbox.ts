/**
 * Messages this node received as a destination (and replies to what it sent). Kept in memory,
 * BOUNDED(capacity messages, maxBytes in all): the oldest go first. Each entry knows how to answer
 * it, but not who sent it.
 */
import { sha256 } from '../../crypto/hash.js';
import { toHex } from '../../crypto/bytes.js';
import type { Random } from '../../runtime/runtime.js';

export interface InboxEntry {
  id: string;
  bytes: Uint8Array;
  sha256: string;
  receivedAt: number;
  /** 'message': to one of our addresses; 'reply': an answer on a conversation we started. */
  kind: 'message' | 'reply';
  /** Session the message came on (the key to answer it). */
  session: string;
  via: 'circuit' | 'multicast';
}

export class Inbox {
  private readonly entries = new Map<string, InboxEntry>(); // BOUNDED(capacity, maxBytes)
  private bytes = 0;

  constructor(
    private readonly random: Random,
    private readonly capacity = 1_000,
    private readonly maxBytes = 256 * 1024 * 1024,
  ) {}

  add(e: Omit<InboxEntry, 'id' | 'sha256'>): InboxEntry {
    const entry: InboxEntry = { ...e, id: toHex(this.random.bytes(8)), sha256: toHex(sha256(e.bytes)) };
    this.entries.set(entry.id, entry);
    this.bytes += entry.bytes.length;
    while (this.entries.size > this.capacity || this.bytes > this.maxBytes) {
      const oldest = this.entries.values().next().value!;
      this.entries.delete(oldest.id);
      this.bytes -= oldest.bytes.length;
    }
    return entry;
  }

  get(id: string): InboxEntry | undefined {
    return this.entries.get(id);
  }

  list(): InboxEntry[] {
    return [...this.entries.values()];
  }
}

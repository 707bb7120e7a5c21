/**
 * The proxy's open conversations: one per address it sends to (the oldest closed beyond the
 * bound), plus one-off request conversations, all also found by session id (for replies).
 */
import type { Conversation } from './conversation.js';

export class ConversationBook {
  private readonly byAddress = new Map<string, Conversation>(); // BOUNDED(max)
  private readonly bySession = new Map<string, Conversation>(); // the same, and requests' (bounded by the caller)

  constructor(private readonly max: number) {}

  get(address: string): Conversation | undefined {
    return this.byAddress.get(address);
  }

  session(id: string): Conversation | undefined {
    return this.bySession.get(id);
  }

  /** Keeps `conv` for `address`, closing the least recently opened beyond the bound. */
  add(address: string, conv: Conversation): void {
    this.byAddress.set(address, conv);
    this.bySession.set(conv.sessionHex, conv);
    while (this.byAddress.size > this.max) {
      const [oldestKey, oldest] = this.byAddress.entries().next().value!;
      this.drop(oldestKey, oldest);
    }
  }

  /** A request's conversation: found by session only, until `forget`. */
  track(conv: Conversation): void {
    this.bySession.set(conv.sessionHex, conv);
  }

  forget(conv: Conversation): void {
    this.bySession.delete(conv.sessionHex);
  }

  list(): Conversation[] {
    return [...this.byAddress.values()];
  }

  /** Closes the conversations idle since before `before` with nothing outstanding. */
  sweep(before: number): void {
    for (const [key, c] of this.byAddress) if (c.session.outstanding === 0 && c.lastActive < before) this.drop(key, c);
  }

  closeAll(): void {
    for (const c of this.byAddress.values()) c.close();
    this.byAddress.clear();
    this.bySession.clear();
  }

  private drop(key: string, c: Conversation): void {
    c.close();
    this.byAddress.delete(key);
    this.bySession.delete(c.sessionHex);
  }
}

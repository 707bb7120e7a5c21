/**
 * Search reservations (docs/protocol.md §7.5): when a post is stored for the first time, each
 * unexpired reservation it matches is notified at its one-time notify address — if this replica
 * accepted the post or the reservation from a client, so that a post and a reservation that came
 * in at different replicas still meet once synced. Matching is two steps: the words the way FTS5
 * folds them (normalizedWords) pick candidates, then a real FTS5 MATCH on the post confirms.
 */
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Router } from '../routing/router.js';
import type { Runtime } from '../runtime/runtime.js';
import type { BoardKeys } from './board-keys.js';
import type { BoardStore } from './board-store.js';
import type { StoredPost, StoredReservation } from './board-store-types.js';
import { createNotification } from './notification.js';
import { encodeMessage } from './board-message.js';
import type { EntryBytes } from './messages.js';
import { normalizedWords } from './text-rules.js';

/** BOUNDED: notifications in flight at once; past it, the oldest matches wait for none (dropped). */
const MAX_IN_FLIGHT = 64;

export interface NotifierOptions {
  router: Router;
  runtime: Runtime;
  keys: BoardKeys;
  store: BoardStore;
  logger: Logger;
  onSent: () => void;
}

export class ReservationNotifier {
  private inFlight = 0;

  constructor(private readonly o: NotifierOptions) {}

  onNewPost(post: StoredPost): void {
    const now = this.o.runtime.clock.now();
    let words: Set<string> | undefined;
    for (const r of this.o.store.reservations(now)) {
      if (post.origin !== 'client' && r.origin !== 'client') continue;
      if (!r.fields.every((f) => post.fields.some((p) => p.key === f.key && p.value === f.value))) continue;
      words ??= new Set(normalizedWords(post.text));
      if (!normalizedWords(r.words.join(' ')).every((w) => words!.has(w))) continue;
      if (r.words.length > 0 && !this.o.store.postMatches(post.id, r.words)) continue;
      this.notify(r, post, now);
    }
  }

  private notify(r: StoredReservation, post: StoredPost, now: number): void {
    if (this.inFlight >= MAX_IN_FLIGHT) {
      this.o.logger.log('warn', 'board.notify-dropped', { reason: 'too many notifications in flight' });
      return;
    }
    const bytes = createNotification({ reservationId: r.id, issued: now, entry: entryOf(post) }, this.o.keys.signingKey);
    this.inFlight++;
    this.o.router
      .send(r.notifyAddress, bytes)
      .then(() => this.o.onSent())
      .catch((e: unknown) => this.o.logger.log('info', 'board.notify-failed', { reason: describeError(e) }))
      .finally(() => this.inFlight--);
  }
}

/** A stored post as a search entry (§7.4): the record and its message, re-encoded. */
export function entryOf(p: StoredPost): EntryBytes {
  return { post: p.record, message: encodeMessage({ text: p.text, fields: p.fields }) };
}

/**
 * A board replica (docs/protocol.md §7.4–§7.7): serves the board's fixed anonymous address on this
 * node's router, checks every request as §7.3 says, stores what passes in SQLite, answers along the
 * circuit the request came on, notifies reservations, and keeps in step with the other replicas
 * (replica-sync.ts). It learns nothing about its clients but the last relay of each route, which
 * it uses only as a rate-limit key and never stores or logs.
 */
import { TokumeiError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { TokenBucket } from '../link/token-bucket.js';
import type { OwnAddress } from '../routing/relay/routing-context.js';
import type { Router, ServiceRequest } from '../routing/router.js';
import type { Runtime, TimerHandle } from '../runtime/runtime.js';
import type { BoardKeys } from './board-keys.js';
import type { BoardStore } from './board-store.js';
import type { StoredPost } from './board-store-types.js';
import {
  decodeGetRequest,
  decodeRepliesRequest,
  decodeRequest,
  decodeSearchRequest,
  encodeEntry,
  encodeError,
  encodeOk,
  encodeRepliesAnswer,
  encodeReplyAnswer,
  encodeSearchAnswer,
  encodeStoredAnswer,
} from './messages.js';
import { acceptPost, decodePost } from './post.js';
import { acceptReply, decodeReply } from './reply.js';
import { acceptReservation } from './reservation.js';
import { ReservationNotifier, entryOf } from './reservation-notifier.js';
import { ReplicaSync } from './replica-sync.js';
import { queryWords } from './text-rules.js';
import { BOARD_LIMITS, BoardOp, type ReservationRecord } from './types.js';
import { BoardErrors } from './board-errors.js';

export interface ReplicaConfig {
  /** Requests per second per previous hop, and the burst (§7.7). */
  rate: number;
  burst: number;
  /** Tokens a write (POST, REPLY, RESERVE) costs. */
  writeCost: number;
  expireEveryMs: number;
  helloEveryMs: number;
  pullEveryMs: number;
  requestTimeoutMs: number;
}

export const DEFAULT_REPLICA_CONFIG: ReplicaConfig = {
  rate: 10,
  burst: 50,
  writeCost: 5,
  expireEveryMs: 60_000,
  helloEveryMs: 60_000,
  pullEveryMs: 5_000,
  requestTimeoutMs: 30_000,
};

/** BOUNDED: rate-limit buckets (previous hops are neighbours, so a few dozen at most). */
const MAX_BUCKETS = 256;

export interface ReplicaOptions {
  router: Router;
  runtime: Runtime;
  keys: BoardKeys;
  store: BoardStore;
  logger: Logger;
  config?: Partial<ReplicaConfig>;
}

export interface ReplicaCounters {
  requests: number;
  refused: Record<string, number>;
  posts: number;
  replies: number;
  reservations: number;
  searches: number;
  notifications: number;
  synced: number;
  rateLimited: number;
}

export interface ReplicaStatus {
  address: string;
  replicaId: string;
  peers: { replicaId: string; lastPull: number | undefined; cursor: number }[];
  stored: { posts: number; replies: number; reservations: number };
  counters: ReplicaCounters;
}

export class BoardReplica {
  readonly config: ReplicaConfig;
  readonly counters: ReplicaCounters = { requests: 0, refused: {}, posts: 0, replies: 0, reservations: 0, searches: 0, notifications: 0, synced: 0, rateLimited: 0 };
  private readonly buckets = new Map<string, TokenBucket>(); // BOUNDED(MAX_BUCKETS)
  private readonly address: OwnAddress;
  private readonly notifier: ReservationNotifier;
  readonly sync: ReplicaSync;
  private readonly timers: TimerHandle[] = [];
  private readonly logger: Logger;

  constructor(private readonly o: ReplicaOptions) {
    this.config = { ...DEFAULT_REPLICA_CONFIG, ...o.config };
    this.logger = o.logger.child({ component: 'board' });
    const pub = o.keys.public;
    this.address = o.router.fixedAddress(pub.id, o.keys.routeKey, pub.routeKey, true);
    this.notifier = new ReservationNotifier({ router: o.router, runtime: o.runtime, keys: o.keys, store: o.store, logger: this.logger, onSent: () => this.counters.notifications++ });
    this.sync = new ReplicaSync({
      router: o.router,
      runtime: o.runtime,
      keys: o.keys,
      store: o.store,
      logger: this.logger,
      config: this.config,
      ingest: (kind, bytes) => this.ingest(kind, bytes, 'sync'),
    });
  }

  start(): void {
    this.o.router.serve(this.address, (req) => void this.onRequest(req));
    this.sync.start();
    const { clock } = this.o.runtime;
    this.timers.push(clock.setInterval(() => this.expire(), this.config.expireEveryMs));
    this.logger.log('info', 'board.replica-started', { replica: Buffer.from(this.o.store.replicaId).toString('hex').slice(0, 8) });
  }

  stop(): void {
    for (const t of this.timers) t.cancel();
    this.timers.length = 0;
    this.sync.stop();
    this.o.router.unserve(this.address);
  }

  status(): ReplicaStatus {
    const counts = this.o.store.counts();
    return {
      address: this.o.keys.address,
      replicaId: Buffer.from(this.o.store.replicaId).toString('hex'),
      peers: this.sync.peerStatus(),
      stored: { posts: counts.posts, replies: counts.replies, reservations: counts.reservations },
      counters: { ...this.counters, refused: { ...this.counters.refused } },
    };
  }

  /** The database passes SQLite's integrity check, its foreign keys and FTS5's index check (O(size)). */
  integrityCheck(): boolean {
    return this.o.store.integrityCheck();
  }

  private expire(): void {
    try {
      const gone = this.o.store.expire(this.o.runtime.clock.now());
      if (gone.posts + gone.replies + gone.reservations > 0) this.logger.log('info', 'board.expired', { ...gone });
    } catch (e) {
      this.logger.log('error', 'board.expire-failed', { reason: describeError(e) });
    }
  }

  private allow(previousHop: string, cost: number): boolean {
    const now = this.o.runtime.clock.now();
    let bucket = this.buckets.get(previousHop);
    if (!bucket) {
      if (this.buckets.size >= MAX_BUCKETS) this.buckets.delete(this.buckets.keys().next().value!);
      this.buckets.set(previousHop, (bucket = new TokenBucket(this.config.rate, this.config.burst, now)));
    }
    return bucket.take(now, cost);
  }

  private async onRequest(req: ServiceRequest): Promise<void> {
    this.counters.requests++;
    let answer: Uint8Array;
    let op = 0;
    try {
      const request = decodeRequest(req.bytes);
      op = request.op;
      const write = op === BoardOp.POST || op === BoardOp.REPLY || op === BoardOp.RESERVE;
      if (!this.allow(req.previousHop, write ? this.config.writeCost : 1)) {
        this.counters.rateLimited++;
        throw BoardErrors.BOARD_RATE_LIMITED('too many requests on this route; slow down');
      }
      answer = encodeOk(await this.handle(request.op, request.body));
    } catch (e) {
      const code = e instanceof TokumeiError ? e.code : 'BOARD_INTERNAL';
      if (!(e instanceof TokumeiError)) this.logger.log('error', 'board.request-failed', { op, reason: describeError(e) });
      this.counters.refused[code] = (this.counters.refused[code] ?? 0) + 1;
      this.logger.log('info', 'board.refused', { op, code });
      answer = encodeError(code, e instanceof TokumeiError ? e.message : 'internal error');
    }
    try {
      await req.respond(answer);
    } catch (e) {
      this.logger.log('debug', 'board.answer-lost', { op, reason: describeError(e) });
    }
  }

  private async handle(op: number, body: Uint8Array): Promise<Uint8Array> {
    const now = this.o.runtime.clock.now();
    switch (op) {
      case BoardOp.POST: {
        const stored = await this.ingest('post', body, 'client');
        return encodeStoredAnswer(stored);
      }
      case BoardOp.REPLY: {
        const stored = await this.ingest('reply', body, 'client');
        return encodeReplyAnswer(stored.id);
      }
      case BoardOp.RESERVE: {
        const stored = await this.ingest('reservation', body, 'client');
        return encodeStoredAnswer(stored);
      }
      case BoardOp.SEARCH: {
        const q = decodeSearchRequest(body);
        this.counters.searches++;
        const found = this.o.store.search({ words: q.words, fields: q.fields, limit: q.limit, now, before: q.before });
        return encodeSearchAnswer(found.map(entryOf));
      }
      case BoardOp.GET: {
        const post = this.o.store.getPost(decodeGetRequest(body), now);
        if (!post) throw BoardErrors.BOARD_NO_SUCH_POST('no such post (or it expired)');
        return encodeEntry(entryOf(post));
      }
      case BoardOp.REPLIES: {
        const q = decodeRepliesRequest(body);
        if (!this.o.store.getPost(q.postId, now)) throw BoardErrors.BOARD_NO_SUCH_POST('no such post (or it expired)');
        return encodeRepliesAnswer(this.o.store.replies(q.postId, q.since));
      }
      case BoardOp.HELLO:
        return this.sync.onHello(body);
      default:
        throw BoardErrors.BOARD_BAD_REQUEST(`operation ${op} is not served at the board address`);
    }
  }

  /**
   * Checks one record as §7.3 says and stores it; from a client, a duplicate is refused. Returns
   * the id and expiry. A new post is matched against the reservations (§7.5).
   */
  async ingest(kind: 'post' | 'reply' | 'reservation', bytes: Uint8Array, origin: 'client' | 'sync'): Promise<{ id: string; expires: number; inserted: boolean }> {
    const { store } = this.o;
    const now = this.o.runtime.clock.now();
    const duplicate = (what: string): never => {
      throw BoardErrors.BOARD_DUPLICATE(`this ${what} is already on the board (a replay)`);
    };
    if (kind === 'post') {
      const { post, message } = await acceptPost(bytes, this.o.keys.sealKey, now);
      const stored: StoredPost = { id: post.id, anonId: post.anonId, created: post.created, expires: post.expires, text: message.text, fields: message.fields, record: post.bytes, origin };
      const r = store.insertPost(stored);
      if (!r.inserted) {
        if (origin === 'client') duplicate('post');
        return { id: post.id, expires: post.expires, inserted: false };
      }
      if (origin === 'client') this.counters.posts++;
      else this.counters.synced++;
      this.notifier.onNewPost(stored);
      return { id: post.id, expires: post.expires, inserted: true };
    }
    if (kind === 'reply') {
      const draft = decodeReply(bytes);
      const stored = store.getPost(draft.postId, now);
      if (!stored) throw BoardErrors.BOARD_NO_SUCH_POST('the post answered is not on the board (or expired)');
      const reply = acceptReply(bytes, decodePost(stored.record), now);
      if (store.replyCount(reply.postId) >= BOARD_LIMITS.maxRepliesPerPost) {
        throw BoardErrors.BOARD_TOO_MANY_REPLIES(`that post already has ${BOARD_LIMITS.maxRepliesPerPost} replies`);
      }
      const r = store.insertReply({ id: reply.id, postId: reply.postId, created: reply.created, record: reply.bytes });
      if (!r.inserted && origin === 'client') duplicate('reply');
      if (r.inserted) origin === 'client' ? this.counters.replies++ : this.counters.synced++;
      return { id: reply.id, expires: stored.expires, inserted: r.inserted };
    }
    const res: ReservationRecord = acceptReservation(bytes, now);
    const r = store.insertReservation({
      id: res.id,
      created: res.created,
      expires: res.expires,
      notifyAddress: res.notifyAddress,
      words: res.query === '' ? [] : queryWords(res.query),
      fields: res.fields,
      record: res.bytes,
      origin,
    });
    if (!r.inserted && origin === 'client') duplicate('reservation');
    if (r.inserted) origin === 'client' ? this.counters.reservations++ : this.counters.synced++;
    return { id: res.id, expires: res.expires, inserted: r.inserted };
  }
}

/**
 * A replica's board database (docs/protocol.md §7.4–§7.7): posts with full-text search, replies,
 * reservations, the PULL log and per-peer cursors, in one SQLite file.
 *
 * It takes records that the caller has already decoded, checked and opened, and trusts them; it
 * only guards its own bounds (BOARD_FULL, BOARD_TOO_MANY_REPLIES). Every write is one transaction
 * committed (WAL, synchronous = FULL) before the method returns, so a record the replica
 * acknowledges survives `kill -9` (§7.7). All user data reaches SQLite as bound parameters.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';

import {
  applyPragmas, checkSchema, createSchema, prepareStatements, searchSql, type BoardStatements,
} from './board-store-schema.js';
import { BOARD_LIMITS, RecordKind, type BoardField, type RecordKindCode } from './types.js';
import type { RecordOrigin, StoredPost, NewReply, StoredReservation, InsertResult, SearchQuery, PulledRecord, PullPage, BoardStoreOptions, BoardStoreCounts, ExpireResult } from './board-store-types.js';
import { checkId, frozenReservation, positiveInt, postFromRow, quoteFtsWords, storeError, type PostRow } from './board-store-checks.js';
import { BoardErrors } from './board-errors.js';

type Statement = BetterSqlite3.Statement;
type ReservationRow = Omit<StoredReservation, 'words' | 'fields'> & { words: string; fields: string };

/** posts.order_key = created · 2^20 + n (see the schema), so this many posts at most. */
const MAX_POSTS = 2 ** 20 - 1;
/** created must fit order_key in 63 bits: before 2109. */
const MAX_CREATED = 2 ** 42;

export class BoardStore {
  readonly replicaId: Uint8Array;
  readonly path: string;
  private readonly db: BetterSqlite3.Database;
  private readonly maxPosts: number;
  private readonly maxReservations: number;
  private readonly maxRepliesPerPost: number;
  /**
   * The last seq handed out. Each record stores its own seq, so no counter row is written per
   * insert; meta.seq keeps the high-water mark only across deletions (see expire()). A seq taken
   * by a transaction that rolled back is skipped, which PULL does not mind.
   */
  private lastSeq: number;
  /** Rows in posts, kept here so that BOARD_FULL costs no count(*) per insert. */
  private postCount: number;
  /** BOUNDED(maxReservations): every stored reservation, for matching new posts in memory. */
  private readonly reservationCache = new Map<string, StoredReservation>();
  private readonly sql: BoardStatements;
  /** Search statements by shape (words or not × number of fields): at most 2 × 17. */
  private readonly searchSql = new Map<string, Statement>();
  private closed = false;

  private constructor(db: BetterSqlite3.Database, path: string, options: BoardStoreOptions) {
    this.db = db;
    this.path = path;
    this.maxPosts = Math.min(options.maxPosts ?? BOARD_LIMITS.maxPosts, MAX_POSTS);
    this.maxReservations = options.maxReservations ?? BOARD_LIMITS.maxReservations;
    this.maxRepliesPerPost = options.maxRepliesPerPost ?? BOARD_LIMITS.maxRepliesPerPost;
    this.sql = prepareStatements(db);
    const meta = db.prepare("SELECT value FROM meta WHERE key = 'replica_id'").get() as { value: unknown } | undefined;
    if (!(meta?.value instanceof Uint8Array) || meta.value.length !== 16) {
      throw BoardErrors.BOARD_STORE_CORRUPT(`${path}: the replica id is missing or malformed`);
    }
    this.replicaId = new Uint8Array(meta.value);
    this.postCount = (this.sql.countPosts.get() as { n: number }).n;
    this.lastSeq = (this.sql.lastSeq.get() as { seq: number }).seq;
    for (const row of this.sql.allReservations.all() as ReservationRow[]) {
      const r = frozenReservation({ ...row, words: JSON.parse(row.words) as string[], fields: JSON.parse(row.fields) as BoardField[] });
      this.reservationCache.set(r.id, r);
    }
  }

  /**
   * Opens (creating if needed) the store at `path`. A file that is not SQLite, or is damaged, gives
   * BOARD_STORE_CORRUPT; an SQLite file of another program or schema version, BOARD_STORE_VERSION.
   */
  static open(path: string, options: BoardStoreOptions = {}): BoardStore {
    let db: BetterSqlite3.Database | undefined;
    try {
      db = new Database(path);
      db.pragma('busy_timeout = 5000');
      const state = checkSchema(db, path);
      applyPragmas(db);
      if (state === 'empty') createSchema(db, randomBytes(16));
      return new BoardStore(db, path, options);
    } catch (e) {
      try {
        db?.close();
      } catch {
        // already failing; the first error is the one to report
      }
      // Past the version check, a missing table or column means a damaged file.
      const err = storeError(e, path);
      throw err.code === 'BOARD_STORE_FAILED'
        ? BoardErrors.BOARD_STORE_CORRUPT(`${path}: the board store's schema is damaged (${err.message})`, { cause: e })
        : err;
    }
  }

  insertPost(p: StoredPost): InsertResult {
    checkId(p.id);
    if (!Number.isSafeInteger(p.created) || p.created < 0 || p.created >= MAX_CREATED || !Number.isSafeInteger(p.expires)) {
      throw BoardErrors.BOARD_STORE_ARGUMENT('created and expires must be integer milliseconds');
    }
    if (new Set(p.fields.map((f) => f.key)).size !== p.fields.length) {
      throw BoardErrors.BOARD_BAD_FIELD('a field key is repeated');
    }
    return this.write(() => {
      const existing = this.sql.postSeq.get(p.id) as { seq: number } | undefined;
      if (existing) return { inserted: false, seq: existing.seq };
      if (this.postCount >= this.maxPosts) {
        throw BoardErrors.BOARD_FULL(`the board holds ${this.postCount} posts, its limit`);
      }
      const seq = this.nextSeq();
      this.sql.insertPost.run({
        seq, id: p.id, anonId: p.anonId, created: p.created, expires: p.expires, text: p.text, record: p.record, origin: p.origin,
      });
      p.fields.forEach((f, i) => this.sql.insertField.run(seq, f.key, f.value, i));
      return { inserted: true, seq };
    }, (r) => {
      if (r.inserted) this.postCount++;
    });
  }

  /** The post, unless it is unknown or expired at `now`. */
  getPost(id: string, now: number): StoredPost | undefined {
    return this.read(() => {
      const row = this.sql.getPost.get(id, now) as PostRow | undefined;
      return row && postFromRow(row);
    });
  }

  /** §7.4: unexpired posts holding every word and every field, newest first. */
  search(q: SearchQuery): StoredPost[] {
    if (q.words.length === 0 && q.fields.length === 0) {
      throw BoardErrors.BOARD_BAD_QUERY('a search needs words or fields');
    }
    if (q.fields.length > BOARD_LIMITS.maxFields || q.words.length > BOARD_LIMITS.maxQueryWords) {
      throw BoardErrors.BOARD_BAD_QUERY('too many query words or fields');
    }
    const limit = Math.min(positiveInt('limit', q.limit), BOARD_LIMITS.maxSearchResults);
    return this.read(() => {
      // order_key = created·2^20 + n (schema): "created before q.before" is a key bound.
      const beforeKey = q.before !== undefined && q.before > 0 ? BigInt(Math.floor(q.before)) << 20n : (1n << 63n) - 1n;
      const params: Record<string, unknown> = { now: q.now, limit, beforeKey };
      if (q.words.length > 0) params.match = quoteFtsWords(q.words);
      q.fields.forEach((f, i) => {
        params[`k${i}`] = f.key;
        params[`v${i}`] = f.value;
      });
      const rows = this.searchStatement(q.words.length > 0, q.fields.length).all(params) as PostRow[];
      return rows.map(postFromRow);
    });
  }

  /**
   * Whether stored post `postId` holds every word, by the same FTS5 match as search (§7.5: the
   * notifier confirms a reservation's candidates with it). Expiry is not looked at.
   */
  postMatches(postId: string, words: string[]): boolean {
    return this.read(() => {
      if (words.length === 0) return this.sql.postSeq.get(postId) !== undefined;
      return this.sql.postMatches.get({ id: postId, match: quoteFtsWords(words) }) !== undefined;
    });
  }

  /** Stores a reply to a stored post; BOARD_NO_SUCH_POST and BOARD_TOO_MANY_REPLIES are checked here too. */
  insertReply(r: NewReply): InsertResult {
    checkId(r.id);
    return this.write(() => {
      const existing = this.sql.replySeq.get(r.id) as { seq: number } | undefined;
      if (existing) return { inserted: false, seq: existing.seq };
      if (!this.sql.postSeq.get(r.postId)) {
        throw BoardErrors.BOARD_NO_SUCH_POST(`no post ${r.postId} for reply ${r.id}`);
      }
      if (this.countReplies(r.postId) >= this.maxRepliesPerPost) {
        throw BoardErrors.BOARD_TOO_MANY_REPLIES(`post ${r.postId} has ${this.maxRepliesPerPost} replies`);
      }
      const seq = this.nextSeq();
      this.sql.insertReply.run(seq, r.id, r.postId, r.created, r.record);
      return { inserted: true, seq };
    });
  }

  replyCount(postId: string): number {
    return this.read(() => this.countReplies(postId));
  }

  /** Reply records of a post created after `since`, oldest first. BOUNDED(maxRepliesPerPost). */
  replies(postId: string, since: number): Uint8Array[] {
    return this.read(() => (this.sql.replies.all(postId, since) as { record: Uint8Array }[]).map((r) => r.record));
  }

  insertReservation(r: StoredReservation): InsertResult {
    checkId(r.id);
    return this.write(() => {
      const existing = this.sql.reservationSeq.get(r.id) as { seq: number } | undefined;
      if (existing) return { inserted: false, seq: existing.seq };
      if (this.reservationCache.size >= this.maxReservations) {
        throw BoardErrors.BOARD_FULL(`the board holds ${this.reservationCache.size} reservations, its limit`);
      }
      const seq = this.nextSeq();
      this.sql.insertReservation.run(
        seq, r.id, r.created, r.expires, r.notifyAddress, JSON.stringify(r.words),
        JSON.stringify(r.fields.map((f) => ({ key: f.key, value: f.value }))), r.record, r.origin,
      );
      return { inserted: true, seq };
    }, (res) => {
      if (res.inserted) this.reservationCache.set(r.id, frozenReservation(r));
    });
  }

  /** Unexpired reservations, from memory (no SQL; frozen objects): the caller matches each new post against them. */
  reservations(now: number): StoredReservation[] {
    this.assertOpen();
    const out: StoredReservation[] = [];
    for (const r of this.reservationCache.values()) if (r.expires > now) out.push(r);
    return out;
  }

  /** §7.6 PULL: unexpired records stored after `since`, in seq order, at most `limit` (≤ 500). */
  pull(since: number, limit: number, now: number): PullPage {
    const n = Math.min(positiveInt('limit', limit), BOARD_LIMITS.maxPullRecords);
    if (!Number.isSafeInteger(since) || since < 0) {
      throw BoardErrors.BOARD_STORE_ARGUMENT('since must be a non-negative integer');
    }
    return this.read(() => {
      // One page per table (each walks its rowid from `since`), merged here: n + 1 tells `more`.
      const kinds: [RecordKindCode, Statement][] = [
        [RecordKind.POST, this.sql.pullPosts],
        [RecordKind.REPLY, this.sql.pullReplies],
        [RecordKind.RESERVATION, this.sql.pullReservations],
      ];
      const all: PulledRecord[] = [];
      for (const [kind, stmt] of kinds) {
        for (const row of stmt.all(since, now, n + 1) as { seq: number; record: Uint8Array }[]) {
          all.push({ kind, seq: row.seq, record: row.record });
        }
      }
      all.sort((a, b) => a.seq - b.seq);
      const records = all.slice(0, n);
      return { records, next: records.at(-1)?.seq ?? since, more: all.length > n };
    });
  }

  /** The seq up to which we have pulled from replica `peerHex` (0 if never). */
  cursor(peerHex: string): number {
    checkId(peerHex);
    return this.read(() => (this.sql.cursor.get(peerHex) as { cursor: number } | undefined)?.cursor ?? 0);
  }

  setCursor(peerHex: string, seq: number): void {
    checkId(peerHex);
    if (!Number.isSafeInteger(seq) || seq < 0) {
      throw BoardErrors.BOARD_STORE_ARGUMENT('a cursor must be a non-negative integer');
    }
    this.write(() => this.sql.setCursor.run(peerHex, seq));
  }

  /** §7.7: deletes posts (with their replies, fields and index entries) and reservations expired at `now`. */
  expire(now: number): ExpireResult {
    let result: ExpireResult = { posts: 0, replies: 0, reservations: 0 };
    this.write(() => {
      // The newest records may be among those deleted: keep their seq from being handed out again.
      this.sql.keepSeq.run(this.lastSeq);
      const replies = this.sql.expireReplies.run(now).changes;
      this.sql.expireFields.run(now);
      const posts = this.sql.expirePosts.run(now).changes;
      const reservations = this.sql.expireReservations.run(now).changes;
      result = { posts, replies, reservations };
    }, () => {
      this.postCount -= result.posts;
      for (const [id, r] of this.reservationCache) if (r.expires <= now) this.reservationCache.delete(id);
    });
    return result;
  }

  /** Rows stored, expired or not. */
  counts(): BoardStoreCounts {
    return this.read(() => {
      const n = (table: string): number => (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      return { posts: n('posts'), replies: n('replies'), reservations: n('reservations'), peers: n('peers_cursor') };
    });
  }

  /** SQLite's integrity check, foreign keys, and FTS5's check of its index against the posts. */
  integrityCheck(): boolean {
    return this.read(() => {
      const rows = this.db.pragma('integrity_check') as { integrity_check: string }[];
      if (rows.length !== 1 || rows[0]!.integrity_check !== 'ok') return false;
      if ((this.db.pragma('foreign_key_check') as unknown[]).length > 0) return false;
      try {
        this.db.prepare("INSERT INTO posts_fts (posts_fts, rank) VALUES ('integrity-check', 1)").run();
      } catch (e) {
        if ((e as { code?: string }).code?.startsWith('SQLITE_CORRUPT')) return false;
        throw e;
      }
      return true;
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.close();
    } catch (e) {
      throw storeError(e, this.path);
    }
  }

  private nextSeq(): number {
    return ++this.lastSeq;
  }

  private countReplies(postId: string): number {
    return (this.sql.replyCount.get(postId) as { n: number }).n;
  }

  /** Search statements are prepared once per shape: words or not × number of fields. */
  private searchStatement(words: boolean, nfields: number): Statement {
    const key = `${words ? 'w' : '-'}${nfields}`;
    let stmt = this.searchSql.get(key);
    if (!stmt) {
      stmt = this.db.prepare(searchSql(words, nfields));
      this.searchSql.set(key, stmt);
    }
    return stmt;
  }

  private assertOpen(): void {
    if (this.closed) throw BoardErrors.BOARD_STORE_CLOSED(`${this.path} is closed`);
  }

  private read<T>(fn: () => T): T {
    this.assertOpen();
    try {
      return fn();
    } catch (e) {
      throw storeError(e, this.path);
    }
  }

  /**
   * Runs `fn` in one immediate transaction, committed (and so synced, §7.7) before this returns;
   * `after` updates in-memory state once the commit succeeded.
   */
  private write<T>(fn: () => T, after?: (result: T) => void): T {
    this.assertOpen();
    let result: T;
    try {
      this.sql.begin.run();
      try {
        result = fn();
        this.sql.commit.run();
      } catch (e) {
        if (this.db.inTransaction) this.sql.rollback.run();
        throw e;
      }
    } catch (e) {
      throw storeError(e, this.path);
    }
    after?.(result);
    return result;
  }
}

/**
 * The board store's SQLite file (docs/protocol.md §7.7): pragmas, schema, the version check that
 * tells a board store from a corrupt or foreign file before anything is written to it, and every
 * SQL statement the store runs.
 *
 * One sequence (`meta.seq`) numbers posts, replies and reservations in the order this replica
 * stored them (§7.6); PULL pages through each table by it. Posts are keyed by creation time
 * instead, for search.
 */
import type BetterSqlite3 from 'better-sqlite3';

import { BoardErrors } from './board-errors.js';

/** `PRAGMA user_version` of the schema below. */
export const BOARD_SCHEMA_VERSION = 1;
/** `PRAGMA application_id`: 'tkbs', so other tools (and we) can tell the file apart. */
export const BOARD_APPLICATION_ID = 0x746b6273;

const SCHEMA = `
-- 'replica_id': BLOB(16). 'seq': INTEGER, the highest seq used as of the last expire(): records
-- carry their own seq, so this only matters once the newest ones were deleted.
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value NOT NULL
) WITHOUT ROWID;

-- order_key = created · 2^20 + n (n counts posts of the same millisecond): rowid order is created
-- order, so "newest first" (§7.4) walks posts_fts and post_fields backwards and stops at the limit
-- instead of sorting every match. At most 2^20 − 1 posts are stored, so n never overflows.
CREATE TABLE posts (
  order_key INTEGER PRIMARY KEY CHECK (order_key >> 20 = created),
  seq       INTEGER NOT NULL UNIQUE,        -- meta.seq when stored (§7.6)
  id        TEXT NOT NULL UNIQUE,           -- hex of the 16-byte record id
  anon_id   BLOB NOT NULL,
  created   INTEGER NOT NULL,
  expires   INTEGER NOT NULL,
  text      TEXT NOT NULL,
  record    BLOB NOT NULL,
  origin    TEXT NOT NULL CHECK (origin IN ('client', 'sync'))
);
CREATE INDEX posts_expires ON posts (expires);

CREATE TABLE post_fields (
  post_key INTEGER NOT NULL REFERENCES posts (order_key) ON DELETE CASCADE,
  key      TEXT NOT NULL,                   -- unique per post (§7.3)
  value    TEXT NOT NULL,
  pos      INTEGER NOT NULL,                -- the field's place in the message
  PRIMARY KEY (post_key, key)
) WITHOUT ROWID;
CREATE INDEX post_fields_key_value ON post_fields (key, value, post_key);

CREATE VIRTUAL TABLE posts_fts USING fts5 (
  text, content = 'posts', content_rowid = 'order_key', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
  INSERT INTO posts_fts (rowid, text) VALUES (new.order_key, new.text);
END;
CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, text) VALUES ('delete', old.order_key, old.text);
END;

CREATE TABLE replies (
  seq     INTEGER PRIMARY KEY,
  id      TEXT NOT NULL UNIQUE,
  post_id TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  created INTEGER NOT NULL,
  record  BLOB NOT NULL
);
CREATE INDEX replies_post ON replies (post_id, created);

CREATE TABLE reservations (
  seq            INTEGER PRIMARY KEY,
  id             TEXT NOT NULL UNIQUE,
  created        INTEGER NOT NULL,
  expires        INTEGER NOT NULL,
  notify_address TEXT NOT NULL,
  query_words    TEXT NOT NULL,             -- JSON array of strings
  fields         TEXT NOT NULL,             -- JSON array of {key, value}
  record         BLOB NOT NULL,
  origin         TEXT NOT NULL CHECK (origin IN ('client', 'sync'))
);
CREATE INDEX reservations_expires ON reservations (expires);

-- UNBOUNDED: one row per replica id ever pulled from; only holders of the board key announce.
CREATE TABLE peers_cursor (
  replica_id TEXT PRIMARY KEY,
  cursor     INTEGER NOT NULL
) WITHOUT ROWID;
`;

/**
 * Reads (never writes) the file's identity: 'empty' for a new file, 'ok' for a board store of this
 * schema version; anything else throws BOARD_STORE_VERSION. A non-database throws SqliteError
 * (SQLITE_NOTADB), which the caller maps to BOARD_STORE_CORRUPT.
 */
export function checkSchema(db: BetterSqlite3.Database, path: string): 'empty' | 'ok' {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  const objects = (db.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number }).n;
  if (appId === 0 && version === 0 && objects === 0) return 'empty';
  if (appId !== BOARD_APPLICATION_ID) {
    throw BoardErrors.BOARD_STORE_VERSION(`${path} is an SQLite file but not a tokumei board store`);
  }
  if (version !== BOARD_SCHEMA_VERSION) {
    throw BoardErrors.BOARD_STORE_VERSION(`${path} is a board store of schema version ${version}; this tokumei reads version ${BOARD_SCHEMA_VERSION}`,
    );
  }
  return 'ok';
}

/** §7.7: WAL, and a commit is on disk before it returns (synchronous = FULL). */
export function applyPragmas(db: BetterSqlite3.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
}

/** Creates the schema in an empty file, with this replica's persistent id (§7.6). */
export function createSchema(db: BetterSqlite3.Database, replicaId: Uint8Array): void {
  db.transaction(() => {
    db.exec(SCHEMA);
    const meta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    meta.run('replica_id', replicaId);
    meta.run('seq', 0);
    db.pragma(`application_id = ${BOARD_APPLICATION_ID}`);
    db.pragma(`user_version = ${BOARD_SCHEMA_VERSION}`);
  }).immediate();
}

/** A post row with its fields as JSON `[[key, value], …]` in message order. */
const POST_COLUMNS = `p.id, p.anon_id AS anonId, p.created, p.expires, p.text, p.record, p.origin,
  (SELECT json_group_array(json_array(key, value) ORDER BY pos) FROM post_fields WHERE post_key = p.order_key) AS fields`;
const RESERVATION_COLUMNS =
  'id, created, expires, notify_address AS notifyAddress, query_words AS words, fields, record, origin';

/** One prepared statement (named here so that declarations can name it). */
export interface Statement extends BetterSqlite3.Statement<unknown[], unknown> {}

/** Every fixed statement of the store, prepared once. User data only ever goes in as parameters. */
export function prepareStatements(db: BetterSqlite3.Database) {
  const p = (sql: string): Statement => db.prepare(sql);
  return {
    begin: p('BEGIN IMMEDIATE'),
    commit: p('COMMIT'),
    rollback: p('ROLLBACK'),
    lastSeq: p(
      `SELECT max((SELECT value FROM meta WHERE key = 'seq'), coalesce((SELECT max(seq) FROM posts), 0),
                  coalesce((SELECT max(seq) FROM replies), 0), coalesce((SELECT max(seq) FROM reservations), 0)) AS seq`,
    ),
    keepSeq: p("UPDATE meta SET value = max(value, ?) WHERE key = 'seq'"),
    postSeq: p('SELECT seq FROM posts WHERE id = ?'),
    // The next free order_key of the post's millisecond (see the schema). The CAST matters:
    // better-sqlite3 binds numbers as REAL, and a double cannot hold created · 2^20 + n exactly.
    insertPost: p(
      `INSERT INTO posts (order_key, seq, id, anon_id, created, expires, text, record, origin) VALUES (
         (SELECT coalesce(max(order_key) + 1, CAST(@created AS INTEGER) << 20) FROM posts
          WHERE order_key BETWEEN CAST(@created AS INTEGER) << 20 AND (CAST(@created AS INTEGER) << 20) + 1048575),
         @seq, @id, @anonId, @created, @expires, @text, @record, @origin)`,
    ),
    insertField: p(
      'INSERT INTO post_fields (post_key, key, value, pos) VALUES ((SELECT order_key FROM posts WHERE seq = ?), ?, ?, ?)',
    ),
    getPost: p(`SELECT ${POST_COLUMNS} FROM posts p WHERE p.id = ? AND p.expires > ?`),
    postMatches: p(
      // A join, not `rowid = (subquery)`: FTS5 reads `rowid = NULL` (unknown id) as no constraint.
      `SELECT 1 FROM posts p JOIN posts_fts f ON f.rowid = p.order_key
       WHERE p.id = @id AND posts_fts MATCH @match`,
    ),
    replySeq: p('SELECT seq FROM replies WHERE id = ?'),
    insertReply: p('INSERT INTO replies (seq, id, post_id, created, record) VALUES (?, ?, ?, ?, ?)'),
    replyCount: p('SELECT count(*) AS n FROM replies WHERE post_id = ?'),
    replies: p('SELECT record FROM replies WHERE post_id = ? AND created > ? ORDER BY created, seq'),
    reservationSeq: p('SELECT seq FROM reservations WHERE id = ?'),
    insertReservation: p(
      `INSERT INTO reservations (seq, id, created, expires, notify_address, query_words, fields, record, origin)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    allReservations: p(`SELECT ${RESERVATION_COLUMNS} FROM reservations`),
    // PULL: each walks its table's rowid (= seq) from the cursor.
    pullPosts: p('SELECT seq, record FROM posts WHERE seq > ? AND expires > ? ORDER BY seq LIMIT ?'),
    pullReplies: p(
      `SELECT r.seq, r.record FROM replies r JOIN posts p ON p.id = r.post_id
       WHERE r.seq > ? AND p.expires > ? ORDER BY r.seq LIMIT ?`,
    ),
    pullReservations: p('SELECT seq, record FROM reservations WHERE seq > ? AND expires > ? ORDER BY seq LIMIT ?'),
    cursor: p('SELECT cursor FROM peers_cursor WHERE replica_id = ?'),
    setCursor: p(
      `INSERT INTO peers_cursor (replica_id, cursor) VALUES (?, ?)
       ON CONFLICT (replica_id) DO UPDATE SET cursor = excluded.cursor`,
    ),
    // Explicit deletes (not only ON DELETE CASCADE) so that the counts are right.
    expireReplies: p('DELETE FROM replies WHERE post_id IN (SELECT id FROM posts WHERE expires <= ?)'),
    expireFields: p('DELETE FROM post_fields WHERE post_key IN (SELECT order_key FROM posts WHERE expires <= ?)'),
    expirePosts: p('DELETE FROM posts WHERE expires <= ?'),
    expireReservations: p('DELETE FROM reservations WHERE expires <= ?'),
    countPosts: p('SELECT count(*) AS n FROM posts'),
  };
}

export type BoardStatements = ReturnType<typeof prepareStatements>;

/**
 * §7.4 search, for `words` (bound as @match, already quoted) and `nfields` fields (@k0/@v0…);
 * also @now, @limit and @beforeKey (paging: posts created before a time). The SQL depends only on that shape, never on what is searched. Both
 * shapes walk an index backwards in order_key (= created) order and stop at the limit: posts_fts
 * when there are words, else the first field's (key, value, post_key) index; other fields are
 * primary-key lookups.
 */
export function searchSql(words: boolean, nfields: number): string {
  const exists = (i: number) => `EXISTS (SELECT 1 FROM post_fields WHERE post_key = p.order_key AND key = @k${i} AND value = @v${i})`;
  const where: string[] = [];
  let from: string;
  let order: string;
  if (words) {
    from = 'posts_fts f JOIN posts p ON p.order_key = f.rowid';
    where.push('posts_fts MATCH @match');
    order = 'f.rowid DESC';
  } else {
    if (nfields === 0) throw new RangeError('a search needs words or fields');
    from = 'post_fields f JOIN posts p ON p.order_key = f.post_key';
    where.push('f.key = @k0', 'f.value = @v0');
    order = 'f.post_key DESC';
  }
  where.push('p.expires > @now', `${words ? 'f.rowid' : 'f.post_key'} < @beforeKey`);
  for (let i = words ? 0 : 1; i < nfields; i++) where.push(exists(i));
  return `SELECT ${POST_COLUMNS} FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT @limit`;
}

/**
 * The board store (docs/protocol.md §7.7) against plain better-sqlite3, measured in the same run
 * on the same disk with the same pragmas (WAL, synchronous = FULL, one transaction per insert):
 *  - ingest: N generated posts (30–80 words from a seeded Zipf vocabulary, 0–3 fields) into a
 *    BoardStore vs into a plain posts table + fields table + FTS5 index;
 *  - search: 1,000 queries (1–3 words from a random post, ~30% with one of its fields; the newest
 *    50 matches, each with its fields) against the N posts, p50/p99 latency. The baseline sorts
 *    matches by `created` (what §7.4 asks); "arrival order" rows show the same baseline returning
 *    the newest *stored* first instead (FTS5 walks its rowids backwards: the cheapest possible,
 *    but not created order). The store keys posts by created time to get the latter's speed.
 * Run: `npm run bench:board -- --posts 20000` (default 100,000 posts).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { BoardStore } from '../src/board/board-store.js';
import type { BoardField } from '../src/board/types.js';

const { values: args } = parseArgs({
  options: { posts: { type: 'string', default: '100000' }, queries: { type: 'string', default: '1000' } },
});
const N = Number(args.posts);
const Q = Number(args.queries);
if (!Number.isSafeInteger(N) || N < 1 || !Number.isSafeInteger(Q) || Q < 1) throw new Error('--posts and --queries take positive integers');

/** mulberry32: a small seeded generator, so every run ingests the same board. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = seeded(7);
const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));

// Vocabulary: 8,000 made-up words (some with diacritics), drawn with Zipf weights (s = 1).
const SYLLABLES = ['ka', 'to', 'mi', 'ra', 'su', 'ne', 'lo', 'bi', 'da', 'fe', 'gu', 'ho', 'ji', 'ku', 'ma', 'no', 'pe', 'ri', 'sa', 'té', 'ü', 'zo', 'an', 'el', 'or'];
const VOCAB = Array.from({ length: 8_000 }, () => Array.from({ length: int(1, 4) }, () => SYLLABLES[int(0, SYLLABLES.length - 1)]).join(''));
const cumulative: number[] = [];
VOCAB.reduce((sum, _, i) => (cumulative[i] = sum + 1 / (i + 1)), 0);
const totalWeight = cumulative.at(-1)!;
function zipfWord(): string {
  const x = rnd() * totalWeight;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return VOCAB[lo]!;
}
const FIELD_VALUES: Record<string, string[]> = {
  city: Array.from({ length: 40 }, (_, i) => `city${i}`),
  kind: ['offer', 'request', 'event', 'question', 'notice'],
  lang: ['ja', 'en', 'fr', 'de', 'es', 'pt', 'ko', 'zh'],
};
const FIELD_KEYS = Object.keys(FIELD_VALUES);

// A pool of random bytes that records and anonymous IDs are cut from (contents do not matter to SQLite).
const POOL = new Uint8Array(1 << 20).map(() => int(0, 255));
const NOW = 1_780_000_000_000;

interface BenchPost { id: string; anonId: Uint8Array; created: number; expires: number; text: string; fields: BoardField[]; record: Uint8Array }
const posts: BenchPost[] = [];
for (let i = 0; i < N; i++) {
  const words = Array.from({ length: int(30, 80) }, zipfWord);
  const text = words.join(' ');
  const keys = [...FIELD_KEYS].sort(() => rnd() - 0.5).slice(0, int(0, 3));
  const fields = keys.map((key) => ({ key, value: FIELD_VALUES[key]![int(0, FIELD_VALUES[key]!.length - 1)]! }));
  const id = Array.from({ length: 4 }, () => Math.floor(rnd() * 2 ** 32).toString(16).padStart(8, '0')).join('');
  const recordLength = 360 + Buffer.byteLength(text) + fields.length * 16;
  const off = int(0, POOL.length - recordLength - 1);
  posts.push({ id, anonId: POOL.subarray(off, off + 64), created: NOW - (N - i) * 1000 - int(0, 300_000), expires: NOW + 86_400_000, text, fields, record: POOL.subarray(off, off + recordLength) });
}
const queries = Array.from({ length: Q }, () => {
  const p = posts[int(0, N - 1)]!;
  const words = p.text.split(' ');
  const qWords = Array.from({ length: int(1, 3) }, () => words[int(0, words.length - 1)]!);
  const fields = rnd() < 0.3 && p.fields.length > 0 ? [p.fields[int(0, p.fields.length - 1)]!] : [];
  return { words: [...new Set(qWords)], fields };
});

// --- The plain-SQLite baseline ---------------------------------------------------------------
function openBaseline(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.exec(`
    CREATE TABLE posts (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, anon_id BLOB, created INTEGER,
                        expires INTEGER, text TEXT, record BLOB);
    CREATE TABLE fields (post INTEGER, key TEXT, value TEXT, PRIMARY KEY (post, key)) WITHOUT ROWID;
    CREATE INDEX fields_kv ON fields (key, value);
    CREATE VIRTUAL TABLE fts USING fts5 (text, content = 'posts', content_rowid = 'rowid',
                                         tokenize = 'unicode61 remove_diacritics 2');`);
  return db;
}

function fileSize(path: string): number {
  let n = 0;
  for (const f of [path, `${path}-wal`]) {
    try {
      n += statSync(f).size;
    } catch {
      // no WAL after a clean close
    }
  }
  return n;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** `fn` runs one query and returns how many posts it found. */
function latencies(fn: (q: (typeof queries)[number]) => number): { p50: number; p99: number; mean: number; hits: number } {
  for (const q of queries.slice(0, 20)) fn(q); // warm up
  const ms: number[] = [];
  let hits = 0;
  for (const q of queries) {
    const t = performance.now();
    hits += fn(q);
    ms.push(performance.now() - t);
  }
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), mean, hits };
}

const quote = (words: string[]): string => words.map((w) => `"${w.replaceAll('"', '""')}"`).join(' ');
const dir = mkdtempSync(join(tmpdir(), 'tokumei-board-bench-'));
try {
  console.log(`board store bench: ${N.toLocaleString('en')} posts, ${Q.toLocaleString('en')} queries, files in ${dir}\n`);

  // Ingest, in alternating chunks of 1,000 posts, so that both sides see the same machine load.
  const storePath = join(dir, 'board.sqlite');
  const store = BoardStore.open(storePath);
  const basePath = join(dir, 'baseline.sqlite');
  const base = openBaseline(basePath);
  const insPost = base.prepare('INSERT INTO posts (id, anon_id, created, expires, text, record) VALUES (?, ?, ?, ?, ?, ?)');
  const insFts = base.prepare('INSERT INTO fts (rowid, text) VALUES (?, ?)');
  const insField = base.prepare('INSERT INTO fields (post, key, value) VALUES (?, ?, ?)');
  const insert = base.transaction((p: BenchPost) => {
    const rowid = insPost.run(p.id, p.anonId, p.created, p.expires, p.text, p.record).lastInsertRowid;
    insFts.run(rowid, p.text);
    for (const f of p.fields) insField.run(rowid, f.key, f.value);
  });
  let storeMs = 0;
  let baseMs = 0;
  for (let at = 0; at < N; at += 1_000) {
    const chunk = posts.slice(at, at + 1_000);
    let t = performance.now();
    for (const p of chunk) store.insertPost({ ...p, origin: 'client' });
    storeMs += performance.now() - t;
    t = performance.now();
    for (const p of chunk) insert(p);
    baseMs += performance.now() - t;
  }
  const storeIngest = N / (storeMs / 1000);
  const baseIngest = N / (baseMs / 1000);

  // Search.
  const storeLat = latencies((q) => store.search({ words: q.words, fields: q.fields, limit: 50, now: NOW }).length);
  const fieldsOf = base.prepare('SELECT key, value FROM fields WHERE post = ?');
  const baseSearch = new Map<string, Database.Statement>();
  const baseline = (arrival: boolean) => (q: (typeof queries)[number]): number => {
    const key = `${arrival}/${q.words.length > 0}/${q.fields.length}`;
    let stmt = baseSearch.get(key);
    if (!stmt) {
      // The textbook form: FTS5 joined to its content table, fields as IN lists.
      const words = q.words.length > 0;
      const where = [...(words ? ['fts MATCH ?'] : []), 'p.expires > ?'];
      for (const _ of q.fields) where.push('p.rowid IN (SELECT post FROM fields WHERE key = ? AND value = ?)');
      stmt = base.prepare(`SELECT p.rowid, p.id, p.anon_id, p.created, p.expires, p.text, p.record
                           FROM ${words ? 'fts f JOIN posts p ON p.rowid = f.rowid' : 'posts p'}
                           WHERE ${where.join(' AND ')}
                           ORDER BY ${arrival ? (words ? 'f.rowid' : 'p.rowid') : 'p.created'} DESC LIMIT 50`);
      baseSearch.set(key, stmt);
    }
    const params: unknown[] = [];
    if (q.words.length > 0) params.push(quote(q.words));
    params.push(NOW);
    for (const f of q.fields) params.push(f.key, f.value);
    const rows = stmt.all(...params) as { rowid: number }[];
    for (const r of rows) fieldsOf.all(r.rowid);
    return rows.length;
  };
  const baseLat = latencies(baseline(false));
  const arrivalLat = latencies(baseline(true));
  if (storeLat.hits !== baseLat.hits) console.log(`warning: the store found ${storeLat.hits} results, the baseline ${baseLat.hits}`);

  store.close();
  base.close();
  const storeSize = fileSize(storePath);
  const baseSize = fileSize(basePath);

  const row = (label: string, s: string, b: string, ratio: string) =>
    console.log(`${label.padEnd(28)} ${s.padStart(12)} ${b.padStart(12)} ${ratio.padStart(8)}`);
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  row('', 'BoardStore', 'plain SQLite', 'ratio');
  row('ingest (posts/s)', Math.round(storeIngest).toLocaleString('en'), Math.round(baseIngest).toLocaleString('en'), (storeIngest / baseIngest).toFixed(2));
  row('search p50', ms(storeLat.p50), ms(baseLat.p50), (storeLat.p50 / baseLat.p50).toFixed(2));
  row('search p99', ms(storeLat.p99), ms(baseLat.p99), (storeLat.p99 / baseLat.p99).toFixed(2));
  row('search mean', ms(storeLat.mean), ms(baseLat.mean), (storeLat.mean / baseLat.mean).toFixed(2));
  row('search p50, arrival order', ms(storeLat.p50), ms(arrivalLat.p50), (storeLat.p50 / arrivalLat.p50).toFixed(2));
  row('search p99, arrival order', ms(storeLat.p99), ms(arrivalLat.p99), (storeLat.p99 / arrivalLat.p99).toFixed(2));
  row('file size (MB)', (storeSize / 2 ** 20).toFixed(1), (baseSize / 2 ** 20).toFixed(1), (storeSize / baseSize).toFixed(2));
  console.log(`\nmean results per query: ${(storeLat.hits / Q).toFixed(1)}; ingest ratio > 1 and latency/size ratios < 1 favour the store`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

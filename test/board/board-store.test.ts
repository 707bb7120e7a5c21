import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { BoardStore } from '../../src/board/board-store.js';
import type { StoredPost, StoredReservation } from '../../src/board/board-store-types.js';
import { RecordKind, type BoardField } from '../../src/board/types.js';
import { TokumeiError } from '../../src/errors.js';

const NOW = 1_780_000_000_000;
const HOUR = 3_600_000;
const is = (code: string) => (e: unknown) => e instanceof TokumeiError && e.code === code;
const hex = (): string => randomBytes(16).toString('hex');

function withDir(fn: (dir: string) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokumei-board-store-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

let clock = 0;
function post(text: string, over: Partial<StoredPost> = {}): StoredPost {
  return {
    id: hex(),
    anonId: randomBytes(64),
    created: NOW + clock++,
    expires: NOW + 24 * HOUR,
    text,
    fields: [],
    record: randomBytes(200),
    origin: 'client',
    ...over,
  };
}

function reservation(words: string[], fields: BoardField[] = [], over: Partial<StoredReservation> = {}): StoredReservation {
  return {
    id: hex(),
    created: NOW,
    expires: NOW + HOUR,
    notifyAddress: 'tk1' + 'a'.repeat(40),
    words,
    fields,
    record: randomBytes(150),
    origin: 'client',
    ...over,
  };
}

const texts = (posts: StoredPost[]): string[] => posts.map((p) => p.text);

test('a new store has a persistent replica id; posts round-trip with their fields in order', withDir((dir) => {
  const path = join(dir, 'board.sqlite');
  const store = BoardStore.open(path);
  assert.equal(store.replicaId.length, 16);
  const p = post('hello board', { fields: [{ key: 'z', value: '1' }, { key: 'a', value: 'two' }], origin: 'sync' });
  assert.deepEqual(store.insertPost(p), { inserted: true, seq: 1 });
  const got = store.getPost(p.id, NOW);
  assert.ok(got);
  assert.deepEqual({ ...got, anonId: new Uint8Array(got.anonId), record: new Uint8Array(got.record) }, {
    ...p, anonId: new Uint8Array(p.anonId), record: new Uint8Array(p.record),
  });
  assert.equal(store.getPost(hex(), NOW), undefined);
  const id = Buffer.from(store.replicaId).toString('hex');
  store.close();
  store.close(); // idempotent
  const again = BoardStore.open(path);
  assert.equal(Buffer.from(again.replicaId).toString('hex'), id);
  again.close();
  assert.notEqual(Buffer.from(BoardStore.open(join(dir, 'other.sqlite')).replicaId).toString('hex'), id);
}));

test('search needs every word and every field, newest first, within the limit', withDir((dir) => {
  const store = BoardStore.open(join(dir, 'b.sqlite'));
  store.insertPost(post('red bicycle for sale', { fields: [{ key: 'city', value: 'osaka' }] }));
  store.insertPost(post('blue bicycle, almost new', { fields: [{ key: 'city', value: 'kyoto' }, { key: 'kind', value: 'sale' }] }));
  store.insertPost(post('red car for sale', { fields: [{ key: 'city', value: 'osaka' }, { key: 'kind', value: 'sale' }] }));
  store.insertPost(post('looking for a bicycle', { created: NOW - HOUR }));
  const q = (words: string[], fields: BoardField[] = [], limit = 50) => texts(store.search({ words, fields, limit, now: NOW }));

  assert.deepEqual(q(['bicycle']), ['blue bicycle, almost new', 'red bicycle for sale', 'looking for a bicycle']);
  assert.deepEqual(q(['red', 'sale']), ['red car for sale', 'red bicycle for sale']);
  assert.deepEqual(q(['RED', 'Bicycle']), ['red bicycle for sale']);
  assert.deepEqual(q(['bicycle'], [{ key: 'city', value: 'osaka' }]), ['red bicycle for sale']);
  assert.deepEqual(q([], [{ key: 'city', value: 'osaka' }]), ['red car for sale', 'red bicycle for sale']);
  assert.deepEqual(q([], [{ key: 'city', value: 'osaka' }, { key: 'kind', value: 'sale' }]), ['red car for sale']);
  assert.deepEqual(q([], [{ key: 'city', value: 'Osaka' }]), [], 'field values are compared exactly');
  assert.deepEqual(q([], [{ key: 'kind', value: 'osaka' }]), []);
  assert.deepEqual(q(['bicycle'], [], 2), ['blue bicycle, almost new', 'red bicycle for sale']);
  assert.deepEqual(q(['bicy']), [], 'a word is not a prefix');
  assert.deepEqual(q(['unicorn']), []);
  assert.throws(() => store.search({ words: [], fields: [], limit: 5, now: NOW }), is('BOARD_BAD_QUERY'));
  assert.throws(() => store.search({ words: ['x'], fields: [], limit: 0, now: NOW }), is('BOARD_STORE_ARGUMENT'));
  store.close();
}));

test('newest first means created order, whatever order posts were stored in', withDir((dir) => {
  const store = BoardStore.open(join(dir, 'b.sqlite'));
  // Out of order, several in one millisecond, neighbours one millisecond apart (as from sync).
  const created = [5, 3, 3, 9, 4, 3, 10, 2, 9, 4, 1, 3];
  const stored = created.map((c, i) => {
    const p = post(`word n${i}`, { created: NOW + c, fields: [{ key: 'f', value: 'x' }] });
    store.insertPost(p);
    return { i, c };
  });
  // Same millisecond: the later stored comes first.
  const expected = [...stored].sort((a, b) => b.c - a.c || b.i - a.i).map((x) => `word n${x.i}`);
  assert.deepEqual(texts(store.search({ words: ['word'], fields: [], limit: 50, now: NOW })), expected);
  assert.deepEqual(texts(store.search({ words: [], fields: [{ key: 'f', value: 'x' }], limit: 50, now: NOW })), expected);
  assert.deepEqual(texts(store.search({ words: ['word'], fields: [], limit: 3, now: NOW })), expected.slice(0, 3));
  assert.deepEqual(store.pull(0, 50, NOW).records.map((r) => r.seq), created.map((_, i) => i + 1), 'pull stays in stored order');
  assert.throws(() => store.insertPost(post('bad', { created: 2 ** 42 })), is('BOARD_STORE_ARGUMENT'));
  assert.throws(() => store.insertPost(post('bad', { fields: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] })), is('BOARD_BAD_FIELD'));
  assert.ok(store.integrityCheck());
  store.close();
}));

test('diacritics and case are folded both ways (unicode61 remove_diacritics 2)', withDir((dir) => {
  const store = BoardStore.open(join(dir, 'b.sqlite'));
  store.insertPost(post('Un café à Genève'));
  store.insertPost(post('plain cafe in geneve'));
  store.insertPost(post('ÅNGSTRÖM naïve façade'));
  const q = (...words: string[]) => texts(store.search({ words, fields: [], limit: 10, now: NOW }));
  assert.deepEqual(q('cafe').sort(), ['Un café à Genève', 'plain cafe in geneve']);
  assert.deepEqual(q('CAFÉ', 'genève').sort(), ['Un café à Genève', 'plain cafe in geneve']);
  assert.deepEqual(q('angstrom', 'naive', 'facade'), ['ÅNGSTRÖM naïve façade']);
  store.close();
}));

test('postMatches confirms one post against words with the search rules', withDir((dir) => {
  const store = BoardStore.open(join(dir, 'b.sqlite'));
  const p = post('Vélo rouge à vendre, presque neuf');
  const other = post('velo bleu');
  store.insertPost(p);
  store.insertPost(other);
  assert.equal(store.postMatches(p.id, ['velo', 'ROUGE']), true);
  assert.equal(store.postMatches(p.id, ['velo', 'bleu']), false);
  assert.equal(store.postMatches(other.id, ['velo']), true);
  assert.equal(store.postMatches(p.id, ['vel']), false);
  assert.equal(store.postMatches(p.id, ['" OR 1=1', '*']), false);
  assert.equal(store.postMatches(p.id, []), true);
  assert.equal(store.postMatches(hex(), ['velo']), false);
  assert.equal(store.postMatches(hex(), []), false);
  store.close();
}));

test('hostile strings are stored and searched literally, as text, words and fields', withDir((dir) => {
  const path = join(dir, 'b.sqlite');
  const store = BoardStore.open(path);
  const bigUnicode = Array.from({ length: 2_000 }, (_, i) => ['日本語', 'ünïcödé', 'Ωμέγα', '😀x', 'مرحبا'][i % 5]).join(' ').slice(0, 10_000);
  const hostile = ["'; DROP TABLE posts; --", '" OR 1=1', '*', 'NEAR(', 'col:word', 'text:red', '"unbalanced', '^start', 'a OR b', 'x AND NOT y', bigUnicode];
  const innocent = post('an innocent post about red things');
  store.insertPost(innocent);
  const ids = new Map<string, string>();
  for (const h of hostile) {
    const p = post(`${h} marker`, { fields: [{ key: 'k', value: h.slice(0, 128) }] });
    store.insertPost(p);
    ids.set(h, p.id);
  }
  const total = hostile.length + 1;
  for (const h of hostile) {
    const byWord = store.search({ words: [h], fields: [], limit: 50, now: NOW });
    assert.ok(byWord.length < total, `${h.slice(0, 20)} must not match everything`);
    assert.ok(!byWord.some((p) => p.id === innocent.id), `${h.slice(0, 20)} is not read as syntax`);
    const byField = store.search({ words: [], fields: [{ key: 'k', value: h.slice(0, 128) }], limit: 50, now: NOW });
    assert.deepEqual(byField.map((p) => p.id), [ids.get(h)], `field ${h.slice(0, 20)} is compared literally`);
    assert.equal(store.getPost(ids.get(h)!, NOW)?.text, `${h} marker`);
  }
  // Words that tokenise to something find their own post; `*` tokenises to nothing and finds nothing.
  for (const h of ["'; DROP TABLE posts; --", 'NEAR(', 'col:word', 'a OR b', bigUnicode]) {
    assert.ok(store.search({ words: [h], fields: [], limit: 50, now: NOW }).some((p) => p.id === ids.get(h)), h.slice(0, 20));
  }
  assert.deepEqual(store.search({ words: ['*'], fields: [], limit: 50, now: NOW }), []);
  assert.deepEqual(texts(store.search({ words: ['text:red'], fields: [], limit: 50, now: NOW })), ['text:red marker'],
    '`text:red` is the phrase "text red", not a column filter');
  assert.deepEqual(texts(store.search({ words: ['" OR 1=1'], fields: [], limit: 50, now: NOW })), ['" OR 1=1 marker']);
  assert.equal(store.counts().posts, total);
  assert.ok(store.integrityCheck());
  store.close();
  const again = BoardStore.open(path);
  assert.equal(again.counts().posts, total);
  again.close();
}));

test('expiry hides posts from get, search and pull, and expire() removes them from the file', withDir((dir) => {
  const path = join(dir, 'b.sqlite');
  const store = BoardStore.open(path);
  const short = post('ephemeral zebra', { expires: NOW + HOUR, fields: [{ key: 'tag', value: 'z' }] });
  const long = post('durable zebra', { expires: NOW + 3 * HOUR });
  store.insertPost(short);
  store.insertPost(long);
  store.insertReply({ id: hex(), postId: short.id, created: NOW + 1, record: randomBytes(100) });
  store.insertReply({ id: hex(), postId: short.id, created: NOW + 2, record: randomBytes(100) });
  store.insertReply({ id: hex(), postId: long.id, created: NOW + 3, record: randomBytes(100) });
  store.insertReservation(reservation(['zebra'], [], { expires: NOW + HOUR }));
  const later = NOW + HOUR; // `expires` is the first instant a record is gone
  assert.equal(store.getPost(short.id, later), undefined);
  assert.ok(store.getPost(short.id, later - 1));
  assert.deepEqual(texts(store.search({ words: ['zebra'], fields: [], limit: 10, now: later })), ['durable zebra']);
  assert.deepEqual(store.search({ words: [], fields: [{ key: 'tag', value: 'z' }], limit: 10, now: later }), []);
  assert.deepEqual(store.pull(0, 100, later).records.map((r) => r.kind), [RecordKind.POST, RecordKind.REPLY]);
  assert.equal(store.reservations(later).length, 0);
  assert.deepEqual(store.counts(), { posts: 2, replies: 3, reservations: 1, peers: 0 }, 'still in the file until expire()');

  assert.deepEqual(store.expire(later), { posts: 1, replies: 2, reservations: 1 });
  assert.deepEqual(store.expire(later), { posts: 0, replies: 0, reservations: 0 });
  assert.deepEqual(store.counts(), { posts: 1, replies: 1, reservations: 0, peers: 0 });
  assert.equal(store.replyCount(short.id), 0);
  assert.ok(store.integrityCheck(), 'FTS index agrees with the posts table');
  // Look in the file itself: no row, field or index entry of the expired post is left.
  const raw = new Database(path, { readonly: true });
  const n = (sql: string, ...args: unknown[]) => (raw.prepare(sql).get(...args) as { n: number }).n;
  assert.equal(n('SELECT count(*) AS n FROM posts WHERE id = ?', short.id), 0);
  assert.equal(n('SELECT count(*) AS n FROM post_fields'), 0);
  assert.equal(n('SELECT count(*) AS n FROM posts_fts_docsize'), 1);
  assert.equal(n("SELECT count(*) AS n FROM posts_fts WHERE posts_fts MATCH 'ephemeral'"), 0);
  raw.close();
  store.close();
}));

test('duplicates are reported, not stored twice, and keep their first seq', withDir((dir) => {
  const store = BoardStore.open(join(dir, 'b.sqlite'));
  const p = post('only once');
  assert.deepEqual(store.insertPost(p), { inserted: true, seq: 1 });
  assert.deepEqual(store.insertPost({ ...p, text: 'changed' }), { inserted: false, seq: 1 });
  const r = { id: hex(), postId: p.id, created: NOW, record: randomBytes(10) };
  assert.deepEqual(store.insertReply(r), { inserted: true, seq: 2 });
  assert.deepEqual(store.insertReply(r), { inserted: false, seq: 2 });
  const res = reservation(['once']);
  assert.deepEqual(store.insertReservation(res), { inserted: true, seq: 3 });
  assert.deepEqual(store.insertReservation(res), { inserted: false, seq: 3 });
  assert.deepEqual(store.counts(), { posts: 1, replies: 1, reservations: 1, peers: 0 });
  assert.equal(store.getPost(p.id, NOW)?.text, 'only once');
  assert.equal(store.reservations(NOW).length, 1);
  store.close();
}));

test('BOARD_FULL bounds posts and reservations; expiry makes room again', withDir((dir) => {
  const path = join(dir, 'b.sqlite');
  let store = BoardStore.open(path, { maxPosts: 3, maxReservations: 2 });
  const first = post('a', { expires: NOW + HOUR });
  store.insertPost(first);
  store.insertPost(post('b'));
  store.insertPost(post('c'));
  assert.throws(() => store.insertPost(post('d')), is('BOARD_FULL'));
  assert.equal(store.insertPost(first).inserted, false, 'a duplicate is a duplicate even when full');
  store.insertReservation(reservation(['x']));
  store.insertReservation(reservation(['y']));
  assert.throws(() => store.insertReservation(reservation(['z'])), is('BOARD_FULL'));
  assert.deepEqual(store.counts(), { posts: 3, replies: 0, reservations: 2, peers: 0 });
  store.close();
  store = BoardStore.open(path, { maxPosts: 3, maxReservations: 2 });
  assert.throws(() => store.insertPost(post('d')), is('BOARD_FULL'), 'the bound survives a reopen');
  store.expire(NOW + HOUR);
  assert.equal(store.insertPost(post('d')).inserted, true);
  assert.equal(store.insertReservation(reservation(['z'])).inserted, true);
  store.close();
}));

test('replies: only to stored posts, bounded per post, listed oldest first after `since`', withDir((dir) => {
  const store = BoardStore.open(join(dir, 'b.sqlite'), { maxRepliesPerPost: 3 });
  const p = post('ask me');
  store.insertPost(p);
  assert.throws(() => store.insertReply({ id: hex(), postId: hex(), created: NOW, record: randomBytes(8) }), is('BOARD_NO_SUCH_POST'));
  const recs = [3, 1, 2].map((t) => ({ id: hex(), postId: p.id, created: NOW + t, record: Buffer.from([t]) }));
  for (const r of recs) store.insertReply(r);
  assert.equal(store.replyCount(p.id), 3);
  assert.deepEqual(store.replies(p.id, 0).map((b) => b[0]), [1, 2, 3]);
  assert.deepEqual(store.replies(p.id, NOW + 1).map((b) => b[0]), [2, 3]);
  assert.deepEqual(store.replies(hex(), 0), []);
  assert.throws(() => store.insertReply({ id: hex(), postId: p.id, created: NOW, record: randomBytes(8) }), is('BOARD_TOO_MANY_REPLIES'));
  store.close();
}));

test('reservations are kept for matching, survive a reopen, and drop out when expired', withDir((dir) => {
  const path = join(dir, 'b.sqlite');
  let store = BoardStore.open(path);
  const a = reservation(['bicycle', 'red'], [{ key: 'city', value: 'osaka' }], { expires: NOW + HOUR });
  const b = reservation(['car'], [], { expires: NOW + 2 * HOUR, origin: 'sync' });
  store.insertReservation(a);
  store.insertReservation(b);
  const strip = (r: StoredReservation) => ({ ...r, record: Buffer.from(r.record).toString('hex') });
  assert.deepEqual(store.reservations(NOW).map(strip).sort((x, y) => x.expires - y.expires), [a, b].map(strip));
  store.close();
  store = BoardStore.open(path);
  assert.deepEqual(store.reservations(NOW).map(strip).sort((x, y) => x.expires - y.expires), [a, b].map(strip));
  assert.deepEqual(store.reservations(NOW + HOUR).map((r) => r.id), [b.id]);
  assert.deepEqual(store.expire(NOW + HOUR).reservations, 1);
  assert.deepEqual(store.reservations(NOW).map((r) => r.id), [b.id]);
  store.close();
}));

test('pull pages through posts, replies and reservations in seq order; cursors persist', withDir((dir) => {
  const path = join(dir, 'b.sqlite');
  let store = BoardStore.open(path);
  const expected: { kind: number; seq: number }[] = [];
  const posts: StoredPost[] = [];
  for (let i = 0; i < 10; i++) {
    const p = post(`post ${i}`);
    posts.push(p);
    expected.push({ kind: RecordKind.POST, seq: store.insertPost(p).seq });
    if (i % 3 === 0) expected.push({ kind: RecordKind.REPLY, seq: store.insertReply({ id: hex(), postId: posts[0]!.id, created: NOW + i, record: randomBytes(20) }).seq });
    if (i % 4 === 1) expected.push({ kind: RecordKind.RESERVATION, seq: store.insertReservation(reservation([`w${i}`])).seq });
  }
  assert.deepEqual(expected.map((e) => e.seq), expected.map((_, i) => i + 1), 'one sequence for all kinds');
  const peer = hex();
  assert.equal(store.cursor(peer), 0);
  const seen: { kind: number; seq: number }[] = [];
  let pages = 0;
  for (;;) {
    const page = store.pull(store.cursor(peer), 4, NOW);
    pages++;
    assert.ok(page.records.length <= 4);
    for (const r of page.records) seen.push({ kind: r.kind, seq: r.seq });
    store.setCursor(peer, page.next);
    if (!page.more) break;
  }
  assert.deepEqual(seen, expected);
  assert.equal(pages, Math.ceil(expected.length / 4));
  assert.deepEqual(store.pull(expected.length, 4, NOW), { records: [], next: expected.length, more: false });
  const page = store.pull(0, 500, NOW);
  assert.deepEqual(new Uint8Array(page.records[0]!.record), new Uint8Array(posts[0]!.record));
  assert.throws(() => store.pull(0, 0, NOW), is('BOARD_STORE_ARGUMENT'));
  assert.throws(() => store.setCursor('not hex', 1), is('BOARD_STORE_ARGUMENT'));
  store.close();

  store = BoardStore.open(path);
  assert.equal(store.cursor(peer), expected.length, 'cursor persisted');
  const p = post('after reopen');
  assert.equal(store.insertPost(p).seq, expected.length + 1, 'the sequence continues after a reopen');
  assert.deepEqual(store.pull(store.cursor(peer), 10, NOW).records.map((r) => r.seq), [expected.length + 1]);
  store.close();
}));

test('a seq is never handed out twice, even after the newest records expired and a reopen', withDir((dir) => {
  const path = join(dir, 'b.sqlite');
  let store = BoardStore.open(path);
  const p = post('soon gone', { expires: NOW + HOUR });
  assert.equal(store.insertPost(p).seq, 1);
  assert.equal(store.insertReply({ id: hex(), postId: p.id, created: NOW, record: randomBytes(8) }).seq, 2);
  assert.equal(store.insertReservation(reservation(['x'], [], { expires: NOW + HOUR })).seq, 3);
  assert.throws(() => store.insertPost(post('bad', { fields: [{ key: 'a', value: '1' }, { key: 'a', value: '1' }] })), is('BOARD_BAD_FIELD'));
  store.expire(NOW + HOUR);
  assert.deepEqual(store.counts(), { posts: 0, replies: 0, reservations: 0, peers: 0 });
  store.close();
  store = BoardStore.open(path);
  assert.equal(store.insertPost(post('later')).seq, 4);
  store.close();
  store = BoardStore.open(path);
  assert.equal(store.insertPost(post('later still')).seq, 5, 'without an expire, the records carry the high-water mark');
  store.close();
}));

test('reopening keeps posts, the search index, replies and counts', withDir((dir) => {
  const path = join(dir, 'b.sqlite');
  let store = BoardStore.open(path);
  const p = post('persistent words here', { fields: [{ key: 'k', value: 'v' }] });
  store.insertPost(p);
  store.insertReply({ id: hex(), postId: p.id, created: NOW, record: randomBytes(10) });
  store.setCursor(hex(), 7);
  const before = store.counts();
  store.close();
  assert.throws(() => store.getPost(p.id, NOW), is('BOARD_STORE_CLOSED'));
  store = BoardStore.open(path);
  assert.deepEqual(store.counts(), before);
  assert.deepEqual(store.search({ words: ['persistent'], fields: [{ key: 'k', value: 'v' }], limit: 5, now: NOW }).map((x) => x.id), [p.id]);
  assert.equal(store.replyCount(p.id), 1);
  assert.ok(store.integrityCheck());
  store.close();
}));

test('a corrupt, foreign or newer file gives a clear error, never a crash', withDir((dir) => {
  const random = join(dir, 'random.sqlite');
  writeFileSync(random, randomBytes(16_384));
  assert.throws(() => BoardStore.open(random), is('BOARD_STORE_CORRUPT'));

  // A real store whose pages (after the 100-byte header) were overwritten.
  const damaged = join(dir, 'damaged.sqlite');
  const s = BoardStore.open(damaged);
  for (let i = 0; i < 50; i++) s.insertPost(post(`filler ${i} `.repeat(50)));
  s.close();
  const bytes = readFileSync(damaged);
  randomBytes(bytes.length - 100).copy(bytes, 100);
  writeFileSync(damaged, bytes);
  assert.throws(() => BoardStore.open(damaged), is('BOARD_STORE_CORRUPT'));

  const foreign = join(dir, 'foreign.sqlite');
  const f = new Database(foreign);
  f.exec('CREATE TABLE things (x)');
  f.close();
  assert.throws(() => BoardStore.open(foreign), is('BOARD_STORE_VERSION'));
  const fdb = new Database(foreign);
  assert.equal(fdb.pragma('journal_mode', { simple: true }), 'delete', 'a foreign file is not changed');
  fdb.close();

  const newer = join(dir, 'newer.sqlite');
  BoardStore.open(newer).close();
  const n = new Database(newer);
  n.pragma('user_version = 99');
  n.close();
  assert.throws(() => BoardStore.open(newer), is('BOARD_STORE_VERSION'));

  assert.throws(() => BoardStore.open(join(dir, 'no', 'such', 'dir.sqlite')), is('BOARD_STORE_IO'));
}));

test('crash durability: every acknowledged post survives SIGKILL', withDir(async (dir) => {
  const path = join(dir, 'crash.sqlite');
  const writer = join(dirname(fileURLToPath(import.meta.url)), 'helpers', 'board-writer.js');
  assert.ok(existsSync(writer));
  const child = spawn(process.execPath, [writer, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acked: string[] = [];
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      acked.push(...lines);
      if (acked.length >= 200 && !child.killed) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', () => reject(new Error(`writer exited early: ${stderr}`)));
  });
  assert.equal(await exited, 'SIGKILL');
  assert.ok(acked.length >= 200);
  const store = BoardStore.open(path);
  const missing = acked.filter((id) => store.getPost(id, Date.now()) === undefined);
  assert.deepEqual(missing, [], 'every acknowledged post is in the file');
  assert.ok(store.counts().posts >= acked.length);
  assert.ok(store.integrityCheck());
  store.close();
}));

test('`before` pages through matches: only posts created before it, newest first', withDir((dir) => {
  const store = BoardStore.open(join(dir, 'b.sqlite'));
  for (let i = 0; i < 120; i++) store.insertPost(post(`page item${i}`, { created: NOW + i * 10, fields: [{ key: 'kind', value: 'p' }] }));
  for (const shape of [{ words: ['page'], fields: [] }, { words: [], fields: [{ key: 'kind', value: 'p' }] }]) {
    const seen: string[] = [];
    let before = 0;
    for (let round = 0; round < 10; round++) {
      const page = store.search({ ...shape, limit: 50, now: NOW, before });
      seen.push(...texts(page));
      if (page.length < 50) break;
      before = Math.min(...page.map((p) => p.created));
    }
    assert.equal(seen.length, 120);
    assert.equal(new Set(seen).size, 120);
    assert.equal(seen[0], 'page item119');
  }
  assert.equal(store.search({ words: ['page'], fields: [], limit: 50, now: NOW, before: NOW + 5 }).length, 1);
  store.close();
}));

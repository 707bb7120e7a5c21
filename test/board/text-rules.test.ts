import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { isTokumeiError } from '../../src/errors.js';
import { checkFields, checkText, decodeText, ftsQuery, normalizedWords, queryWords } from '../../src/board/text-rules.js';

const POST = 16_384;
const code = (c: string) => (e: unknown) => isTokumeiError(e, c);
const post = (t: string) => checkText(t, POST, 'BOARD_TOO_LARGE', { what: 'post text' });

test('SQL and FTS syntax is ordinary text', () => {
  for (const t of ["'; DROP TABLE posts; --", 'Robert"); DELETE FROM posts;--', 'a OR b NOT c NEAR(d e) *', '"unterminated', '日本語の投稿\n\tインデント', '']) {
    assert.equal(post(t), t);
  }
});

test('control characters, bidi overrides, noncharacters and lone surrogates are BOARD_BAD_TEXT, with where', () => {
  const bad: [string, RegExp][] = [
    ['bell\u0007', /control character \(U\+0007\) at character 4/],
    ['nul\u0000', /U\+0000/],
    ['cr\r\n', /U\+000D/],
    ['esc\u001b[31m', /U\+001B/],
    ['del\u007f', /U\+007F/],
    ['c1\u0085', /U\+0085/],
    ['c1\u009b', /U\+009B/],
    ['evil\u202e', /bidirectional override \(U\+202E\)/],
    ['\u202ax', /U\+202A/],
    ['x\u2066', /U\+2066/],
    ['x\u2069', /U\+2069/],
    ['\ufffe', /noncharacter/],
    ['\uffff', /noncharacter/],
    ['lone \ud800 surrogate', /lone surrogate/],
    ['\udfff', /lone surrogate/],
  ];
  for (const [t, message] of bad) {
    assert.throws(() => post(t), (e) => isTokumeiError(e, 'BOARD_BAD_TEXT') && message.test((e as Error).message), JSON.stringify(t));
  }
  // Tab and newline are layout in a post, but not in a one-line value.
  assert.equal(post('a\tb\nc'), 'a\tb\nc');
  assert.throws(() => checkText('a\nb', 100, 'BOARD_BAD_FIELD', { badCode: 'BOARD_BAD_FIELD', allowLayout: false }), code('BOARD_BAD_FIELD'));
  // Characters that look odd but are allowed: zero-width joiner, emoji, U+FFFD itself.
  assert.equal(post('👩‍👩‍👧 \u200d \ufffd'), '👩‍👩‍👧 \u200d \ufffd');
});

test('size is UTF-8 bytes: 16,384 is fine, one more byte is BOARD_TOO_LARGE; 100k emoji are refused', () => {
  assert.equal(post('a'.repeat(POST)).length, POST);
  assert.throws(() => post('a'.repeat(POST + 1)), code('BOARD_TOO_LARGE'));
  assert.equal(post('😀'.repeat(POST / 4)).length, POST / 2);
  assert.throws(() => post('😀'.repeat(POST / 4) + 'a'), (e) => isTokumeiError(e, 'BOARD_TOO_LARGE') && /16385 bytes/.test((e as Error).message));
  assert.throws(() => post('😀'.repeat(100_000)), code('BOARD_TOO_LARGE'));
  assert.throws(() => post('é'.repeat(POST / 2 + 1)), code('BOARD_TOO_LARGE'));
  assert.throws(() => post(42 as unknown as string), code('BOARD_BAD_TEXT'));
});

test('decodeText is strict UTF-8', () => {
  assert.equal(decodeText(Uint8Array.from(Buffer.from('héllo'))), 'héllo');
  const bad = [
    [0xc3, 0x28], // bad continuation
    [0xc0, 0xaf], // overlong '/'
    [0xed, 0xa0, 0x80], // UTF-8-encoded surrogate
    [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
    [0xff],
    [0xe2, 0x82], // truncated
  ];
  for (const b of bad) assert.throws(() => decodeText(Uint8Array.from(b)), code('BOARD_BAD_TEXT'), JSON.stringify(b));
  assert.throws(() => decodeText(Uint8Array.of(0xff), 'query', 'BOARD_BAD_QUERY'), code('BOARD_BAD_QUERY'));
  // A byte-order mark is kept as text, not silently dropped.
  assert.equal(decodeText(Uint8Array.of(0xef, 0xbb, 0xbf, 0x61)), '\ufeffa');
});

test('field rules: count, key syntax, repeats, value size and one line (BOARD_BAD_FIELD)', () => {
  assert.deepEqual(checkFields([{ key: 'city', value: 'Kyōto' }, { key: 'a.b-c_9', value: '' }]), [
    { key: 'city', value: 'Kyōto' },
    { key: 'a.b-c_9', value: '' },
  ]);
  const f = (key: string, value = 'v') => ({ key, value });
  const bad = [
    Array.from({ length: 17 }, (_, i) => f(`k${i}`)),
    [f('')],
    [f('City')],
    [f('1abc')],
    [f('a b')],
    [f('a'.repeat(33))],
    [f("x'; DROP")],
    [f('k'), f('k')],
    [f('k', 'x'.repeat(129))],
    [f('k', 'é'.repeat(65))],
    [f('k', 'two\nlines')],
    [f('k', 'tab\there')],
    [f('k', '\u202e')],
    [{ key: 'k', value: 5 }],
    [null],
  ];
  for (const b of bad) assert.throws(() => checkFields(b as never), code('BOARD_BAD_FIELD'), JSON.stringify(b));
  assert.equal(checkFields(Array.from({ length: 16 }, (_, i) => f(`k${i}`, 'x'.repeat(128)))).length, 16);
  assert.equal(checkFields([f('a'.repeat(32))]).length, 1);
});

test('query words: runs of letters and digits, at most 16, at most 256 bytes, one line', () => {
  assert.deepEqual(queryWords("bike  Kyoto-2024, l'été"), ['bike', 'Kyoto', '2024', 'l', 'été']);
  assert.deepEqual(queryWords(''), []);
  assert.deepEqual(queryWords('!!! ---'), []);
  assert.deepEqual(queryWords("'; DROP TABLE posts; --"), ['DROP', 'TABLE', 'posts']);
  assert.deepEqual(queryWords('"a" OR b*'), ['a', 'OR', 'b']);
  // A combining acute continues the word, as in FTS5.
  assert.deepEqual(queryWords('e\u0301te\u0301'), ['e\u0301te\u0301']);
  assert.equal(queryWords(Array.from({ length: 16 }, (_, i) => `w${i}`).join(' ')).length, 16);
  assert.throws(() => queryWords(Array.from({ length: 17 }, (_, i) => `w${i}`).join(' ')), code('BOARD_BAD_QUERY'));
  assert.throws(() => queryWords('x'.repeat(257)), code('BOARD_BAD_QUERY'));
  assert.throws(() => queryWords('a\nb'), code('BOARD_BAD_QUERY'));
  assert.throws(() => queryWords('a\u202eb'), code('BOARD_BAD_QUERY'));
  assert.throws(() => queryWords('\ud800'), code('BOARD_BAD_QUERY'));
});

test('ftsQuery quotes every word and doubles inner quotes', () => {
  assert.equal(ftsQuery(['a', 'b"c', 'DROP']), '"a" "b""c" "DROP"');
  assert.equal(ftsQuery([]), '');
});

test('query words and normalized words agree with SQLite FTS5 unicode61 remove_diacritics 2', () => {
  const db = new Database(':memory:');
  try {
    db.exec("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'unicode61 remove_diacritics 2')");
    db.exec("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')");
    const docs = [
      'Café crème brûlée à Genève',
      "l'été e\u0301te\u0301 NAÏVE Ångström Łódź straße",
      'Ελληνικά ΣΊΣΥΦΟΣ σοφός',
      'Привет, мир! Ёлка йод',
      'हिन्दी भाषा',
      '日本語テキスト かな 漢字',
      'مرحبا بالعالم',
      "'; DROP TABLE posts; -- x_y a.b 2024-05-01",
      'emoji 😀 between👍words',
      'İstanbul ǅemal ﬁsh Ｆullwidth x² Ⅻ',
    ];
    const insert = db.prepare('INSERT INTO t(rowid, x) VALUES (?, ?)');
    docs.forEach((d, i) => insert.run(i + 1, d));
    const tokens = db.prepare('SELECT term FROM v WHERE doc = ? ORDER BY offset');
    const match = db.prepare('SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid');
    docs.forEach((d, i) => {
      const fts = tokens.all(i + 1).map((r) => (r as { term: string }).term);
      // Same number of words as FTS5 cuts (the count bound of §7.4 means what FTS5 sees).
      assert.equal(normalizedWords(d).length, fts.length, d);
      // Each document is found by the AND of its own words as written.
      const words = d.split(/\s+/).flatMap((part) => queryWords(part));
      assert.ok((match.all(ftsQuery(words)) as { rowid: number }[]).some((r) => r.rowid === i + 1), d);
    });
    // Where the folding is unambiguous, the folded words equal FTS5's terms exactly.
    for (const i of [0, 1, 3, 5, 7, 8]) {
      const fts = tokens.all(i + 1).map((r) => (r as { term: string }).term);
      assert.deepEqual(normalizedWords(docs[i]!), fts, docs[i]);
    }
    // Injection attempts are quoted strings, never FTS5 syntax.
    for (const q of ["'; DROP TABLE posts; --", 'a OR b', 'NEAR(x y)', 'x* AND', 'x:y', '^start', 'a + b', '{col}: x']) {
      assert.doesNotThrow(() => match.all(ftsQuery(queryWords(q))), q);
    }
    assert.deepEqual(match.all(ftsQuery(queryWords("'; DROP TABLE posts; --"))), [{ rowid: 8 }]);
  } finally {
    db.close();
  }
});

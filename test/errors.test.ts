/**
 * Error codes are declared once, per layer, with their kind and retry advice (src/errors.ts and
 * each layer's `*-errors.ts`): the tables load together without a code declared twice, callers
 * retry by advice, the control API maps kinds to statuses in one place.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { declaredErrors, defineErrors, errorFor, remoteRefusal, retrying, TokumeiError, type ErrorKind } from '../src/errors.js';
import { kindForStatus, statusForError, statusForKind } from '../src/control/http-error.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/test
const root = join(here, '..', '..');
const tables = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /(^|\/)[a-z-]+-errors\.ts$/.test(f) && !f.endsWith('transport-errors.ts'))
    .map((f) => f.replace(/\.ts$/, '.js'));

test('every layer table loads beside the others: no code is declared twice, every code is a name', async () => {
  const files = tables(join(root, 'src'));
  assert.ok(files.length >= 14, `tables: ${files.join(', ')}`);
  for (const f of files) await import(pathToFileURL(join(here, '..', 'src', f)).href);
  const codes = declaredErrors();
  assert.ok(codes.size > 200, `${codes.size} codes`);
  for (const [code, spec] of codes) assert.match(code, /^[A-Z][A-Z0-9_]+$/, `${code} (${spec.layer})`);
  assert.equal(codes.get('NO_ROUTE')?.retry, 'immediate');
  assert.equal(codes.get('BOARD_NO_SUCH_POST')?.kind, 'not-found');
  assert.throws(() => defineErrors('test', { NO_ROUTE: { kind: 'io' } }), /NO_ROUTE is declared by routing and test/);
});

test('every error code the sources name is declared in a table (env names, SQLite’s codes and codec labels aside)', async () => {
  const src = join(root, 'src');
  for (const f of tables(src)) await import(pathToFileURL(join(here, '..', 'src', f)).href);
  const declared = declaredErrors();
  const undeclared = new Set<string>();
  for (const f of readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((x) => x.endsWith('.ts'))) {
    const text = readFileSync(join(src, f), 'utf8');
    for (const m of text.matchAll(/(\.end\(\s*)?'([A-Z][A-Z0-9]*_[A-Z0-9_]+)'/g)) {
      const code = m[2]!;
      if (m[1] || code.startsWith('TOKUMEI_') || code.startsWith('SQLITE_')) continue;
      if (!declared.has(code)) undeclared.add(`${code} (${f})`);
    }
  }
  assert.deepEqual([...undeclared].sort(), []);
});

test('no code is thrown with a literal kind beside its table: every TokumeiError of a fixed code comes from a table', () => {
  const src = join(root, 'src');
  const literal = /new TokumeiError\(\s*'[a-z-]+',\s*'[A-Z][A-Z0-9_]+'/;
  const offenders = readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .filter((f) => literal.test(readFileSync(join(src, f), 'utf8')));
  assert.deepEqual(offenders, []);
});

test('a table constructor gives its code, its declared kind and advice; one site may name another kind', () => {
  const T = defineErrors('errors-test', { ERRORS_TEST_GONE: { kind: 'io', retry: 'immediate', quick: true }, ERRORS_TEST_BAD: { kind: 'protocol' } });
  const gone = T.ERRORS_TEST_GONE('gone', { cause: 'x' });
  assert.ok(gone instanceof TokumeiError);
  assert.deepEqual([gone.code, gone.kind, gone.retry, gone.quick, gone.message, gone.cause], ['ERRORS_TEST_GONE', 'io', 'immediate', true, 'gone', 'x']);
  assert.deepEqual([T.ERRORS_TEST_BAD('b').kind, T.ERRORS_TEST_BAD('b').retry, T.ERRORS_TEST_BAD('ours', { kind: 'internal' }).kind], ['protocol', 'never', 'internal']);
  assert.equal(errorFor('ERRORS_TEST_BAD', 'm', 'bad-input').kind, 'protocol');
  assert.equal(errorFor('NOT_DECLARED_ANYWHERE', 'm', 'bad-input').kind, 'bad-input');
});

test('retrying: immediate failures are tried again, up to the attempts; quick ones only count against maxTries', async () => {
  const T = defineErrors('retry-test', { RETRY_TEST_SLOW: { kind: 'io', retry: 'immediate' }, RETRY_TEST_QUICK: { kind: 'io', retry: 'immediate', quick: true }, RETRY_TEST_NO: { kind: 'refused' } });
  const run = async (fail: (i: number) => TokumeiError | undefined, o: { attempts: number; maxTries?: number }) => {
    let tries = 0;
    const retried: string[] = [];
    const r = await retrying(
      async (i) => {
        tries++;
        const e = fail(i);
        if (e) throw e;
        return 'ok';
      },
      { ...o, onRetry: (e) => retried.push(e.code) },
    ).catch((e: TokumeiError) => e.code);
    return { r, tries, retried: retried.length };
  };
  assert.deepEqual(await run(() => T.RETRY_TEST_SLOW('x'), { attempts: 3 }), { r: 'RETRY_TEST_SLOW', tries: 3, retried: 3 });
  assert.deepEqual(await run((i) => (i < 2 ? T.RETRY_TEST_SLOW('x') : undefined), { attempts: 3 }), { r: 'ok', tries: 3, retried: 2 });
  assert.deepEqual(await run(() => T.RETRY_TEST_QUICK('x'), { attempts: 3, maxTries: 8 }), { r: 'RETRY_TEST_QUICK', tries: 8, retried: 8 });
  assert.deepEqual(await run(() => T.RETRY_TEST_QUICK('x'), { attempts: 3 }), { r: 'RETRY_TEST_QUICK', tries: 3, retried: 3 });
  assert.deepEqual(await run(() => T.RETRY_TEST_NO('x'), { attempts: 3 }), { r: 'RETRY_TEST_NO', tries: 1, retried: 0 });
  await assert.rejects(retrying(() => Promise.reject(new Error('plain')), { attempts: 3 }), /plain/);
});

test('the control API maps every kind to one status; a peer refusal stays a refusal unless it names something missing or too large', async () => {
  const kinds: ErrorKind[] = ['bad-input', 'not-found', 'too-large', 'protocol', 'refused', 'crypto', 'corrupt', 'io', 'timeout', 'internal'];
  assert.deepEqual(
    kinds.map((k) => statusForKind(k)),
    [400, 404, 413, 400, 409, 400, 500, 502, 504, 500],
  );
  await import('../src/identity/identity-errors.js');
  assert.equal(statusForError(new TokumeiError('refused', 'KEYSTORE_BAD_PASSPHRASE', 'wrong')), 403, 'a wrong secret');
  assert.equal(statusForError(new TokumeiError('refused', 'BOARD_RATE_LIMITED', 'slow down')), 409);
  for (const s of [400, 401, 404, 409, 413, 500, 502, 503, 504]) assert.ok(kinds.includes(kindForStatus(s)));
  await import('../src/board/board-errors.js');
  assert.equal(remoteRefusal('BOARD_NO_SUCH_POST', 'gone').kind, 'not-found');
  assert.equal(remoteRefusal('BOARD_TOO_LARGE', 'big').kind, 'too-large');
  assert.equal(remoteRefusal('BOARD_BAD_TEXT', 'bad').kind, 'refused');
  assert.equal(remoteRefusal('SOMETHING_A_PEER_MADE_UP', '?').kind, 'refused');
});

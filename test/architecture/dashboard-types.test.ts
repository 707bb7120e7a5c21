/**
 * The dashboard is type-checked against the control API's route types (dashboard/tsconfig.json,
 * src/services/control-routes.ts): the check passes on the tree as it is, and fails — naming the
 * place — when the dashboard reads a field the API does not answer, or when the API's answer
 * changes under a dashboard that still reads the old field. Each run is `tsc` on a copy in a
 * temporary directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const tsc = join(root, 'node_modules', '.bin', 'tsc');

function typecheck(dir: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(tsc, ['-p', join(dir, 'dashboard', 'tsconfig.json')], { timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

/** A copy of the dashboard and of the declared route types, side by side as in the repository. */
function copy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tokumei-dashboard-types-'));
  cpSync(join(root, 'dashboard'), join(dir, 'dashboard'), { recursive: true, filter: (p) => !p.includes('vendor') });
  cpSync(join(root, 'dist', 'types'), join(dir, 'dist', 'types'), { recursive: true });
  return dir;
}

function edit(path: string, from: string, to: string): void {
  const text = readFileSync(path, 'utf8');
  assert.ok(text.includes(from), `${path} holds ${from}`);
  writeFileSync(path, text.replace(from, to));
}

test('the dashboard passes its type check against the control API’s types', { timeout: 180_000 }, async () => {
  assert.ok(readdirSync(join(root, 'dist', 'types', 'src', 'services')).includes('control-routes.d.ts'), 'npm run build declares the route types');
  const dir = copy();
  try {
    const r = await typecheck(dir);
    assert.equal(r.code, 0, r.out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a dashboard that reads a field the API does not answer fails the check', { timeout: 180_000 }, async () => {
  const dir = copy();
  try {
    edit(join(dir, 'dashboard', 'app.js'), 's.degree.current}', 's.degree.currentDegree}');
    const r = await typecheck(dir);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /app\.js\(\d+,\d+\): error TS\d+: Property 'currentDegree' does not exist/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an API whose answer changes under the dashboard fails the check', { timeout: 180_000 }, async () => {
  const dir = copy();
  try {
    // The node's status renames knownPeers; the dashboard's network view still reads it.
    edit(join(dir, 'dist', 'types', 'src', 'node', 'status.d.ts'), 'knownPeers: number;', 'peersKnown: number;');
    const r = await typecheck(dir);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /network\.js\(\d+,\d+\): error TS\d+: Property 'knownPeers' does not exist/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

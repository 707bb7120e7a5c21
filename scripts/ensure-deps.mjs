#!/usr/bin/env node
/**
 * Installs dependencies when node_modules is missing or stale, so that `npm start` and `npm test`
 * work on a fresh clone. "Stale" means package-lock.json changed since the last install: we keep
 * its SHA-256 in node_modules/.tokumei-deps. Without that stamp (node_modules installed by hand),
 * npm's own hidden lockfile (node_modules/.package-lock.json) is compared entry by entry, so an
 * up-to-date tree is accepted without a reinstall.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lockPath = join(root, 'package-lock.json');
const modules = join(root, 'node_modules');
const stampPath = join(modules, '.tokumei-deps');
const hiddenLockPath = join(modules, '.package-lock.json');

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** True when every non-optional package of the lockfile is installed at the locked version. */
function treeMatchesLock(lock, hidden) {
  const want = lock?.packages;
  const have = hidden?.packages;
  if (!want || !have) return false;
  for (const [path, entry] of Object.entries(want)) {
    if (path === '' || entry.link) continue;
    const got = have[path];
    if (!got) {
      if (entry.optional) continue; // platform packages for other systems are never installed
      return false;
    }
    if (got.version !== entry.version) return false;
  }
  for (const path of Object.keys(have)) if (!(path in want)) return false;
  return true;
}

function main() {
  if (!existsSync(lockPath)) {
    console.error('tokumei: DEPS_NO_LOCKFILE: package-lock.json is missing; cannot install reproducibly');
    return 1;
  }
  const lockText = readFileSync(lockPath);
  const hash = createHash('sha256').update(lockText).digest('hex');
  if (existsSync(modules)) {
    const stamp = existsSync(stampPath) ? readFileSync(stampPath, 'utf8').trim() : '';
    if (stamp === hash) return 0;
    if (stamp === '' && treeMatchesLock(JSON.parse(lockText.toString('utf8')), readJson(hiddenLockPath))) {
      writeFileSync(stampPath, hash + '\n');
      return 0;
    }
  }
  console.error('tokumei: installing dependencies (npm ci)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`tokumei: DEPS_INSTALL_FAILED: npm ci exited with ${r.status ?? r.signal}`);
    return 1;
  }
  writeFileSync(stampPath, hash + '\n');
  return 0;
}

process.exitCode = main();

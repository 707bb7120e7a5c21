import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProfile, encodeProfile } from '../../src/health/profile/profile-codec.js';
import { loadProfile, openProfile, saveProfile, sealProfile } from '../../src/health/profile/profile-store.js';
import { emptyProfile, setDisclosed, type Profile } from '../../src/health/profile/profile.js';
import { DAY, fullProfile, is, NOW } from './helpers.js';

const KEY = new Uint8Array(32).fill(7);
const OTHER_KEY = new Uint8Array(32).fill(8);

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tokumei-health-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a profile round-trips through the encrypted file, and nothing is readable in it', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'health.json');
    const p = setDisclosed(fullProfile(), 'systolic', true);
    await saveProfile(path, p, KEY);
    assert.deepEqual(await loadProfile(path, KEY), p);
    const raw = await readFile(path, 'utf8');
    for (const secret of ['Bram', 'Kestrel', 'Heron', '1961', '900456', 'systolic']) assert.ok(!raw.includes(secret), secret);
    assert.deepEqual(Object.keys(JSON.parse(raw)), ['format', 'aead', 'salt', 'nonce', 'ciphertext']);
    // A fresh salt and nonce every save.
    assert.notEqual(sealProfile(p, KEY), sealProfile(p, KEY));
    assert.deepEqual(await loadProfile(path, KEY).then((q) => q.disclosure.systolic), true);
    assert.deepEqual(openProfile(sealProfile(emptyProfile(), KEY), KEY), emptyProfile());
  });
});

test('wrong key, tampering, corruption and a missing file have their own codes', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'health.json');
    await saveProfile(path, fullProfile(), KEY);
    await assert.rejects(loadProfile(path, OTHER_KEY), is('HEALTH_PROFILE_KEY'));
    await assert.rejects(loadProfile(join(dir, 'nope.json'), KEY), is('HEALTH_PROFILE_MISSING'));
    const text = await readFile(path, 'utf8');
    const j = JSON.parse(text);
    const flip = (s: string) => s.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    for (const change of [(o: any) => (o.salt = flip(o.salt)), (o: any) => (o.nonce = flip(o.nonce)), (o: any) => (o.ciphertext = 'A' + o.ciphertext.slice(1))]) {
      const o = structuredClone(j);
      change(o);
      if (JSON.stringify(o) === JSON.stringify(j)) continue;
      assert.throws(() => openProfile(JSON.stringify(o), KEY), is('HEALTH_PROFILE_KEY'));
    }
    for (const junk of ['', '{', 'null', '[]', '{"format":"x"}', text.slice(0, text.length / 2), JSON.stringify({ ...j, format: 'tokumei-health-profile-file/2' }), JSON.stringify({ ...j, nonce: 'zz' }), JSON.stringify({ ...j, ciphertext: '' }), JSON.stringify({ ...j, extra: 1 })]) {
      assert.throws(() => openProfile(junk, KEY), is('HEALTH_PROFILE_CORRUPT'), junk.slice(0, 40));
    }
    await writeFile(path, 'garbage');
    await assert.rejects(loadProfile(path, KEY), is('HEALTH_PROFILE_CORRUPT'));
    assert.throws(() => openProfile(text, new Uint8Array(16)), is('CRYPTO_BAD_ARGUMENT'));
  });
});

test('the plaintext is decoded strictly', () => {
  const good = JSON.parse(encodeProfile(fullProfile()));
  assert.deepEqual(decodeProfile(JSON.stringify(good)), fullProfile());
  const variants: ((o: any) => void)[] = [
    (o) => (o.format = 'tokumei-health-profile/9'),
    (o) => (o.attributes.shoeSize = 44),
    (o) => (o.attributes.birthDate = '1961-13-01'),
    (o) => (o.disclosure.name = true),
    (o) => (o.disclosure.systolic = 'yes'),
    (o) => (o.measurements[0][2] = 999),
    (o) => (o.measurements[0][0] = 'steps'),
    (o) => o.measurements.reverse(),
    (o) => o.measurements.push(o.measurements[o.measurements.length - 1]),
    (o) => (o.extra = 1),
  ];
  for (const v of variants) {
    const o = structuredClone(good);
    v(o);
    assert.throws(() => decodeProfile(JSON.stringify(o)), is('HEALTH_PROFILE_CORRUPT'), v.toString());
  }
  // A disclosure entry missing from an older file takes the default.
  const old = structuredClone(good);
  delete old.disclosure.cholesterol;
  assert.equal(decodeProfile(JSON.stringify(old)).disclosure.cholesterol, false);
  // A profile saved with measurements "in the future" still loads when the clock went back.
  const future = structuredClone(good);
  future.measurements.push(['systolic', NOW + 400 * DAY, 120]);
  assert.equal(decodeProfile(JSON.stringify(future)).measurements.length, good.measurements.length + 1);
});

test('a failed save keeps the previous file whole', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'health.json');
    const first = fullProfile();
    await saveProfile(path, first, KEY);
    const before = await readFile(path, 'utf8');
    // The writer fails half-way (disk full, crash): the target is untouched.
    const failing = async (p: string, data: string) => {
      await writeFile(join(dir, '.partial.tmp'), data.slice(0, 20));
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC', path: p });
    };
    await assert.rejects(saveProfile(path, emptyProfile(), KEY, { writeFile: failing }), /ENOSPC/);
    assert.equal(await readFile(path, 'utf8'), before);
    assert.deepEqual(await loadProfile(path, KEY), first);
    // An invalid profile is refused before anything is written.
    const broken = { ...first, measurements: [{ kind: 'systolic', value: 9999, at: 0 }] } as unknown as Profile;
    await assert.rejects(saveProfile(path, broken, KEY), is('HEALTH_BAD_PROFILE'));
    assert.equal(await readFile(path, 'utf8'), before);
    // The real writer into a directory that does not exist fails cleanly.
    await assert.rejects(saveProfile(join(dir, 'missing', 'health.json'), first, KEY), is('FILE_WRITE_FAILED'));
    // No temporary files are left behind by the real writer.
    await saveProfile(path, emptyProfile(), KEY);
    assert.deepEqual((await readdir(dir)).filter((n) => n !== '.partial.tmp').sort(), ['health.json']);
  });
});

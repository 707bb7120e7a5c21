import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateX25519 } from '../../src/crypto/x25519.js';
import { deriveHealthKeys } from '../../src/health/context/health-keys.js';
import { PROFILE_FILE, ProfileKeeper, profileView } from '../../src/health/profile/profile-keeper.js';
import { setAttribute, setDisclosed } from '../../src/health/profile/profile.js';
import { fullProfile, is, NOW } from './helpers.js';

test('health keys: derived from the onion key, distinct, stable, never the onion key', () => {
  const onion = generateX25519();
  const a = deriveHealthKeys(onion.privateKey);
  const b = deriveHealthKeys(onion.privateKey);
  assert.deepEqual(a, b);
  assert.equal(a.profileKey.length, 32);
  assert.notDeepEqual(a.profileKey, a.pseudonymSecret);
  assert.notDeepEqual(deriveHealthKeys(generateX25519().privateKey).profileKey, a.profileKey);
});

test('profile keeper: changes are saved encrypted and read back; a wrong key is an error, never an empty profile', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokumei-health-keeper-'));
  try {
    const path = join(dir, 'health', PROFILE_FILE);
    const key = deriveHealthKeys(generateX25519().privateKey).profileKey;
    const keeper = new ProfileKeeper({ path, key });
    assert.deepEqual((await keeper.get()).measurements, [], 'no file: an empty profile');
    await keeper.update(() => fullProfile());
    // Changes run one at a time, in order.
    await Promise.all([keeper.update((p) => setDisclosed(p, 'smoker', true)), keeper.update((p) => setAttribute(p, 'name', 'Bram K', NOW))]);
    const text = readFileSync(path, 'utf8');
    assert.ok(!text.includes('Bram'), 'the file is encrypted');
    const again = await new ProfileKeeper({ path, key }).get();
    assert.equal(again.attributes.name, 'Bram K');
    assert.equal(again.disclosure.smoker, true);
    await assert.rejects(new ProfileKeeper({ path, key: new Uint8Array(32) }).get(), is('HEALTH_PROFILE_KEY'));
    assert.equal(readFileSync(path, 'utf8'), text, 'a failed open leaves the file alone');
    // A refused change saves nothing.
    await assert.rejects(keeper.update((p) => setDisclosed(p, 'name', true)), is('HEALTH_LOCKED'));
    assert.equal(readFileSync(path, 'utf8'), text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('profile view: every catalogue attribute with value, disclosure and lock; the catalogue with units', () => {
  const v = profileView(fullProfile(), NOW);
  assert.deepEqual(v.attributes.name, { value: 'Bram Kestrel', disclosed: false, locked: true });
  assert.deepEqual(v.attributes.ageBand, { value: '60-69', disclosed: true, locked: false });
  assert.deepEqual(v.attributes.weightKg, { value: 91.2, disclosed: false, locked: false });
  assert.deepEqual(v.attributes.heartRate, { value: null, disclosed: false, locked: false });
  assert.equal(v.measurements.length, 4);
  const systolic = v.catalogue.find((c) => c.name === 'systolic')!;
  assert.deepEqual([systolic.unit, systolic.min, systolic.max, systolic.decimals], ['mmHg', 50, 260, 0]);
  assert.equal(v.catalogue.find((c) => c.name === 'phone')!.pattern, '^\\+?[0-9][0-9 ()-]{2,31}$');
  assert.doesNotThrow(() => JSON.stringify(v));
});

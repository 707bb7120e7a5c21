import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keystoreCreationParams, keystoreParams, openKeystore, sealKeystore } from '../../src/identity/keystore.js';
import { TokumeiError } from '../../src/errors.js';

const LOW = { kdf: { logN: 10 } };
const is = (code: string) => (e: unknown) => e instanceof TokumeiError && e.code === code;

test('a keystore opens with its passphrase and its kind, and only then', async () => {
  const text = await sealKeystore('member', { a: 'secret one', b: 'two' }, 'correct horse', LOW);
  const j = JSON.parse(text);
  assert.equal(j.format, 'tokumei-keystore/1');
  assert.deepEqual(Object.keys(j), ['format', 'kdf', 'aead', 'nonce', 'ciphertext']);
  assert.deepEqual({ ...j.kdf, salt: undefined }, { name: 'scrypt', logN: 10, r: 8, p: 1, salt: undefined });
  assert.ok(!text.includes('secret one'));
  assert.deepEqual(await openKeystore(text, 'correct horse', 'member'), { a: 'secret one', b: 'two' });
  // NFC: the same passphrase typed with a combining accent opens it.
  const accented = await sealKeystore('ca', { k: 'v' }, 'caf\u00e9', LOW);
  assert.deepEqual(await openKeystore(accented, 'cafe\u0301', 'ca'), { k: 'v' });
  await assert.rejects(openKeystore(text, 'wrong horse', 'member'), is('KEYSTORE_BAD_PASSPHRASE'));
  await assert.rejects(openKeystore(text, 'correct horse', 'trustee'), is('KEYSTORE_MALFORMED'));
  await assert.rejects(sealKeystore('member', {}, '', LOW), is('PASSPHRASE_EMPTY'));
});

test('tampering with the header or the ciphertext fails authentication; nonsense is malformed', async () => {
  const text = await sealKeystore('member', { a: 'x' }, 'pw', { kdf: { logN: 10, r: 4 } });
  const j = JSON.parse(text);
  const variant = (f: (o: any) => void) => {
    const o = structuredClone(j);
    f(o);
    return JSON.stringify(o);
  };
  // Parameters within bounds but changed: the AAD (and the key) differ.
  for (const t of [
    (o: any) => (o.kdf.r = 5),
    (o: any) => (o.kdf.logN = 11),
    (o: any) => (o.kdf.salt = o.kdf.salt.replace(/^./, (c: string) => (c === '0' ? '1' : '0'))),
    (o: any) => (o.nonce = o.nonce.replace(/^./, (c: string) => (c === '0' ? '1' : '0'))),
    (o: any) => (o.ciphertext = Buffer.from(Buffer.from(o.ciphertext, 'base64').map((b, i) => (i === 0 ? b ^ 1 : b))).toString('base64')),
  ]) {
    await assert.rejects(openKeystore(variant(t), 'pw', 'member'), is('KEYSTORE_BAD_PASSPHRASE'));
  }
  // Out of bounds or unparseable: refused before any scrypt runs (logN 40 would need 128 TiB).
  for (const t of [
    (o: any) => (o.kdf.logN = 40),
    (o: any) => (o.kdf.r = 1e9),
    (o: any) => (o.kdf.p = 0),
    (o: any) => (o.kdf.name = 'pbkdf2'),
    (o: any) => (o.aead = 'aes-256-gcm'),
    (o: any) => (o.format = 'tokumei-keystore/2'),
    (o: any) => (o.nonce = 'zz'),
    (o: any) => (o.ciphertext = 'not base64!'),
    (o: any) => delete o.kdf,
  ]) {
    await assert.rejects(openKeystore(variant(t), 'pw', 'member'), is('KEYSTORE_MALFORMED'));
  }
  for (const junk of ['', '{', 'null', '[]', '"x"', 'x'.repeat(100_000)]) await assert.rejects(openKeystore(junk, 'pw', 'member'), is('KEYSTORE_MALFORMED'));
  assert.deepEqual(keystoreParams(text), { logN: 10, r: 4, p: 1 });
});

test('TOKUMEI_KDF_LOG_N lowers the cost of new keystores only, within 14..17', () => {
  assert.deepEqual(keystoreCreationParams({ env: {} }), { logN: 17, r: 8, p: 1 });
  assert.deepEqual(keystoreCreationParams({ env: { TOKUMEI_KDF_LOG_N: '14' } }), { logN: 14, r: 8, p: 1 });
  for (const v of ['13', '18', 'x', '15.5']) assert.throws(() => keystoreCreationParams({ env: { TOKUMEI_KDF_LOG_N: v } }), is('KDF_ENV_INVALID'));
  assert.deepEqual(keystoreCreationParams({ env: { TOKUMEI_KDF_LOG_N: '14' }, kdf: { logN: 10 } }), { logN: 10, r: 8, p: 1 });
  assert.throws(() => keystoreCreationParams({ kdf: { logN: 9 } }), is('KDF_PARAMS_OUT_OF_BOUNDS'));
});

test('cost: a keystore at the default cost (logN 17, 128 MiB) seals and opens (printed)', async () => {
  let t = performance.now();
  const text = await sealKeystore('member', { a: 'x' }, 'pw', { env: {} });
  const sealMs = performance.now() - t;
  assert.equal(JSON.parse(text).kdf.logN, 17);
  t = performance.now();
  assert.deepEqual(await openKeystore(text, 'pw', 'member'), { a: 'x' });
  console.log(`# keystore at logN 17: seal ${sealMs.toFixed(0)} ms, open ${(performance.now() - t).toFixed(0)} ms`);
});

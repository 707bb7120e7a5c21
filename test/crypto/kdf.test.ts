import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex, utf8 } from '../../src/crypto/bytes.js';
import { checkScryptParams, SCRYPT_LIMITS, scryptDerive, scryptSyncDerive } from '../../src/crypto/kdf.js';
import { isTokumeiError } from '../../src/errors.js';

test('scrypt, RFC 7914 §12 (N=1024, r=8, p=16: p beyond keystore bounds, so wider limits)', () => {
  const wide = { ...SCRYPT_LIMITS, p: [1, 16] as const };
  const out = scryptSyncDerive(utf8('password'), utf8('NaCl'), { logN: 10, r: 8, p: 16 }, 64, wide);
  assert.equal(
    toHex(out),
    'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640',
  );
});

test('scrypt, RFC 7914 §12 (N=16384, r=8, p=1, within keystore bounds), async', async () => {
  const out = await scryptDerive(utf8('pleaseletmein'), utf8('SodiumChloride'), { logN: 14, r: 8, p: 1 }, 64);
  assert.equal(
    toHex(out),
    '7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887',
  );
});

test('hostile parameters are refused before any allocation', () => {
  const bad = [
    { logN: 9, r: 8, p: 1 },
    { logN: 21, r: 8, p: 1 },
    { logN: 20, r: 16, p: 1 }, // 2 GiB
    { logN: 14, r: 0, p: 1 },
    { logN: 14, r: 17, p: 1 },
    { logN: 14, r: 8, p: 5 },
    { logN: 14.5, r: 8, p: 1 },
    { logN: '14', r: 8, p: 1 },
    null,
  ];
  for (const params of bad) {
    assert.throws(() => checkScryptParams(params as never), (e: unknown) => isTokumeiError(e, 'KDF_PARAMS_OUT_OF_BOUNDS'), JSON.stringify(params));
    assert.throws(() => scryptSyncDerive(utf8('p'), utf8('s'), params as never, 32), (e: unknown) => isTokumeiError(e, 'KDF_PARAMS_OUT_OF_BOUNDS'));
  }
  checkScryptParams({ logN: 20, r: 8, p: 4 });
});

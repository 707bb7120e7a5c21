import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../src/crypto/bytes.js';
import {
  basePointMul,
  decodePoint,
  decodeScalar,
  encodeScalar,
  GROUP_ORDER,
  isValidPoint,
  pointAdd,
  pointMul,
  randomScalar,
  scalarAdd,
  scalarInvert,
  scalarMul,
  scalarNegate,
  scalarSub,
} from '../../src/crypto/ristretto.js';
import { isTokumeiError } from '../../src/errors.js';

// RFC 9496 Appendix A.1: encodings of 0·B … 15·B.
const MULTIPLES = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  'e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76',
  '6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919',
  '94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259',
  'da80862773358b466ffadfe0b3293ab3d9fd53c5ea6c955358f568322daf6a57',
  'e882b131016b52c1d3337080187cf768423efccbb517bb495ab812c4160ff44e',
  'f64746d3c92b13050ed8d80236a7f0007c3b3f962f5ba793d19a601ebb1df403',
  '44f53520926ec81fbd5a387845beb7df85a96a24ece18738bdcfa6a7822a176d',
  '903293d8f2287ebe10e2374dc1a53e0bc887e592699f02d077d5263cdd55601c',
  '02622ace8f7303a31cafc63f8fc48fdc16e1c8c8d234b2f0d6685282a9076031',
  '20706fd788b2720a1ed2a5dad4952b01f413bcf0e7564de8cdc816689e2db95f',
  'bce83f8ba5dd2fa572864c24ba1810f9522bc6004afe95877ac73241cafdab42',
  'e4549ee16b9aa03099ca208c67adafcafa4c3f3e4e5303de6026e3ca8ff84460',
  'aa52e000df2e16f55fb1032fc33bc42742dad6bd5a8fc0be0167436c5948501f',
  '46376b80f409b29dc2b5f6f0c52591990896e5716f41477cd30085ab7f10301e',
  'e0c418f7c8d9c4cdd7395b93ea124f3ad99021bb681dfc3302a9d99a2e53e64e',
];

test('generator multiples match RFC 9496 §A.1, by multiplication and by addition', () => {
  let acc = MULTIPLES[0]!;
  for (let i = 0; i < MULTIPLES.length; i++) {
    assert.equal(toHex(basePointMul(encodeScalar(BigInt(i)))), MULTIPLES[i], `${i}·B`);
    assert.equal(acc, MULTIPLES[i]);
    acc = toHex(pointAdd(fromHex(acc), fromHex(MULTIPLES[1]!)));
    assert.equal(toHex(decodePoint(fromHex(MULTIPLES[i]!)).toBytes()), MULTIPLES[i]);
  }
});

test('non-canonical and invalid encodings are refused (RFC 9496 §A.2)', () => {
  const bad = [
    '00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', // s ≥ p
    'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // s ≥ p
    'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // s = p
    '0100000000000000000000000000000000000000000000000000000000000000', // negative s
    '01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // negative s
  ];
  for (const h of bad) {
    assert.equal(isValidPoint(fromHex(h)), false, h);
    assert.throws(() => decodePoint(fromHex(h)), (e: unknown) => isTokumeiError(e, 'RISTRETTO_BAD_POINT'));
  }
  assert.throws(() => decodePoint(new Uint8Array(31)), (e: unknown) => isTokumeiError(e, 'CRYPTO_BAD_ARGUMENT'));
});

test('scalar arithmetic mod ℓ and canonical scalar encoding', () => {
  const a = randomScalar();
  const b = randomScalar();
  assert.deepEqual(scalarSub(scalarAdd(a, b), b), a);
  assert.deepEqual(scalarMul(a, scalarInvert(a)), encodeScalar(1n));
  assert.deepEqual(scalarAdd(a, scalarNegate(a)), encodeScalar(0n));
  // (a·b)·B == a·(b·B)
  assert.deepEqual(basePointMul(scalarMul(a, b)), pointMul(basePointMul(b), a));
  assert.deepEqual(pointMul(basePointMul(a), encodeScalar(0n)), fromHex(MULTIPLES[0]!));
  assert.throws(() => decodeScalar(encodeScalarUnchecked(GROUP_ORDER)), (e: unknown) => isTokumeiError(e, 'RISTRETTO_BAD_SCALAR'));
  assert.throws(() => scalarInvert(encodeScalar(0n)), (e: unknown) => isTokumeiError(e, 'CRYPTO_BAD_ARGUMENT'));
  const seeded = { bytes: (n: number) => new Uint8Array(n).fill(0x42) };
  assert.deepEqual(randomScalar(seeded), randomScalar(seeded));
});

function encodeScalarUnchecked(x: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}

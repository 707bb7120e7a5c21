import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../src/crypto/bytes.js';
import {
  generateX25519,
  x25519,
  x25519PrivateKeyFromRaw,
  x25519PublicKeyFromRaw,
  x25519RawPrivateKey,
  x25519RawPublicKey,
} from '../../src/crypto/x25519.js';
import { isTokumeiError } from '../../src/errors.js';

test('X25519 scalar multiplication, RFC 7748 §5.2', () => {
  const vectors = [
    ['a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4', 'e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c', 'c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552'],
    // The u-coordinate's top bit is set: RFC 7748 §5 says to mask it.
    ['4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d', 'e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493', '95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957'],
  ] as const;
  for (const [k, u, out] of vectors) {
    assert.equal(toHex(x25519(x25519PrivateKeyFromRaw(fromHex(k)), x25519PublicKeyFromRaw(fromHex(u)))), out);
  }
});

test('X25519 Diffie-Hellman, RFC 7748 §6.1', () => {
  const a = x25519PrivateKeyFromRaw(fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'));
  const b = x25519PrivateKeyFromRaw(fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'));
  assert.equal(toHex(x25519RawPublicKey(a)), '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
  assert.equal(toHex(x25519RawPublicKey(b)), 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
  const k = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
  assert.equal(toHex(x25519(a, x25519PublicKeyFromRaw(x25519RawPublicKey(b)))), k);
  assert.equal(toHex(x25519(b, x25519PublicKeyFromRaw(x25519RawPublicKey(a)))), k);
  assert.equal(toHex(x25519RawPrivateKey(a)), '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
});

test('small-order public keys are refused (all-zero shared secret)', () => {
  const me = generateX25519();
  // u = 0 and u = 1 are small-order points (RFC 7748 §6.1 "check for all-zero").
  for (const u of ['00'.repeat(32), '01' + '00'.repeat(31)]) {
    assert.throws(() => x25519(me.privateKey, x25519PublicKeyFromRaw(fromHex(u))), (e: unknown) => isTokumeiError(e, 'X25519_ZERO_SHARED'));
  }
});

test('generation from a seeded source is reproducible; argument checks', () => {
  const seeded = (byte: number) => ({ bytes: (n: number) => new Uint8Array(n).fill(byte) });
  assert.deepEqual(generateX25519(seeded(7)).publicRaw, generateX25519(seeded(7)).publicRaw);
  assert.notDeepEqual(generateX25519(seeded(7)).publicRaw, generateX25519(seeded(8)).publicRaw);
  assert.throws(() => x25519PublicKeyFromRaw(new Uint8Array(31)), (e: unknown) => isTokumeiError(e, 'CRYPTO_BAD_ARGUMENT'));
  const kp = generateX25519();
  assert.throws(() => x25519(kp.publicKey, kp.publicKey), (e: unknown) => isTokumeiError(e, 'CRYPTO_BAD_ARGUMENT'));
  assert.throws(() => generateX25519({ bytes: () => new Uint8Array(3) }), (e: unknown) => isTokumeiError(e, 'CRYPTO_BAD_ARGUMENT'));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { fromHex, toHex, utf8 } from '../../src/crypto/bytes.js';
import { ed25519PrivateKeyFromSeed, ed25519RawPublicKey, generateSigningKeyPair, signBytes, signingKeyType, verifyBytes } from '../../src/crypto/signing.js';
import { isTokumeiError } from '../../src/errors.js';

test('Ed25519, RFC 8032 §7.1 TEST 1', () => {
  const key = ed25519PrivateKeyFromSeed(fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'));
  assert.equal(toHex(ed25519RawPublicKey(key)), 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  const sig = signBytes(key, new Uint8Array(0));
  assert.equal(
    toHex(sig),
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  );
  const pub = createPublicKey(key);
  assert.equal(verifyBytes(pub, new Uint8Array(0), sig), true);
  assert.equal(verifyBytes(pub, Uint8Array.of(0), sig), false);
  const bad = sig.slice();
  bad[10]! ^= 1;
  assert.equal(verifyBytes(pub, new Uint8Array(0), bad), false);
  assert.equal(verifyBytes(pub, new Uint8Array(0), sig.subarray(0, 63)), false);
});

// Wycheproof rsa_pss_3072_sha256_mgf1_32_test.json, tcId 3 (msg "Test"): a 3072-bit RSASSA-PSS
// signature with SHA-256, MGF1-SHA-256 and a 32-byte salt, exactly our parameters.
const WYCHEPROOF_SPKI =
  '308201a2300d06092a864886f70d01010105000382018f003082018a0282018100c6fe23792566023c265287c5ac6f71541c0994d11d059ee6403986efa21c24b51bd91d8862f9df79a4e328e3e27c83df260b25a9b43420affc44b51e8d7525b6f29c372a405104732007527a62ed82fac73f4892a80e09682a41a58cd347017f3be7d801334f92d9321aafd53b51bffabfc752cfccae0b1ee03bdaff9e428cc1c117f1ac96b4fe23f8c23e6381186a66fd59289339ae55c4bcdadbff84abdaa532240d4e1d28b2d0481dadd3b246557ca8fe18092817730b39e6ee378ffcc85b19ffdc916a9b991a6b66d4a9c7bab5f5e7a3722101142e7a4108c15d573b15289e07e46eaea07b42c2abcba330e99554b4656165bb4c0db2b6393a07eca575c51a93c4e15bdb0f747909447e3efe34c67ca8954b530e56a20a1b6d84d45ed1bcd3aa58ec06f184ee5857aaa819e1cca9a26f4e28d6b977d33916db9896d252d1afa762e287cb0d384cc75bfe53f4e922d02dd0a481c042e2d306b4b3c189371e575b25e0005a164cf69dd0976e4d5be476806ea6be6084e71ab4f5ac5c1b12030203010001';
const WYCHEPROOF_SIG =
  '22915cfa1d7dd30f50b4c0e4cee42c5f0aa1b7a6644f8a11e611b2db042b122af8211ffc1dc220b435d8919cf64d715b54ff8a762f702b365cbdab455509b97d9b310011467d4186647b957e2efa404aed3b84840529bdef7746348385a1c6a2ecdb88d1cc2b40b36c346386739c39d2815938e463a35348426f17d32d633b873d6124d8b49a726743af7c0e56d63394155b63089c63ed8897f8af2a2260d33499afab11c911faa754ced5acdac2de571f39c2768716e4308244a99d1e65da7061d2feb8ec8b4e517bd5e19cac626698479ab2019257cf83ad7b641db2345b38006d63f84b41772b90037778389cc30ed6aba6af212d9326792af746d7bca9211fa344fdc2798a490aed3a2840620c2a85e3d9b9c38f2330072663e16dd26bc414c7d68f6b11d2cd3e0387c1834c5e2262a9e2dc1bf7c0108b4e2052566c7a941ef6b38c8687fd7abe6add2b745c2c2d680ae3e5646ce2e717ef9899c7f3fb1e3088e8c0587d86546f752771819595a7a3d422820ceaa12e3ee671a456dac673';

test('RSASSA-PSS-SHA256 verifies the Wycheproof 3072-bit vector and refuses a flipped bit', () => {
  const pub = createPublicKey({ key: Buffer.from(fromHex(WYCHEPROOF_SPKI)), format: 'der', type: 'spki' });
  assert.equal(signingKeyType(pub), 'rsa');
  const sig = fromHex(WYCHEPROOF_SIG);
  assert.equal(verifyBytes(pub, utf8('Test'), sig), true);
  sig[100]! ^= 0x10;
  assert.equal(verifyBytes(pub, utf8('Test'), sig), false);
  assert.equal(verifyBytes(pub, utf8('Test'), new Uint8Array(3)), false);
});

test('RSA-3072 sign/verify round trip (PSS is randomised)', () => {
  const { privateKey, publicKey, keyType } = generateSigningKeyPair('rsa');
  assert.equal(keyType, 'rsa');
  assert.equal(publicKey.asymmetricKeyDetails?.modulusLength, 3072);
  const msg = utf8('passport office');
  const a = signBytes(privateKey, msg);
  const b = signBytes(privateKey, msg);
  assert.equal(a.length, 384);
  assert.notDeepEqual(a, b);
  assert.equal(verifyBytes(publicKey, msg, a), true);
  assert.equal(verifyBytes(publicKey, utf8('passport offic3'), a), false);
});

test('unsupported keys are refused with a typed error', () => {
  const x = generateSigningKeyPair('ed25519');
  assert.throws(() => signBytes(x.publicKey, utf8('m')), (e: unknown) => isTokumeiError(e, 'CRYPTO_BAD_ARGUMENT'));
  assert.throws(() => generateSigningKeyPair('dsa' as 'rsa'), (e: unknown) => isTokumeiError(e, 'CRYPTO_BAD_ARGUMENT'));
  const seeded = { bytes: (n: number) => new Uint8Array(n).fill(3) };
  assert.deepEqual(ed25519RawPublicKey(generateSigningKeyPair('ed25519', seeded).publicKey), ed25519RawPublicKey(generateSigningKeyPair('ed25519', seeded).publicKey));
});

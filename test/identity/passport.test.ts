import 'reflect-metadata';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, X509Certificate as NodeX509, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { createCa, type CommunityCa } from '../../src/identity/ca.js';
import { createCrl } from '../../src/identity/crl.js';
import { issuePassport, parsePassport, verifyPassport, verifyPassportIssuer } from '../../src/identity/passport.js';
import { ONION_KEY_OID, type KeyType } from '../../src/identity/types.js';
import * as asn from '@peculiar/asn1-x509';
import { buildCertificate, commonNameOf, extension, OID, spkiOf } from '../../src/identity/x509.js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { generateSigningKeyPair } from '../../src/crypto/signing.js';
import { generateX25519 } from '../../src/crypto/x25519.js';
import { toHex } from '../../src/crypto/bytes.js';
import { LinkRefusal, TokumeiError } from '../../src/errors.js';
import { DAY, msPerCall, NOW } from './helpers.js';

x509.cryptoProvider.set(webcrypto as Crypto);

function refusedWith(code: string) {
  return (e: unknown) => e instanceof TokumeiError && e.kind === 'refused' && e.code === code;
}

function member(ca: CommunityCa, o: { notBefore?: number; notAfter?: number } = {}) {
  const keys = generateSigningKeyPair(ca.keyType);
  const onion = generateX25519();
  const issued = issuePassport(ca, { signingPublicKey: keys.publicKey, onionPublicKey: onion.publicRaw, now: NOW, ...o });
  return { keys, onion, issued };
}

for (const keyType of ['ed25519', 'rsa'] as KeyType[]) {
  test(`${keyType}: an issued passport verifies, and node:crypto and @peculiar/x509 read the same`, async () => {
    const ca = createCa({ keyType, now: NOW - DAY });
    const { keys, onion, issued } = member(ca);
    assert.match(issued.serial, /^[4-7][0-9a-f]{31}$/);
    const p = verifyPassport(issued.der, { ca: ca.pem, now: NOW });
    assert.equal(p.serial, issued.serial);
    assert.equal(p.keyType, keyType);
    assert.deepEqual(p.onionKey, onion.publicRaw);
    assert.deepEqual(spkiOf(p.signingKey), spkiOf(keys.publicKey));
    assert.equal(p.notBefore.getTime(), NOW);
    assert.equal(p.notAfter.getTime(), NOW + 365 * DAY);
    assert.equal(verifyPassport(issued.pem, { ca: ca.der, now: NOW }).serial, issued.serial);

    const n = new NodeX509(issued.der);
    assert.equal(n.verify(ca.publicKey), true);
    assert.equal(n.checkIssued(new NodeX509(ca.der)), true);
    assert.equal(n.subject, `CN=tokumei member ${issued.serial}`);
    assert.equal(n.serialNumber.toLowerCase(), issued.serial);
    assert.equal(n.ca, false);

    // The onion key OID, DER-encoded by OpenSSL (`openssl asn1parse -genstr OID:2.25.…`).
    assert.ok(toHex(issued.der).includes('06156982b285abacecdcca9c81b4d4c985b4f5d0bd0001'));
    const pc = new x509.X509Certificate(new Uint8Array(issued.der));
    assert.equal(await pc.verify({ publicKey: new x509.X509Certificate(new Uint8Array(ca.der)).publicKey }), true);
    // @peculiar/x509 re-serialises extensions and truncates 128-bit OID arcs to "2.25" (x509.ts).
    const onionExt = pc.extensions.find((e) => e.type === '2.25' || e.type.startsWith('2.25.'));
    assert.ok(onionExt && !onionExt.critical);
    assert.equal(toHex(new Uint8Array(onionExt.value)), '0420' + toHex(onion.publicRaw));
    const ku = pc.getExtension(x509.KeyUsagesExtension);
    assert.ok(ku && ku.critical && ku.usages === x509.KeyUsageFlags.digitalSignature);
    const eku = pc.getExtension(x509.ExtendedKeyUsageExtension);
    assert.deepEqual([...(eku?.usages ?? [])], [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]);
    const caCert = new NodeX509(ca.der);
    assert.equal(caCert.ca, true);
    assert.equal(caCert.subject, 'CN=tokumei community CA');
    assert.equal(Date.parse(caCert.validTo) - Date.parse(caCert.validFrom), 3650 * DAY);
  });
}

test('expired, not-yet-valid, revoked and foreign passports are refused with their codes', () => {
  const ca = createCa({ now: NOW - 100 * DAY });
  const { issued } = member(ca, { notBefore: NOW - 30 * DAY, notAfter: NOW - DAY });
  assert.throws(() => verifyPassport(issued.der, { ca: ca.pem, now: NOW }), refusedWith(LinkRefusal.EXPIRED));
  assert.ok(verifyPassport(issued.der, { ca: ca.pem, now: NOW - 2 * DAY }));
  const future = member(ca, { notBefore: NOW + DAY, notAfter: NOW + 30 * DAY }).issued;
  assert.throws(() => verifyPassport(future.der, { ca: ca.pem, now: NOW }), refusedWith(LinkRefusal.NOT_YET_VALID));
  // Bounds are inclusive (RFC 5280 §4.1.2.5).
  assert.ok(verifyPassport(future.der, { ca: ca.pem, now: NOW + DAY }));
  assert.ok(verifyPassport(future.der, { ca: ca.pem, now: NOW + 30 * DAY }));

  const good = member(ca).issued;
  const crl = createCrl(ca, [good.serial], 2, NOW);
  assert.throws(() => verifyPassport(good.der, { ca: ca.pem, crl, now: NOW }), refusedWith(LinkRefusal.REVOKED));
  assert.ok(verifyPassport(good.der, { ca: ca.pem, crl: createCrl(ca, [], 3, NOW), now: NOW }));

  const other = createCa({ now: NOW - DAY });
  assert.throws(() => verifyPassport(good.der, { ca: other.pem, now: NOW }), refusedWith(LinkRefusal.OTHER_CA));
  // Same subject name, different key: the signature decides.
  assert.throws(() => verifyPassportIssuer(member(other).issued.der, ca.pem), refusedWith(LinkRefusal.OTHER_CA));
  const rsaCa = createCa({ keyType: 'rsa', now: NOW - DAY });
  assert.throws(() => verifyPassport(good.der, { ca: rsaCa.pem, now: NOW }), refusedWith(LinkRefusal.OTHER_CA));
});

/** A certificate signed by `ca` with the passport's fields but chosen extensions. */
function craft(ca: CommunityCa, extensions: asn.Extension[]): Uint8Array {
  return buildCertificate({
    serial: Uint8Array.of(0x42, 1, 2, 3),
    issuer: ca.subject,
    subject: commonNameOf('tokumei member 42010203'),
    notBefore: new Date(NOW - DAY),
    notAfter: new Date(NOW + DAY),
    spki: spkiOf(generateSigningKeyPair('ed25519').publicKey),
    extensions,
    issuerKey: ca.privateKey,
  });
}

test('profile violations are BAD_PASSPORT even when the CA signed them', () => {
  const ca = createCa({ now: NOW - DAY });
  const onion = generateX25519().publicRaw;
  const bc = (cA: boolean) => extension(OID.basicConstraints, true, AsnConvert.serialize(new asn.BasicConstraints({ cA })));
  const ku = (f: number) => extension(OID.keyUsage, true, AsnConvert.serialize(new asn.KeyUsage(f)));
  const eku = (...oids: string[]) => extension(OID.extKeyUsage, false, AsnConvert.serialize(new asn.ExtendedKeyUsage(oids)));
  const onionExt = (value: Uint8Array) => extension(ONION_KEY_OID, false, value);
  const good = [bc(false), ku(asn.KeyUsageFlags.digitalSignature), eku(OID.serverAuth, OID.clientAuth), onionExt(Uint8Array.of(4, 32, ...onion))];
  assert.ok(verifyPassport(craft(ca, good), { ca: ca.pem, now: NOW }));
  const cases: [string, asn.Extension[]][] = [
    ['CA:true', [bc(true), ...good.slice(1)]],
    ['no onion key', good.slice(0, 3)],
    ['short onion key', [...good.slice(0, 3), onionExt(Uint8Array.of(4, 31, ...onion.subarray(1)))]],
    ['onion key not an OCTET STRING', [...good.slice(0, 3), onionExt(Uint8Array.of(3, 32, ...onion))]],
    ['onion key with trailing bytes', [...good.slice(0, 3), onionExt(Uint8Array.of(4, 32, ...onion, 0))]],
    ['no keyUsage', [good[0]!, good[2]!, good[3]!]],
    ['keyUsage without digitalSignature', [good[0]!, ku(asn.KeyUsageFlags.keyEncipherment), good[2]!, good[3]!]],
    ['keyUsage keyCertSign', [good[0]!, ku(asn.KeyUsageFlags.digitalSignature | asn.KeyUsageFlags.keyCertSign), good[2]!, good[3]!]],
    ['no extKeyUsage', [good[0]!, good[1]!, good[3]!]],
    ['extKeyUsage clientAuth only', [good[0]!, good[1]!, eku(OID.clientAuth), good[3]!]],
    ['duplicate extension', [...good, good[1]!]],
    ['unknown critical extension', [...good, extension('1.2.3.4', true, Uint8Array.of(5, 0))]],
    ['malformed keyUsage', [good[0]!, extension(OID.keyUsage, true, Uint8Array.of(1, 2, 3)), good[2]!, good[3]!]],
  ];
  for (const [why, exts] of cases) {
    const der = craft(ca, exts);
    assert.throws(() => verifyPassport(der, { ca: ca.pem, now: NOW }), refusedWith(LinkRefusal.BAD_PASSPORT), why);
    assert.throws(() => parsePassport(der), refusedWith(LinkRefusal.BAD_PASSPORT), why);
  }
});

test('hostile bytes never escape as anything but TokumeiError("refused", LINK_BAD_PASSPORT/OTHER_CA)', () => {
  const ca = createCa({ now: NOW - DAY });
  const { issued } = member(ca);
  const inputs: (Uint8Array | string)[] = [new Uint8Array(0), Uint8Array.of(0x30), Uint8Array.of(0x30, 0x84, 0xff, 0xff, 0xff, 0xff), '', 'hello', '-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n', new Uint8Array(PASSPORT_LIMIT + 1)];
  for (let i = 0; i < 150; i++) inputs.push(randomBytes(i * 3));
  for (let i = 0; i < issued.der.length; i += 7) inputs.push(issued.der.subarray(0, i));
  for (let i = 0; i < 400; i++) {
    const m = issued.der.slice();
    const flips = 1 + (i % 4);
    for (let f = 0; f < flips; f++) m[(i * 131 + f * 977) % m.length]! ^= 1 << ((i + f) % 8);
    inputs.push(m);
  }
  // Deep nesting, the classic parser killer.
  inputs.push(Uint8Array.from({ length: 2000 }, (_, j) => (j % 2 === 0 ? 0x30 : 0x80)));
  inputs.push(null as unknown as Uint8Array, 42 as unknown as Uint8Array);
  let accepted = 0;
  for (const input of inputs) {
    try {
      verifyPassport(input, { ca: ca.pem, now: NOW });
      accepted++;
    } catch (e) {
      assert.ok(e instanceof TokumeiError, `not a TokumeiError: ${String(e)}`);
      assert.equal(e.kind, 'refused');
      assert.ok(e.code === LinkRefusal.BAD_PASSPORT || e.code === LinkRefusal.OTHER_CA, e.code);
    }
  }
  assert.equal(accepted, 0, `accepted ${accepted} mutated passports`);
});
const PASSPORT_LIMIT = 16 * 1024;

test('costs: issuing and verifying passports (printed)', () => {
  for (const keyType of ['ed25519', 'rsa'] as KeyType[]) {
    const ca = createCa({ keyType, now: NOW - DAY });
    const keys = generateSigningKeyPair(keyType);
    const onion = generateX25519().publicRaw;
    const n = keyType === 'rsa' ? 10 : 200;
    let der: Uint8Array = new Uint8Array(0);
    const issueMs = msPerCall(n, () => {
      der = issuePassport(ca, { signingPublicKey: keys.publicKey, onionPublicKey: onion, now: NOW }).der;
    });
    const ders = Array.from({ length: n }, () => issuePassport(ca, { signingPublicKey: keys.publicKey, onionPublicKey: onion, now: NOW }).der);
    let i = 0;
    const coldMs = msPerCall(n, () => verifyPassport(ders[i++]!, { ca: ca.pem, now: NOW }));
    const warmMs = msPerCall(n, () => verifyPassport(der, { ca: ca.pem, now: NOW }));
    console.log(`# ${keyType}: issue passport ${issueMs.toFixed(3)} ms; verify first time ${coldMs.toFixed(3)} ms, again (cached) ${warmMs.toFixed(3)} ms`);
    assert.ok(coldMs < 20 && issueMs < 50);
  }
});

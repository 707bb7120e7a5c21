import 'reflect-metadata';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { createCa } from '../../src/identity/ca.js';
import { createCrl, parseCrl } from '../../src/identity/crl.js';
import { TokumeiError } from '../../src/errors.js';
import { DAY, NOW } from './helpers.js';

x509.cryptoProvider.set(webcrypto as Crypto);

const is = (code: string) => (e: unknown) => e instanceof TokumeiError && e.code === code;

test('a CRL lists its serials and number, round-trips PEM/DER, and @peculiar/x509 verifies it', async () => {
  for (const keyType of ['ed25519', 'rsa'] as const) {
    const ca = createCa({ keyType, now: NOW - DAY });
    const serials = ['4a000000000000000000000000000001', '7fffffffffffffffffffffffffffffff', 'ff01'];
    const crl = createCrl(ca, [...serials, { serial: '01', revokedAt: NOW - DAY }], 7, NOW);
    assert.equal(crl.number, 7);
    assert.equal(crl.thisUpdate.getTime(), NOW);
    assert.deepEqual([...crl.revoked].sort(), [...serials, '01'].sort());
    const again = parseCrl(crl.pem, ca.pem);
    assert.equal(again.number, 7);
    assert.deepEqual(again.der, crl.der);
    assert.equal(parseCrl(crl.der, ca.der).revoked.size, 4);

    const pc = new x509.X509Crl(new Uint8Array(crl.der));
    assert.equal(await pc.verify({ publicKey: new x509.X509Certificate(new Uint8Array(ca.der)).publicKey }), true);
    assert.equal(pc.issuer, 'CN=tokumei community CA');
    assert.ok(pc.findRevoked('7fffffffffffffffffffffffffffffff'));
  }
  const empty = createCrl(createCa({ now: NOW }), [], 1, NOW);
  assert.equal(empty.revoked.size, 0);
});

test('another CA, a tampered CRL and garbage are refused with typed errors', () => {
  const ca = createCa({ now: NOW - DAY });
  const other = createCa({ now: NOW - DAY });
  const crl = createCrl(ca, ['4a00'], 2, NOW);
  assert.throws(() => parseCrl(crl.der, other.pem), is('CRL_BAD_SIGNATURE'));
  let sawBadSignature = false;
  for (let i = 0; i < crl.der.length; i++) {
    const m = crl.der.slice();
    m[i]! ^= 0x01;
    try {
      parseCrl(m, ca.pem);
      assert.fail(`accepted a CRL with byte ${i} flipped`);
    } catch (e) {
      assert.ok(e instanceof TokumeiError && (e.code === 'CRL_MALFORMED' || e.code === 'CRL_BAD_SIGNATURE'), String(e));
      sawBadSignature ||= e.code === 'CRL_BAD_SIGNATURE';
    }
  }
  assert.ok(sawBadSignature);
  for (const junk of [new Uint8Array(0), randomBytes(100), 'not a crl', crl.pem.replace('X509 CRL', 'CERTIFICATE'), ca.der]) {
    assert.throws(() => parseCrl(junk, ca.pem), is('CRL_MALFORMED'));
  }
  assert.throws(() => createCrl(ca, [], 0, NOW), is('CRL_BAD_NUMBER'));
  assert.throws(() => createCrl(ca, ['xyz'], 2, NOW), is('X509_BAD_SERIAL'));
});

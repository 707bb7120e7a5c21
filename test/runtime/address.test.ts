import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTokumeiError } from '../../src/errors.js';
import { BAD_ADDRESS, formatAddress, parseAddress } from '../../src/runtime/address.js';
import { certificateDerFromPem } from '../../src/runtime/sim/pem.js';
import { makeTestPki } from '../fixtures/certs.js';

describe('address', () => {
  it('parses IPv4, bracketed IPv6 and host names', () => {
    assert.deepEqual(parseAddress('127.0.0.1:7000'), { host: '127.0.0.1', port: 7000 });
    assert.deepEqual(parseAddress('[::1]:7000'), { host: '::1', port: 7000 });
    assert.deepEqual(parseAddress('[2001:db8::1]:0'), { host: '2001:db8::1', port: 0 });
    assert.deepEqual(parseAddress('node-17:65535'), { host: 'node-17', port: 65535 });
    assert.deepEqual(parseAddress('relay.example.org:443'), { host: 'relay.example.org', port: 443 });
  });

  it('formats back, bracketing IPv6', () => {
    for (const text of ['127.0.0.1:7000', '[::1]:7000', 'node-17:1']) {
      const { host, port } = parseAddress(text);
      assert.equal(formatAddress(host, port), text);
    }
  });

  it('rejects malformed input with a typed error', () => {
    const bad: unknown[] = [
      '', ':7000', '127.0.0.1', '127.0.0.1:', '127.0.0.1:65536', '127.0.0.1:07000', '127.0.0.1:-1', '127.0.0.1:7e3',
      '::1:7000', '[::1]7000', '[::1:7000', '[nonsense]:1', '256.0.0.1:80', '1.2.3:80', 'a b:80', '-host:80',
      'host_name:80', 'x'.repeat(400) + ':1', 42, null, undefined,
    ];
    for (const input of bad) {
      assert.throws(() => parseAddress(input as string), (e: unknown) => isTokumeiError(e, BAD_ADDRESS) && e.kind === 'bad-input', String(input));
    }
  });
});

describe('pem', () => {
  it('takes the DER out of a certificate PEM and rejects anything else', async () => {
    const pki = await makeTestPki();
    assert.deepEqual(certificateDerFromPem(pki.alice.certPem), pki.alice.der);
    for (const bad of ['', pki.alice.keyPem, '-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----']) {
      assert.throws(() => certificateDerFromPem(bad), (e: unknown) => isTokumeiError(e, 'RUNTIME_BAD_PEM'));
    }
  });
});

/**
 * node:tls (OpenSSL) accepts what the passport office issues: two passports do a TLS 1.3 mutual
 * handshake trusting only the community CA, and the keying-material exporter agrees on both ends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { createCommunity } from '../../src/identity/community.js';
import type { KeyType, NodeIdentity } from '../../src/identity/types.js';

function options(id: NodeIdentity) {
  return { key: id.signingKeyPem, cert: id.passport.pem, ca: id.caPem, minVersion: 'TLSv1.3' as const, maxVersion: 'TLSv1.3' as const };
}

/** Connects `client` to a server holding `server`; rejects when either side refuses. */
async function handshake(server: NodeIdentity, client: NodeIdentity): Promise<{ s: TLSSocket; c: TLSSocket; close: () => void }> {
  const srv = createServer({ ...options(server), requestCert: true, rejectUnauthorized: true });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  let c: TLSSocket | undefined;
  try {
    const serverSide = new Promise<TLSSocket>((resolve, reject) => {
      srv.on('secureConnection', resolve);
      srv.on('tlsClientError', reject);
    });
    const clientSide = new Promise<TLSSocket>((resolve, reject) => {
      c = connect({ ...options(client), host: '127.0.0.1', port, rejectUnauthorized: true, checkServerIdentity: () => undefined });
      // TLS 1.3: the client finishes before the server has checked its certificate, so wait for
      // the server's verdict too; a refusal reaches the client as an alert (error) or a close.
      c.on('secureConnect', () => resolve(c!));
      c.on('error', reject);
      c.on('close', () => reject(new Error('closed')));
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('handshake timed out')), 10_000)));
    const [s] = await Promise.race([Promise.all([serverSide, clientSide]), timeout]).finally(() => clearTimeout(timer));
    return { s, c: c!, close: () => (c!.destroy(), s.destroy(), srv.close()) };
  } catch (e) {
    c?.destroy();
    srv.close();
    throw e;
  }
}

for (const keyType of ['ed25519', 'rsa'] as KeyType[]) {
  test(`${keyType}: TLS 1.3 mutual authentication with issued passports`, async () => {
    const community = await createCommunity({ keyType, trustees: 1, threshold: 1, escrow: false });
    const a = community.issue().identity;
    const b = community.issue().identity;
    const { s, c, close } = await handshake(a, b);
    try {
      assert.equal(c.getProtocol(), 'TLSv1.3');
      assert.equal(s.authorized, true);
      assert.equal(c.authorized, true);
      assert.equal(s.getPeerCertificate().serialNumber.toLowerCase(), b.passport.serial);
      assert.equal(c.getPeerCertificate().serialNumber.toLowerCase(), a.passport.serial);
      const ks = s.exportKeyingMaterial(32, 'x', Buffer.alloc(0)); // empty context = none (RFC 8446 §7.5)
      const kc = c.exportKeyingMaterial(32, 'x', Buffer.alloc(0));
      assert.equal(ks.length, 32);
      assert.deepEqual(ks, kc);
    } finally {
      close();
    }
  });
}

test('TLS refuses a passport from another community CA', async () => {
  const ours = await createCommunity({ trustees: 1, threshold: 1, escrow: false });
  const theirs = await createCommunity({ trustees: 1, threshold: 1, escrow: false });
  const a = ours.issue().identity;
  const stranger = { ...theirs.issue().identity, caPem: ours.caPem };
  await assert.rejects(handshake(a, stranger));
  await assert.rejects(handshake(stranger, a));
});

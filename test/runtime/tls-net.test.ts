import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { describe, it } from 'node:test';
import { isTokumeiError, LinkRefusal } from '../../src/errors.js';
import type { HandshakeFailure, TransportConnection } from '../../src/runtime/runtime.js';
import { createTlsNet } from '../../src/runtime/real/tls-net.js';
import { credentialsFor, makeTestPki, type TestCert } from '../fixtures/certs.js';
import { runTransportCompliance, type TransportEnv } from './transport-compliance.js';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitFor(predicate: () => boolean, ms = 5_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return true;
}

async function settle<T>(promise: Promise<T>, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

runTransportCompliance('tls-net (real TLS 1.3 on loopback)', async (): Promise<TransportEnv> => {
  const pki = await makeTestPki();
  const transport = createTlsNet();
  return {
    server: { net: transport, credentials: credentialsFor(pki, pki.alice), passportDer: pki.alice.der, listenAddress: '127.0.0.1:0' },
    client: { net: transport, credentials: credentialsFor(pki, pki.bob), passportDer: pki.bob.der },
    unusedAddress: `127.0.0.1:${await freePort()}`,
    waitFor,
    settle,
    dispose: async () => undefined,
  };
});

describe('tls-net refusals', () => {
  async function refusedDial(clientLeaf: TestCert): Promise<{ failure: HandshakeFailure; dialError: unknown }> {
    const pki = await makeTestPki();
    const transport = createTlsNet();
    const failures: HandshakeFailure[] = [];
    let accepted = 0;
    const listener = await transport.listen({
      address: '127.0.0.1:0',
      credentials: credentialsFor(pki, pki.alice),
      onConnection: () => accepted++,
      onHandshakeFailure: (failure) => failures.push(failure),
    });
    let dialError: unknown;
    try {
      const conn = await transport.dial(listener.address, credentialsFor(pki, clientLeaf));
      conn.close();
    } catch (error) {
      dialError = error;
    }
    assert.ok(await waitFor(() => failures.length > 0), 'listener reported the failure');
    await listener.close();
    assert.equal(accepted, 0);
    assert.equal(failures.length, 1);
    assert.match(failures[0]!.remoteAddress, /^127\.0\.0\.1:\d+$/);
    return { failure: failures[0]!, dialError };
  }

  const cases: [string, keyof Awaited<ReturnType<typeof makeTestPki>>, string][] = [
    ['a passport from another CA', 'otherLeaf', LinkRefusal.OTHER_CA],
    ['an expired passport', 'expiredLeaf', LinkRefusal.EXPIRED],
    ['a passport not valid yet', 'notYetValidLeaf', LinkRefusal.NOT_YET_VALID],
  ];
  for (const [what, leaf, code] of cases) {
    it(`refuses a client with ${what}: ${code}`, async () => {
      const pki = await makeTestPki();
      const { failure, dialError } = await refusedDial(pki[leaf]);
      assert.ok(isTokumeiError(failure.error, code), `listener got ${String(failure.error)}`);
      // TLS 1.3: the client cannot know why; it gets a clear refusal, not a connection.
      assert.ok(isTokumeiError(dialError, LinkRefusal.HANDSHAKE_FAILED), `dial got ${String(dialError)}`);
      assert.match((dialError as Error).message, /refused our passport/);
    });
  }

  it('refuses a client without a certificate: LINK_NO_CERTIFICATE', async () => {
    const pki = await makeTestPki();
    const transport = createTlsNet();
    const failures: HandshakeFailure[] = [];
    const listener = await transport.listen({
      address: '127.0.0.1:0',
      credentials: credentialsFor(pki, pki.alice),
      onConnection: () => assert.fail('no connection expected'),
      onHandshakeFailure: (failure) => failures.push(failure),
    });
    const { port } = (await import('../../src/runtime/address.js')).parseAddress(listener.address);
    const clientError = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port, minVersion: 'TLSv1.3', ca: [pki.ca.certPem], checkServerIdentity: () => undefined });
      let error: NodeJS.ErrnoException | undefined;
      socket.on('error', (e) => {
        error = e;
      });
      socket.on('close', () => resolve(error));
    });
    assert.ok(await waitFor(() => failures.length > 0));
    await listener.close();
    assert.ok(isTokumeiError(failures[0]!.error, LinkRefusal.NO_CERTIFICATE), String(failures[0]!.error));
    assert.equal(clientError?.code, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
  });

  it('refuses a server with a passport from another CA: LINK_OTHER_CA on both sides', async () => {
    const pki = await makeTestPki();
    const transport = createTlsNet();
    const failures: HandshakeFailure[] = [];
    // A stranger: passport and trust anchor from the other community.
    const listener = await transport.listen({
      address: '127.0.0.1:0',
      credentials: credentialsFor(pki, pki.otherLeaf, pki.otherCa),
      onConnection: () => assert.fail('the stranger must not accept us'),
      onHandshakeFailure: (failure) => failures.push(failure),
    });
    await assert.rejects(transport.dial(listener.address, credentialsFor(pki, pki.bob)),
      (error: unknown) => isTokumeiError(error, LinkRefusal.OTHER_CA) && error.kind === 'refused');
    // The dialler closes gracefully, so the stranger still reads our passport and says why.
    assert.ok(await waitFor(() => failures.length > 0));
    assert.ok(isTokumeiError(failures[0]!.error, LinkRefusal.OTHER_CA), String(failures[0]!.error));
    await listener.close();
  });

  it('times out a dial to a server that never speaks TLS: LINK_TIMEOUT', async () => {
    const pki = await makeTestPki();
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const started = Date.now();
    await assert.rejects(createTlsNet().dial(`127.0.0.1:${port}`, credentialsFor(pki, pki.bob), 200),
      (error: unknown) => isTokumeiError(error, LinkRefusal.TIMEOUT) && error.kind === 'timeout');
    assert.ok(Date.now() - started < 2_000);
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('rejects unusable credentials with a typed error', async () => {
    const pki = await makeTestPki();
    const transport = createTlsNet();
    await assert.rejects(transport.dial('127.0.0.1:1', { ...credentialsFor(pki, pki.bob), keyPem: 'nonsense' }),
      (error: unknown) => isTokumeiError(error, 'RUNTIME_BAD_CREDENTIALS'));
    await assert.rejects(transport.listen({ address: '127.0.0.1:0', credentials: { ...credentialsFor(pki, pki.bob), passportPem: '' }, onConnection: () => undefined }),
      (error: unknown) => isTokumeiError(error, 'RUNTIME_BAD_CREDENTIALS'));
  });
});

describe('tls-net write path and bounds', () => {
  it('sends the cells written in one tick as one TLS record', async () => {
    const pki = await makeTestPki();
    const transport = createTlsNet();
    let received = 0;
    const listener = await transport.listen({
      address: '127.0.0.1:0',
      credentials: credentialsFor(pki, pki.alice),
      onConnection: (conn) => conn.onData((data) => {
        received += data.byteLength;
      }),
    });
    const { port } = (await import('../../src/runtime/address.js')).parseAddress(listener.address);
    // A TCP proxy that counts TLS records (RFC 8446 §5.1 header: type, version, length) upstream.
    const records: number[] = [];
    let pendingBytes = Buffer.alloc(0);
    const sockets: net.Socket[] = [];
    const proxy = net.createServer((down) => {
      const up = net.connect(port, '127.0.0.1');
      sockets.push(down, up);
      down.on('data', (chunk: Buffer) => {
        pendingBytes = Buffer.concat([pendingBytes, chunk]);
        while (pendingBytes.length >= 5 && pendingBytes.length >= 5 + pendingBytes.readUInt16BE(3)) {
          records.push(pendingBytes.readUInt16BE(3));
          pendingBytes = pendingBytes.subarray(5 + pendingBytes.readUInt16BE(3));
        }
        up.write(chunk);
      });
      up.pipe(down);
      down.on('error', () => undefined);
      up.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const client = await transport.dial(`127.0.0.1:${(proxy.address() as net.AddressInfo).port}`, credentialsFor(pki, pki.bob));
    const before = records.length;
    for (let i = 0; i < 10; i++) client.send(new Uint8Array(512));
    assert.ok(await waitFor(() => received === 5120));
    assert.equal(records.length - before, 1, 'one record');
    assert.ok(records.at(-1)! > 5120 && records.at(-1)! < 5120 + 64);
    client.close();
    await listener.close();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  });

  it('drops inbound connections beyond the pending-handshake bound at once', async () => {
    const pki = await makeTestPki();
    const transport = createTlsNet({ maxPendingHandshakes: 3 });
    const failures: HandshakeFailure[] = [];
    const listener = await transport.listen({
      address: '127.0.0.1:0',
      credentials: credentialsFor(pki, pki.alice),
      onConnection: () => undefined,
      onHandshakeFailure: (failure) => failures.push(failure),
    });
    const { port } = (await import('../../src/runtime/address.js')).parseAddress(listener.address);
    const raws: net.Socket[] = [];
    let closedEarly = 0;
    for (let i = 0; i < 5; i++) {
      const raw = net.connect(port, '127.0.0.1');
      raw.on('error', () => undefined);
      raw.on('close', () => closedEarly++);
      raws.push(raw);
    }
    assert.ok(await waitFor(() => closedEarly >= 2), 'two silent connections were dropped');
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(closedEarly, 2);
    assert.equal(failures.filter((f) => isTokumeiError(f.error, LinkRefusal.FLOODING)).length, 2);
    // Closing the listener drops the handshakes still pending.
    await listener.close();
    assert.ok(await waitFor(() => closedEarly === 5), 'pending handshakes dropped on close');
  });

  it('destroys a link whose peer does not read (write buffer over its bound)', async () => {
    const pki = await makeTestPki();
    const transport = createTlsNet({ maxWriteBufferBytes: 256 * 1024 });
    const accepted: TransportConnection[] = [];
    const listener = await transport.listen({ address: '127.0.0.1:0', credentials: credentialsFor(pki, pki.alice), onConnection: (c) => accepted.push(c) });
    const client = await transport.dial(listener.address, credentialsFor(pki, pki.bob));
    let closeError: Error | undefined;
    let closed = false;
    client.onClose((error) => {
      closed = true;
      closeError = error;
    });
    const cell = new Uint8Array(16 * 1024);
    for (let i = 0; i < 64; i++) client.send(cell); // 1 MiB in one tick, nobody reads
    assert.ok(await waitFor(() => closed));
    assert.ok(isTokumeiError(closeError, 'LINK_STALLED'), String(closeError));
    await listener.close();
  });
});

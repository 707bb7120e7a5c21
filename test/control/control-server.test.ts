/**
 * The control API: token on every request, loopback only, clear HTTP errors (401 / 404 / 405 /
 * 413 / 400), and the client that `tokumei status` and `ca revoke --push` use.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TokumeiError } from '../../src/errors.js';
import type { NodeStatus } from '../../src/node/status.js';
import { controlRoutes, MAX_CRL_BODY_BYTES, type ControlApi } from '../../src/node/node-routes.js';
import { startControlServer, type ControlServer } from '../../src/control/control-server.js';
import { NodeClient } from '../../src/node/node-client.js';
import { call } from './helpers/http-call.js';
import { unusedRoutingControl } from './helpers/fake-routing.js';

const fakeStatus: NodeStatus = {
  id: 'abcdef0123456789',
  address: '127.0.0.1:7001',
  startedAt: 0,
  uptimeMs: 1000,
  degree: { current: 1, min: 4, max: 8 },
  neighbours: [{ id: '01', address: '127.0.0.1:7002', direction: 'outbound', rttMs: 0.5, linkUptimeMs: 900, uptimeMs: 2000, loadCellsPerSec: 1, degree: 2 }],
  knownPeers: 1,
  crlNumber: 1,
  refusals: [],
  counters: {},
  services: [],
  serviceStatus: {},
};

const installed: string[] = [];
const api: ControlApi = {
  ...unusedRoutingControl,
  status: () => fakeStatus,
  installCrl(pem) {
    if (pem.includes('BAD')) throw new TokumeiError('crypto', 'CRL_BAD_SIGNATURE', 'CRL not signed by this community CA');
    installed.push(pem);
    return { installed: true, crlNumber: 2 };
  },
};
const CRL_PEM = '-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n';

describe('control server', () => {
  let server: ControlServer;
  before(async () => {
    server = await startControlServer({ listen: { host: '127.0.0.1', port: 0 }, router: controlRoutes(api) });
  });
  after(() => server.close());

  test('listens on loopback and has a 64-hex-digit token', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(server.token, /^[0-9a-f]{64}$/);
  });

  test('every request needs the bearer token (401 otherwise, even on unknown paths)', async () => {
    for (const auth of [null, 'Bearer ', `Bearer ${'0'.repeat(64)}`, `Basic ${server.token}`, `Bearer ${server.token}x`, server.token]) {
      for (const path of ['/api/status', '/nope']) {
        const r = await call(server, 'GET', path, { auth });
        assert.equal(r.status, 401, `auth=${auth} path=${path}`);
        assert.equal(r.json.error.code, 'CONTROL_UNAUTHORIZED');
      }
    }
  });

  test('GET /api/status returns the NodeStatus as JSON', async () => {
    const r = await call(server, 'GET', '/api/status');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /application\/json/);
    assert.deepEqual(r.json, fakeStatus);
  });

  test('unknown path is 404, wrong method is 405 with Allow', async () => {
    const nf = await call(server, 'GET', '/api/nothing');
    assert.equal(nf.status, 404);
    assert.equal(nf.json.error.code, 'CONTROL_NOT_FOUND');
    const post = await call(server, 'POST', '/api/status', { body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.json.error.code, 'CONTROL_METHOD_NOT_ALLOWED');
    assert.equal(post.headers.allow, 'GET');
    const del = await call(server, 'DELETE', '/api/crl');
    assert.equal(del.status, 405);
    assert.equal(del.headers.allow, 'POST');
  });

  test('POST /api/crl installs a CRL; garbage and bad CRLs are 400 with a code', async () => {
    const ok = await call(server, 'POST', '/api/crl', { body: CRL_PEM });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json, { installed: true, crlNumber: 2 });
    assert.equal(installed.at(-1), CRL_PEM);
    const garbage = await call(server, 'POST', '/api/crl', { body: Buffer.from([0, 1, 2, 255, 254]) });
    assert.equal(garbage.status, 400);
    assert.equal(garbage.json.error.code, 'CRL_INVALID');
    const bad = await call(server, 'POST', '/api/crl', { body: CRL_PEM.replace('AAAA', 'BAD') });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'CRL_BAD_SIGNATURE');
  });

  test('a body over 1 MiB is 413, declared or streamed', async () => {
    const big = Buffer.alloc(MAX_CRL_BODY_BYTES + 1, 0x41);
    const declared = await call(server, 'POST', '/api/crl', { body: big });
    assert.equal(declared.status, 413);
    assert.equal(declared.json.error.code, 'CONTROL_BODY_TOO_LARGE');
    const streamed = await call(server, 'POST', '/api/crl', { body: Buffer.alloc(4 * MAX_CRL_BODY_BYTES, 0x41), chunked: true });
    assert.equal(streamed.status, 413);
    // The server still serves afterwards.
    assert.equal((await call(server, 'GET', '/api/status')).status, 200);
  });

  test('the client reads status and pushes CRLs; a wrong token is a clear error', async () => {
    const info = { url: server.url, token: server.token, pid: process.pid, nodeId: 'x', address: 'y' };
    const client = new NodeClient(info);
    assert.equal((await client.status()).id, fakeStatus.id);
    assert.deepEqual(await client.pushCrl(CRL_PEM), { installed: true, crlNumber: 2 });
    const wrong = new NodeClient({ ...info, token: 'f'.repeat(64) });
    await assert.rejects(wrong.status(), (e: unknown) => e instanceof TokumeiError && e.code === 'CONTROL_UNAUTHORIZED');
    await assert.rejects(client.pushCrl(CRL_PEM.replace('AAAA', 'BAD')), (e: unknown) => e instanceof TokumeiError && e.code === 'CRL_BAD_SIGNATURE');
  });
});

describe('control server lifecycle', () => {
  test('refuses a non-loopback host', async () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
      await assert.rejects(startControlServer({ listen: { host, port: 0 }, router: controlRoutes(api) }), (e: unknown) => e instanceof TokumeiError && e.code === 'CONTROL_NOT_LOOPBACK');
    }
  });

  test('after close, the client reports the node unreachable', async () => {
    const server = await startControlServer({ listen: { host: '127.0.0.1', port: 0 }, router: controlRoutes(api) });
    const client = new NodeClient({ url: server.url, token: server.token, pid: 1, nodeId: '', address: '' });
    await server.close();
    await assert.rejects(client.status(), (e: unknown) => e instanceof TokumeiError && e.code === 'CONTROL_UNREACHABLE');
  });
});

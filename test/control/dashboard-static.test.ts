/**
 * The dashboard's static files (src/control/dashboard-site.ts): served without the token, with
 * their content types and a Content-Security-Policy; only files known at start-up (no path
 * traversal, however spelled); every /api route still needs the token.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controlRoutes, type ControlApi } from '../../src/node/node-routes.js';
import { startControlServer, type ControlServer } from '../../src/control/control-server.js';
import { DASHBOARD_CSP, dashboardUrl, findPackageRoot, loadDashboardSite } from '../../src/control/dashboard-site.js';
import { readControlFile, writeControlFile } from '../../src/control/control-file.js';
import type { NodeStatus } from '../../src/node/status.js';
import { unusedRoutingControl } from './helpers/fake-routing.js';

const fakeStatus: NodeStatus = {
  id: 'abcdef0123456789',
  address: '127.0.0.1:7001',
  startedAt: 0,
  uptimeMs: 1000,
  degree: { current: 0, min: 4, max: 8 },
  neighbours: [],
  knownPeers: 0,
  crlNumber: 1,
  refusals: [],
  counters: {},
  services: [],
  serviceStatus: {},
};
const api: ControlApi = { ...unusedRoutingControl, status: () => fakeStatus, installCrl: () => ({ installed: false, crlNumber: 1 }) };

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request with the path sent exactly as given (no URL normalisation on the client side). */
function raw(server: ControlServer, method: string, path: string, auth?: string): Promise<Raw> {
  const u = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: Number(u.port), method, path, headers: auth ? { authorization: auth } : {}, timeout: 10_000 });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.end();
  });
}

describe('dashboard static files', () => {
  let server: ControlServer;
  const root = findPackageRoot();
  before(async () => {
    server = await startControlServer({ listen: { host: '127.0.0.1', port: 0 }, router: controlRoutes(api), site: loadDashboardSite(root) });
  });
  after(() => server.close());

  test('the package root is found from dist/ and holds the dashboard', async () => {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { name: string };
    assert.equal(pkg.name, 'tokumei');
    const site = loadDashboardSite(root);
    for (const f of ['index.html', 'app.js', 'style.css']) assert.ok(site.files.includes(f), f);
    assert.deepEqual([...site.vendor].sort(), ['vega-lite.min.js', 'vega.min.js']);
  });

  test('/, /dashboard/* and /vendor/* are served without the token, with their content types', async () => {
    const cases: [string, RegExp, string][] = [
      ['/', /^text\/html; charset=utf-8$/, '<script type="module" src="/dashboard/app.js">'],
      ['/dashboard/index.html', /^text\/html/, '<!doctype html>'],
      ['/dashboard/app.js', /^text\/javascript; charset=utf-8$/, 'import'],
      ['/dashboard/style.css', /^text\/css; charset=utf-8$/, ':root'],
      ['/dashboard/favicon.svg', /^image\/svg\+xml$/, '<svg'],
      ['/vendor/vega.min.js', /^text\/javascript/, 'vega'],
      ['/vendor/vega-lite.min.js', /^text\/javascript/, 'vegaLite'],
      ['/?utm=x', /^text\/html/, '<title>'],
    ];
    for (const [path, type, contains] of cases) {
      const r = await raw(server, 'GET', path);
      assert.equal(r.status, 200, path);
      assert.match(String(r.headers['content-type']), type, path);
      assert.ok(r.body.toString('utf8').includes(contains), `${path} contains ${contains}`);
      assert.equal(r.headers['x-content-type-options'], 'nosniff', path);
      assert.equal(r.headers['referrer-policy'], 'no-referrer', path);
    }
    const head = await raw(server, 'HEAD', '/dashboard/app.js');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
  });

  test('a Content-Security-Policy restricts the page to its own origin', async () => {
    const r = await raw(server, 'GET', '/');
    const csp = String(r.headers['content-security-policy']);
    assert.equal(csp, DASHBOARD_CSP);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'( |;)/);
    assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/);
    assert.match(csp, /connect-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    // The page loads no inline script and no other origin.
    const html = r.body.toString('utf8');
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//);
  });

  test('every /api route still needs the bearer token', async () => {
    for (const path of ['/api/status', '/api/routing', '/api/nope', '/nope', '/dashboard']) {
      const r = await raw(server, 'GET', path);
      assert.equal(r.status, 401, path);
      assert.equal(JSON.parse(r.body.toString('utf8')).error.code, 'CONTROL_UNAUTHORIZED', path);
    }
    const ok = await raw(server, 'GET', '/api/status', `Bearer ${server.token}`);
    assert.equal(ok.status, 200);
    assert.equal(JSON.parse(ok.body.toString('utf8')).id, fakeStatus.id);
  });

  test('path traversal is refused however it is spelled', async () => {
    const pkg = await readFile(join(root, 'package.json'), 'utf8');
    const attempts = [
      '/dashboard/../package.json',
      '/dashboard/%2e%2e/package.json',
      '/dashboard/%2E%2E/package.json',
      '/dashboard/..%2fpackage.json',
      '/dashboard/..%2Fpackage.json',
      '/dashboard/%2e%2e%2fpackage.json',
      '/dashboard/..%5cpackage.json',
      '/dashboard/..\\package.json',
      '/dashboard/%252e%252e/package.json',
      '/dashboard/./app.js',
      '/dashboard//app.js',
      '/dashboard/.%2e/package.json',
      '/vendor/../package.json',
      '/vendor/../../package.json',
      '/vendor/vega/build/vega.min.js',
      '/vendor/%2e%2e/%2e%2e/package.json',
      '/dashboard/../src/control/token.ts',
      '/dashboard/%00app.js',
      '/dashboard/app.js%00.css',
      '/dashboard/',
      '/dashboard/.gitignore',
    ];
    for (const path of attempts) {
      for (const auth of [undefined, `Bearer ${server.token}`]) {
        const r = await raw(server, 'GET', path, auth);
        assert.notEqual(r.status, 200, `${path} (auth ${auth ? 'yes' : 'no'}) must be refused`);
        const text = r.body.toString('utf8');
        assert.ok(!text.includes('"name": "tokumei"') && !text.includes(pkg.slice(0, 40)), `${path} leaked package.json`);
        assert.ok(!text.includes('timingSafeEqual'), `${path} leaked a source file`);
        assert.match(String(r.headers['content-type']), /^application\/json/, path);
      }
    }
    const nf = await raw(server, 'GET', '/dashboard/nope.js');
    assert.equal(nf.status, 404);
    assert.equal(JSON.parse(nf.body.toString('utf8')).error.code, 'DASHBOARD_NOT_FOUND');
  });

  test('only GET and HEAD on the files', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const r = await raw(server, method, '/dashboard/app.js');
      assert.equal(r.status, 405, method);
      assert.equal(r.headers.allow, 'GET, HEAD');
    }
  });

  test('without a site the control server keeps every path behind the token', async () => {
    const bare = await startControlServer({ listen: { host: '127.0.0.1', port: 0 }, router: controlRoutes(api) });
    try {
      for (const path of ['/', '/dashboard/app.js', '/vendor/vega.min.js']) assert.equal((await raw(bare, 'GET', path)).status, 401, path);
    } finally {
      await bare.close();
    }
  });

  test('a site outside the package lists only plain names with known types', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tokumei-site-'));
    try {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(join(dir, 'dashboard', 'sub'), { recursive: true });
      await writeFile(join(dir, 'package.json'), '{"name":"tokumei"}');
      await writeFile(join(dir, 'dashboard', 'index.html'), '<!doctype html>');
      await writeFile(join(dir, 'dashboard', '.secret.js'), 'x');
      await writeFile(join(dir, 'dashboard', 'notes.txt'), 'x');
      await writeFile(join(dir, 'dashboard', 'sub', 'a.js'), 'x');
      const site = loadDashboardSite(dir);
      assert.deepEqual([...site.files], ['index.html']);
      assert.deepEqual([...site.vendor], []);
      assert.equal(await site.serve('GET', '/api/status'), undefined);
      assert.equal((await site.serve('GET', '/'))?.status, 200);
      await assert.rejects(site.serve('GET', '/dashboard/notes.txt'), { code: 'DASHBOARD_NOT_FOUND' });
      await assert.rejects(site.serve('GET', '/dashboard/sub/a.js'), { code: 'DASHBOARD_NOT_FOUND' });
      await rm(join(dir, 'dashboard', 'index.html'));
      assert.throws(() => loadDashboardSite(dir), { code: 'DASHBOARD_NOT_FOUND' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('control.json carries the dashboard URL with the token in the fragment', async () => {
    const url = dashboardUrl(server.url, server.token);
    assert.equal(url, `${server.url}/#token=${server.token}`);
    const dir = await mkdtemp(join(tmpdir(), 'tokumei-ctl-'));
    try {
      await writeControlFile(dir, { url: server.url, token: server.token, pid: 1, nodeId: 'ab', address: '127.0.0.1:1', dashboardUrl: url });
      assert.equal((await readControlFile(dir)).dashboardUrl, url);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The control API's emergency-opening endpoints against fake roles: routes exist only for the
 * roles a node has, every request's form is checked before the node is asked, refusals keep their
 * code with a status by kind, and the CLI's client speaks every endpoint.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TokumeiError } from '../../src/errors.js';
import { controlRoutes, type ControlApi } from '../../src/node/node-routes.js';
import { startControlServer, type ControlServer } from '../../src/control/control-server.js';
import { ControlClient } from '../../src/control/control-client.js';
import { TrusteeControlClient } from '../../src/trustees/service/trustee-control-client.js';
import { addOpeningRoutes, type OpeningControl, type TrusteeControl } from '../../src/trustees/service/trustee-api.js';
import type { Router } from '../../src/control/router.js';
import { generateBoardKeys } from '../../src/board/board-keys.js';
import type { OpeningStatus } from '../../src/trustees/opening-state.js';
import type { TrusteeRequestView } from '../../src/trustees/trustee-service.js';
import type { AuditView } from '../../src/trustees/opening-audits.js';
import { call, postJson } from './helpers/http-call.js';
import { unusedRoutingControl } from './helpers/fake-routing.js';
import { TrusteeErrors } from '../../src/trustees/trustees-errors.js';

const BOARD = generateBoardKeys().address;
const RID = '0123456789abcdef0123456789abcdef';
const ANON = 'ab'.repeat(64);
const AUTHORITY = { name: 'Example Health Authority', signingPublicKey: 'cd'.repeat(32) };
const pending: TrusteeRequestView = { requestId: RID, board: BOARD, postId: 'ef'.repeat(16), anonId: ANON, authority: AUTHORITY.name, authorityKey: AUTHORITY.signingPublicKey, reason: 'court order', requestedAt: 1_780_000_000_000, status: 'pending' };
const opening: OpeningStatus = { requestId: RID, board: BOARD, anonId: ANON, authority: AUTHORITY.name, reason: 'court order', requestedAt: 1_780_000_000_000, postId: 'ef'.repeat(16), status: 'waiting', stage: 'approvals', approvals: 1, threshold: 2, rejected: [] };
const audit: AuditView = { postId: '12'.repeat(16), created: 1, requestId: RID, anonId: ANON, authority: AUTHORITY.name, authorityKey: AUTHORITY.signingPublicKey, reason: 'court order', requestedAt: 1, result: '0a1b', trustees: [1, 2], verified: true };

const calls: { op: string; args: unknown[] }[] = [];
const trustee: TrusteeControl = {
  info: async () => ({ index: 2, threshold: 2, trustees: 3, authorities: [AUTHORITY], boards: [BOARD] }),
  requests: async (board) => (calls.push({ op: 'requests', args: [board] }), [pending]),
  approve: async (requestId, board) => {
    calls.push({ op: 'approve', args: [requestId, board] });
    if (requestId === 'f'.repeat(32)) throw TrusteeErrors.TRUSTEE_NO_SUCH_REQUEST('no such request');
    if (requestId === 'e'.repeat(32)) throw new TokumeiError('refused', 'OPENING_AUTHORITY_REFUSED', 'not listed');
    if (requestId === 'd'.repeat(32)) throw new TokumeiError('io', 'NO_ROUTE', 'no route');
    return { ...pending, status: 'approved' };
  },
  audits: async (board) => (calls.push({ op: 'audits', args: [board] }), [audit]),
};
const authority: OpeningControl = {
  authority: () => AUTHORITY,
  request: async (p) => (calls.push({ op: 'request', args: [p] }), opening),
  status: (id) => (id === RID ? opening : undefined),
  list: () => [opening],
  audits: async (board) => (calls.push({ op: 'authority audits', args: [board] }), [audit]),
};

function apiWith(): ControlApi {
  const unused = () => {
    throw new Error('unused');
  };
  return { ...unusedRoutingControl, status: unused, installCrl: unused };
}

/** The routes of a trustee's and an authority's service over fakes, as a node with those roles mounts them. */
const roles = (r: { trustee?: TrusteeControl; opening?: OpeningControl }) => [
  ...(r.trustee ? [{ routes: (router: Router) => void addOpeningRoutes(router, { trustee: r.trustee }) }] : []),
  ...(r.opening ? [{ routes: (router: Router) => void addOpeningRoutes(router, { opening: r.opening }) }] : []),
];

describe('control API: emergency-opening endpoints', () => {
  let both: ControlServer;
  let none: ControlServer;
  let onlyAuthority: ControlServer;
  before(async () => {
    const listen = { host: '127.0.0.1', port: 0 };
    both = await startControlServer({ listen, router: controlRoutes(apiWith(), roles({ trustee, opening: authority })) });
    none = await startControlServer({ listen, router: controlRoutes(apiWith()) });
    onlyAuthority = await startControlServer({ listen, router: controlRoutes(apiWith(), roles({ opening: authority })) });
  });
  after(async () => {
    await both.close();
    await none.close();
    await onlyAuthority.close();
  });

  async function refused(server: ControlServer, method: string, path: string, body: unknown, status: number, code: string): Promise<void> {
    const n = calls.length;
    const r = method === 'POST' ? await postJson(server, path, body) : await call(server, method, path);
    assert.equal(r.status, status, `${path}: ${r.body.toString()}`);
    assert.equal(r.json.error.code, code, path);
    assert.equal(calls.length, n, `${path}: the node was asked`);
  }

  test('routes exist only for the node\'s roles, need the token, and only their method', async () => {
    for (const [method, path] of [['GET', '/api/trustee'], ['GET', '/api/trustee/requests'], ['POST', '/api/trustee/approve'], ['GET', '/api/trustee/audits'], ['POST', '/api/opening/request'], ['GET', '/api/opening'], ['GET', `/api/opening/${RID}`]] as const) {
      assert.equal((await call(none, method, path)).status, 404, path);
      assert.equal((await call(both, method, path, { auth: null })).status, 401, path);
      assert.equal((await call(both, method === 'GET' ? 'POST' : 'GET', path)).status, 405, path);
    }
    assert.equal((await call(onlyAuthority, 'GET', '/api/trustee/requests')).status, 404);
    assert.equal((await call(onlyAuthority, 'GET', `/api/trustee/audits?board=${encodeURIComponent(BOARD)}`)).status, 200, 'an authority verifies audit records too');
    assert.deepEqual(calls.pop(), { op: 'authority audits', args: [BOARD] });
  });

  test('trustee endpoints pass exactly what was asked and check the form first', async () => {
    const info = await call(both, 'GET', '/api/trustee');
    assert.deepEqual(info.json, { index: 2, threshold: 2, trustees: 3, authorities: [AUTHORITY], boards: [BOARD] });
    const listed = await call(both, 'GET', `/api/trustee/requests?board=${encodeURIComponent(BOARD)}`);
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.json, { requests: [pending] });
    assert.deepEqual(calls.pop(), { op: 'requests', args: [BOARD] });
    assert.equal((await call(both, 'GET', '/api/trustee/requests')).status, 200);
    assert.deepEqual(calls.pop(), { op: 'requests', args: [undefined] });
    await refused(both, 'GET', '/api/trustee/requests?board=tkb1nope', undefined, 400, 'BOARD_ADDRESS_INVALID');
    await refused(both, 'GET', '/api/trustee/audits', undefined, 400, 'CONTROL_FIELD_INVALID');

    const ok = await postJson(both, '/api/trustee/approve', { requestId: RID, board: BOARD });
    assert.equal(ok.status, 200);
    assert.equal(ok.json.status, 'approved');
    assert.deepEqual(calls.pop(), { op: 'approve', args: [RID, BOARD] });
    await refused(both, 'POST', '/api/trustee/approve', { requestId: RID.toUpperCase() }, 400, 'OPENING_BAD_REQUEST_ID');
    await refused(both, 'POST', '/api/trustee/approve', { requestId: RID, extra: 1 }, 400, 'CONTROL_FIELD_INVALID');
    await refused(both, 'POST', '/api/trustee/approve', { requestId: RID, board: 'x' }, 400, 'BOARD_ADDRESS_INVALID');
    for (const [id, status, code] of [['f', 404, 'TRUSTEE_NO_SUCH_REQUEST'], ['e', 409, 'OPENING_AUTHORITY_REFUSED'], ['d', 502, 'NO_ROUTE']] as const) {
      const r = await postJson(both, '/api/trustee/approve', { requestId: id.repeat(32) });
      assert.equal(r.status, status);
      assert.equal(r.json.error.code, code);
    }
  });

  test('authority endpoints: request, status, list; bad ids, anonymous IDs and reasons are refused first', async () => {
    const r = await postJson(both, '/api/opening/request', { board: BOARD, anonymousId: ANON, reason: 'court order ☂' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, opening);
    assert.deepEqual(calls.pop(), { op: 'request', args: [{ board: BOARD, anonymousId: ANON, reason: 'court order ☂' }] });
    await refused(both, 'POST', '/api/opening/request', { board: BOARD, anonymousId: ANON.slice(2), reason: 'x' }, 400, 'OPENING_BAD_REQUEST');
    await refused(both, 'POST', '/api/opening/request', { board: BOARD, anonymousId: ANON, reason: '' }, 400, 'OPENING_BAD_REQUEST');
    await refused(both, 'POST', '/api/opening/request', { board: BOARD, anonymousId: ANON, reason: 'two\nlines' }, 400, 'OPENING_BAD_REQUEST');
    await refused(both, 'POST', '/api/opening/request', { board: BOARD, anonymousId: ANON, reason: 'x'.repeat(1025) }, 400, 'OPENING_BAD_REQUEST');
    await refused(both, 'POST', '/api/opening/request', { board: BOARD, anonymousId: ANON, reason: 'evil \u202e override' }, 400, 'BOARD_BAD_TEXT');
    await refused(both, 'POST', '/api/opening/request', { board: 'nope', anonymousId: ANON, reason: 'x' }, 400, 'BOARD_ADDRESS_INVALID');
    assert.deepEqual((await call(both, 'GET', `/api/opening/${RID}`)).json, opening);
    assert.equal((await call(both, 'GET', `/api/opening/${'0'.repeat(32)}`)).json.error.code, 'OPENING_NO_SUCH_REQUEST');
    assert.equal((await call(both, 'GET', '/api/opening/xyz')).json.error.code, 'OPENING_BAD_REQUEST_ID');
    assert.deepEqual((await call(both, 'GET', '/api/opening')).json, { authority: AUTHORITY, openings: [opening] });
  });

  test('the CLI client speaks every endpoint', async () => {
    const client = new TrusteeControlClient(new ControlClient({ url: both.url, token: both.token, pid: 1, nodeId: 'x', address: 'x' } as never));
    assert.equal((await client.info()).index, 2);
    assert.deepEqual(await client.requests(BOARD), [pending]);
    assert.equal((await client.approve(RID)).status, 'approved');
    assert.deepEqual(await client.audits(BOARD), [audit]);
    assert.deepEqual(await client.request(BOARD, ANON, 'why'), opening);
    assert.deepEqual(await client.status(RID), opening);
    assert.deepEqual((await client.list()).openings, [opening]);
    await assert.rejects(client.approve('e'.repeat(32)), (e: unknown) => e instanceof TokumeiError && e.code === 'OPENING_AUTHORITY_REFUSED' && e.kind === 'refused');
  });
});

/**
 * The control API's health endpoints against a fake HealthControl: bodies and query parameters
 * checked before the node is asked, the health code's refusals mapped to statuses with their
 * codes unchanged, and the bound on requests waiting for the network.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TokumeiError } from '../../src/errors.js';
import { controlRoutes } from '../../src/node/node-routes.js';
import { startControlServer, type ControlServer } from '../../src/control/control-server.js';
import { addHealthRoutes, MAX_HEALTH_BODY_BYTES, MAX_HEALTH_REQUESTS_IN_FLIGHT, type HealthControl } from '../../src/health/service/health-api.js';
import { generateBoardKeys } from '../../src/board/board-keys.js';
import { profileView } from '../../src/health/profile/profile-keeper.js';
import { emptyProfile } from '../../src/health/profile/profile.js';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import { call, postJson } from './helpers/http-call.js';
import { unusedRoutingControl } from './helpers/fake-routing.js';
import { HealthErrors } from '../../src/health/health-errors.js';
import { IdentityErrors } from '../../src/identity/identity-errors.js';

const BOARD = generateBoardKeys(new SeededRandom(3, 'health-api board')).address;
const ID = '0123456789abcdef0123456789abcdef';
const OTHER = 'ffffffffffffffffffffffffffffffff';
const NOW = 1_780_000_000_000;
const VIEW = profileView(emptyProfile(), NOW);
const LETTER = {
  exchangeId: ID,
  proposalId: ID,
  answerId: ID,
  offerId: ID,
  state: 'received' as const,
  clinicLetter: null,
  released: null,
  error: null,
  requestedAt: NOW,
  updatedAt: NOW,
};
const ANSWER_VIEW = {
  answerId: ID,
  board: BOARD,
  postId: ID,
  offerId: ID,
  title: 't',
  received: NOW,
  disclosed: {},
  message: '',
  proposals: [],
  letter: { state: 'none' as const, hash: null, items: [] },
};

/** A fake node: records each call; `mode` chooses a refusal. */
class FakeHealth {
  calls: { method: string; args: unknown[] }[] = [];
  mode: 'ok' | 'locked' | 'passphrase' | 'broken' | 'noroute' | 'timeout' | 'hold' = 'ok';
  private holds: (() => void)[] = [];

  release(): void {
    for (const r of this.holds.splice(0)) r();
  }
  get held(): number {
    return this.holds.length;
  }

  private async act<T>(method: string, args: unknown[], value: T): Promise<T> {
    this.calls.push({ method, args });
    switch (this.mode) {
      case 'locked':
        throw new TokumeiError('refused', 'HEALTH_LOCKED', 'name identifies you');
      case 'passphrase':
        throw IdentityErrors.KEYSTORE_BAD_PASSPHRASE('wrong passphrase: nothing was signed');
      case 'broken':
        throw HealthErrors.HEALTH_PROFILE_KEY('the profile does not open');
      case 'noroute':
        throw new TokumeiError('io', 'NO_ROUTE', 'no route');
      case 'timeout':
        throw new TokumeiError('timeout', 'REQUEST_TIMEOUT', 'no answer');
      case 'hold':
        await new Promise<void>((r) => this.holds.push(r));
        return value;
      default:
        return value;
    }
  }

  api(): HealthControl {
    const missing = (code: 'HEALTH_NO_SUCH_PROPOSAL' | 'HEALTH_NO_SUCH_EXCHANGE' | 'HEALTH_NO_SUCH_ANSWER') => (id: string) => {
      if (id !== ID) throw HealthErrors[code](`no ${id}`);
    };
    return {
      profile: () => this.act('profile', [], VIEW),
      setAttribute: (name, value) => this.act('setAttribute', [name, value], VIEW),
      setDisclosed: (name, on) => this.act('setDisclosed', [name, on], VIEW),
      recordMeasurement: (m) => this.act('recordMeasurement', [m], VIEW),
      upload: (board, o) => this.act('upload', [board, o], { postId: ID, expires: NOW, study: o.study, included: 1, omitted: 0, pseudonymous: o.pseudonymous }),
      stats: (board, study) => this.act('stats', [board, study], { stats: null, standing: [] }),
      offers: (board) => this.act('offers', [board], { offers: [], skipped: 0 }),
      answer: (board, postId, o) => this.act('answer', [board, postId, o], { answerId: ID, offerId: ID, postId, disclosed: {} }),
      proposals: () => [],
      requestLetter: async (proposalId) => (missing('HEALTH_NO_SUCH_PROPOSAL')(proposalId), this.act('requestLetter', [proposalId], LETTER)),
      signLetter: async (exchangeId, passphrase, items) => (missing('HEALTH_NO_SUCH_EXCHANGE')(exchangeId), this.act('signLetter', [exchangeId, passphrase, items], LETTER)),
      letters: () => [LETTER],
      postOffer: (board, offer, ttl) => this.act('postOffer', [board, offer, ttl], { postId: ID, offerId: ID, expires: NOW }),
      answers: (board) => this.act('answers', [board], { answers: [ANSWER_VIEW], skipped: 0 }),
      propose: async (answerId, proposal) => (missing('HEALTH_NO_SUCH_ANSWER')(answerId), this.act('propose', [answerId, proposal], { answerId, proposalId: ID })),
      clinicLetter: (answerId, draft) => this.act('clinicLetter', [answerId, draft], ANSWER_VIEW),
      released: () => [],
      publishStats: (board, o) => this.act('publishStats', [board, o], { uploads: 0, skipped: 0, cohorts: 0, posts: [], issued: NOW }),
    };
  }
}

describe('control API: health endpoints', () => {
  const node = new FakeHealth();
  let server: ControlServer;
  before(async () => {
    server = await startControlServer({
      listen: { host: '127.0.0.1', port: 0 },
      router: controlRoutes({ ...unusedRoutingControl, status: () => assert.fail('unused'), installCrl: () => assert.fail('unused') }, [{ routes: (r) => void addHealthRoutes(r, node.api()) }]),
    });
  });
  after(() => server.close());

  const last = () => node.calls.at(-1)!;
  const expectError = async (p: ReturnType<typeof call>, status: number, code: string) => {
    const r = await p;
    assert.equal(r.status, status, r.body.toString());
    assert.equal(r.json.error.code, code, r.body.toString());
  };

  test('GET /api/health/profile answers the view; the token is required; wrong methods are 405', async () => {
    const r = await call(server, 'GET', '/api/health/profile');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, JSON.parse(JSON.stringify(VIEW)));
    assert.equal(r.json.attributes.name.locked, true);
    assert.ok(r.json.catalogue.some((c: { name: string; unit?: string }) => c.name === 'systolic' && c.unit === 'mmHg'));
    assert.equal((await call(server, 'GET', '/api/health/profile', { auth: null })).status, 401);
    const wrong = await call(server, 'POST', '/api/health/profile');
    assert.equal(wrong.status, 405);
    assert.equal((await call(server, 'GET', '/api/health/upload')).status, 405);
  });

  test('profile changes pass their values; bad bodies are 400 before the node is asked', async () => {
    assert.equal((await postJson(server, '/api/health/attribute', { name: 'sex', value: 'female' })).status, 200);
    assert.deepEqual(last(), { method: 'setAttribute', args: ['sex', 'female'] });
    assert.equal((await postJson(server, '/api/health/attribute', { name: 'phone', value: null })).status, 200);
    assert.deepEqual(last().args, ['phone', null]);
    assert.equal((await postJson(server, '/api/health/disclose', { name: 'smoker', on: true })).status, 200);
    assert.deepEqual(last(), { method: 'setDisclosed', args: ['smoker', true] });
    assert.equal((await postJson(server, '/api/health/measurement', { kind: 'systolic', value: 128, at: NOW })).status, 200);
    assert.deepEqual(last(), { method: 'recordMeasurement', args: [{ kind: 'systolic', value: 128, at: NOW }] });
    assert.equal((await postJson(server, '/api/health/measurement', { kind: 'weightKg', value: 81.5 })).status, 200);
    assert.deepEqual(last().args, [{ kind: 'weightKg', value: 81.5 }]);

    const before = node.calls.length;
    const bad: [string, unknown, string][] = [
      ['/api/health/attribute', { name: 'sex', value: { x: 1 } }, 'CONTROL_FIELD_INVALID'],
      ['/api/health/attribute', { name: 7, value: 'x' }, 'CONTROL_FIELD_INVALID'],
      ['/api/health/attribute', { name: 'sex', value: 'male', extra: 1 }, 'CONTROL_FIELD_INVALID'],
      ['/api/health/disclose', { name: 'sex', on: 'yes' }, 'CONTROL_FIELD_INVALID'],
      ['/api/health/measurement', { kind: 'systolic', value: '120' }, 'CONTROL_FIELD_INVALID'],
      ['/api/health/measurement', { kind: 'systolic', value: 120, at: -1 }, 'CONTROL_FIELD_INVALID'],
      ['/api/health/measurement', { kind: 'systolic', value: 120, at: 1.5 }, 'CONTROL_FIELD_INVALID'],
      ['/api/health/upload', { board: 'tkb1nope', study: 'bp' }, 'BOARD_ADDRESS_INVALID'],
      ['/api/health/upload', { board: BOARD }, 'CONTROL_FIELD_INVALID'],
      ['/api/health/upload', { board: BOARD, study: 'bp', pseudonymous: 1 }, 'CONTROL_FIELD_INVALID'],
      ['/api/health/answer', { board: BOARD, postId: 'XYZ', disclose: [] }, 'CONTROL_FIELD_INVALID'],
      ['/api/health/answer', { board: BOARD, postId: ID, disclose: 'sex' }, 'CONTROL_FIELD_INVALID'],
      ['/api/health/answer', { board: BOARD, postId: ID, disclose: [1] }, 'CONTROL_FIELD_INVALID'],
      ['/api/health/letter/request', { proposalId: ID.toUpperCase() }, 'CONTROL_FIELD_INVALID'],
      ['/api/health/letter/sign', { exchangeId: ID }, 'CONTROL_FIELD_INVALID'],
      ['/api/health/letter/sign', { exchangeId: ID, passphrase: 'p', items: [] }, 'CONTROL_FIELD_INVALID'],
      ['/api/health/offer', { board: BOARD, offer: 'text' }, 'CONTROL_FIELD_INVALID'],
      ['/api/health/offer', { board: BOARD, offer: {}, ttlSeconds: 0 }, 'CONTROL_FIELD_INVALID'],
      ['/api/health/propose', { answerId: ID, proposal: { text: 'x', price: 3 } }, 'CONTROL_FIELD_INVALID'],
      ['/api/health/propose', { answerId: ID, proposal: { text: 'x', letterOfIntent: 'yes' } }, 'CONTROL_FIELD_INVALID'],
      ['/api/health/propose', { answerId: ID, proposal: { appointments: [] } }, 'CONTROL_FIELD_INVALID'],
      ['/api/health/clinic-letter', { answerId: ID, purposes: [], retentionDays: 30, items: ['name'] }, 'CONTROL_FIELD_INVALID'],
      ['/api/health/clinic-letter', { answerId: ID, purposes: ['care'], retentionDays: 0, items: ['name'] }, 'CONTROL_FIELD_INVALID'],
      ['/api/health/publish-stats', { board: BOARD, study: 'bp', minCohort: 0 }, 'CONTROL_FIELD_INVALID'],
      ['/api/health/publish-stats', { board: BOARD, study: 'bp', minCohort: 3, since: 'yesterday' }, 'CONTROL_FIELD_INVALID'],
    ];
    for (const [path, body, code] of bad) await expectError(postJson(server, path, body), 400, code);
    await expectError(call(server, 'POST', '/api/health/attribute', { body: 'not json' }), 400, 'CONTROL_JSON_INVALID');
    await expectError(call(server, 'POST', '/api/health/offer', { body: 'x'.repeat(MAX_HEALTH_BODY_BYTES + 1) }), 413, 'CONTROL_BODY_TOO_LARGE');
    await expectError(call(server, 'GET', '/api/health/stats?board=' + encodeURIComponent(BOARD)), 400, 'CONTROL_FIELD_INVALID');
    await expectError(call(server, 'GET', '/api/health/offers'), 400, 'CONTROL_FIELD_INVALID');
    await expectError(call(server, 'GET', '/api/health/answers?board=tkb1x'), 400, 'BOARD_ADDRESS_INVALID');
    assert.equal(node.calls.length, before, 'no bad request reached the node');
  });

  test('member, clinic and intermediary requests pass their arguments', async () => {
    const q = encodeURIComponent(BOARD);
    assert.equal((await postJson(server, '/api/health/upload', { board: BOARD, study: 'bp-2025' })).json.pseudonymous, false);
    assert.deepEqual(last(), { method: 'upload', args: [BOARD, { study: 'bp-2025', pseudonymous: false }] });
    assert.equal((await call(server, 'GET', `/api/health/stats?board=${q}&study=bp-2025`)).status, 200);
    assert.deepEqual(last(), { method: 'stats', args: [BOARD, 'bp-2025'] });
    assert.deepEqual((await call(server, 'GET', `/api/health/offers?board=${q}`)).json, { offers: [], skipped: 0 });
    assert.equal((await postJson(server, '/api/health/answer', { board: BOARD, postId: ID, disclose: ['ageBand', 'systolic'], message: 'hello' })).status, 200);
    assert.deepEqual(last(), { method: 'answer', args: [BOARD, ID, { disclose: ['ageBand', 'systolic'], message: 'hello' }] });
    assert.deepEqual((await call(server, 'GET', '/api/health/proposals')).json, { proposals: [] });
    assert.equal((await postJson(server, '/api/health/letter/request', { proposalId: ID })).json.state, 'received');
    assert.equal((await postJson(server, '/api/health/letter/sign', { exchangeId: ID, passphrase: 'pw', items: ['name'] })).status, 200);
    assert.deepEqual(last(), { method: 'signLetter', args: [ID, 'pw', ['name']] });
    assert.equal((await call(server, 'GET', '/api/health/letters')).json.letters.length, 1);
    const offer = { clinic: 'C', title: 'T', description: '', criteria: [], expires: NOW + 1 };
    assert.equal((await postJson(server, '/api/health/offer', { board: BOARD, offer })).json.offerId, ID);
    assert.deepEqual(last(), { method: 'postOffer', args: [BOARD, offer, undefined] });
    assert.equal((await call(server, 'GET', `/api/health/answers?board=${q}`)).json.answers[0].answerId, ID);
    const proposal = { text: 'Come on Tuesday', appointments: [{ at: NOW, minutes: 30, place: 'Room 2' }], letterOfIntent: true, expires: NOW + 5 };
    assert.equal((await postJson(server, '/api/health/propose', { answerId: ID, proposal })).json.proposalId, ID);
    assert.deepEqual(last(), { method: 'propose', args: [ID, proposal] });
    assert.equal((await postJson(server, '/api/health/clinic-letter', { answerId: ID, purposes: ['care'], retentionDays: 90, items: ['name', 'phone'] })).status, 200);
    assert.deepEqual(last(), { method: 'clinicLetter', args: [ID, { purposes: ['care'], retentionDays: 90, items: ['name', 'phone'] }] });
    assert.deepEqual((await call(server, 'GET', '/api/health/released')).json, { released: [] });
    assert.equal((await postJson(server, '/api/health/publish-stats', { board: BOARD, study: 'bp-2025', minCohort: 5 })).json.issued, NOW);
    assert.deepEqual(last(), { method: 'publishStats', args: [BOARD, { study: 'bp-2025', minCohort: 5 }] });
  });

  test('refusals keep their codes: 404 unknown ids, 409 rules, 403 wrong passphrase, 500 broken profile, 502/504 network', async () => {
    await expectError(postJson(server, '/api/health/letter/request', { proposalId: OTHER }), 404, 'HEALTH_NO_SUCH_PROPOSAL');
    await expectError(postJson(server, '/api/health/letter/sign', { exchangeId: OTHER, passphrase: 'x' }), 404, 'HEALTH_NO_SUCH_EXCHANGE');
    await expectError(postJson(server, '/api/health/propose', { answerId: OTHER, proposal: { text: 'x' } }), 404, 'HEALTH_NO_SUCH_ANSWER');
    try {
      node.mode = 'locked';
      await expectError(postJson(server, '/api/health/disclose', { name: 'name', on: true }), 409, 'HEALTH_LOCKED');
      node.mode = 'passphrase';
      await expectError(postJson(server, '/api/health/letter/sign', { exchangeId: ID, passphrase: 'wrong' }), 403, 'KEYSTORE_BAD_PASSPHRASE');
      node.mode = 'broken';
      await expectError(call(server, 'GET', '/api/health/profile'), 500, 'HEALTH_PROFILE_KEY');
      node.mode = 'noroute';
      await expectError(postJson(server, '/api/health/upload', { board: BOARD, study: 'bp' }), 502, 'NO_ROUTE');
      node.mode = 'timeout';
      await expectError(postJson(server, '/api/health/letter/request', { proposalId: ID }), 504, 'REQUEST_TIMEOUT');
    } finally {
      node.mode = 'ok';
    }
  });

  test(`at most ${MAX_HEALTH_REQUESTS_IN_FLIGHT} requests wait for the network; local reads still answer`, async () => {
    node.mode = 'hold';
    const waiting = Array.from({ length: MAX_HEALTH_REQUESTS_IN_FLIGHT }, () => postJson(server, '/api/health/upload', { board: BOARD, study: 'bp' }));
    try {
      for (let i = 0; i < 100 && node.held < MAX_HEALTH_REQUESTS_IN_FLIGHT; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(node.held, MAX_HEALTH_REQUESTS_IN_FLIGHT);
      await expectError(postJson(server, '/api/health/upload', { board: BOARD, study: 'bp' }), 503, 'CONTROL_BUSY');
      assert.equal((await call(server, 'GET', '/api/health/letters')).status, 200);
    } finally {
      node.mode = 'ok';
      node.release();
    }
    for (const r of await Promise.all(waiting)) assert.equal(r.status, 200);
  });
});

/**
 * The control API's board endpoints against a fake node: each request's form is checked with the
 * board's own rules and codes before the node is asked (bad JSON, oversized bodies and texts,
 * fields, queries, ttls, ids, addresses), the node's refusals keep their code with a status by
 * kind, the in-flight bound holds, and the CLI's client speaks every endpoint.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TokumeiError, remoteRefusal } from '../../src/errors.js';
import { controlRoutes, type ControlApi } from '../../src/node/node-routes.js';
import { startControlServer, type ControlServer } from '../../src/control/control-server.js';
import { ControlClient } from '../../src/control/control-client.js';
import { BoardControlClient } from '../../src/board/service/board-control-client.js';
import { addBoardRoutes, MAX_BOARD_BODY_BYTES, MAX_BOARD_REQUESTS_IN_FLIGHT, type BoardControl, type BoardReplicaStatus } from '../../src/board/service/board-api.js';
import type { Router } from '../../src/control/router.js';
import { generateBoardKeys } from '../../src/board/board-keys.js';
import type { BoardResult } from '../../src/board/client.js';
import type { BoardField } from '../../src/board/types.js';
import { call, postJson } from './helpers/http-call.js';
import { fakeAddress, unusedRoutingControl } from './helpers/fake-routing.js';
import '../../src/board/board-errors.js';

const BOARD = generateBoardKeys().address;
const POST_ID = '0123456789abcdef0123456789abcdef';
const result: BoardResult = { postId: POST_ID, anonymousId: 'ab'.repeat(64), created: 1_700_000_000_000, expires: 1_700_003_600_000, text: 'hello', fields: [{ key: 'topic', value: 'x' }] };
const replicaStatus: BoardReplicaStatus = {
  address: BOARD,
  replicaId: 'cd'.repeat(16),
  peers: [{ replicaId: 'ef'.repeat(16), lastPull: 1_700_000_000_000, cursor: 3 }],
  stored: { posts: 3, replies: 1, reservations: 0 },
  counters: { requests: 9, refused: { BOARD_DUPLICATE: 1 }, posts: 2, replies: 1, reservations: 0, searches: 4, notifications: 0, synced: 1, rateLimited: 0 },
  integrity: true,
};

type Call = { op: string; board: string; args: unknown };

/** A fake node whose behaviour the text (or query) chooses. */
class FakeBoard {
  calls: Call[] = [];
  replica = true;
  private holds: (() => void)[] = [];

  get held(): number {
    return this.holds.length;
  }

  release(): void {
    for (const r of this.holds.splice(0)) r();
  }

  private async behave(word: string): Promise<void> {
    if (word === 'HOLD') await new Promise<void>((r) => this.holds.push(r));
    if (word === 'LIMITED') throw new TokumeiError('refused', 'BOARD_RATE_LIMITED', 'the board refused: too many requests on this route; slow down');
    if (word === 'NOPOST') throw remoteRefusal('BOARD_NO_SUCH_POST', 'the board refused: no such post (or it expired)'); // as the board client makes it
    if (word === 'NOTMINE') throw new TokumeiError('refused', 'BOARD_NOT_MINE', 'reply x: the post it answers is not ours');
    if (word === 'TIMEOUT') throw new TokumeiError('timeout', 'REQUEST_TIMEOUT', 'no answer within 30000 ms');
    if (word === 'NOROUTE') throw new TokumeiError('io', 'NO_ROUTE', 'no route to the board');
    if (word === 'BUG') throw new Error('boom');
  }

  api(): BoardControl {
    return {
      post: async (board, p) => {
        this.calls.push({ op: 'post', board, args: p });
        await this.behave(p.text);
        return { postId: POST_ID, anonymousId: 'ab'.repeat(64), expires: 1_700_003_600_000 };
      },
      search: async (board, q) => {
        this.calls.push({ op: 'search', board, args: q });
        await this.behave(q.query);
        return q.query === 'nothing' ? [] : [result];
      },
      reply: async (board, postId, r) => {
        this.calls.push({ op: 'reply', board, args: { postId, ...r } });
        await this.behave(r.text);
        return { replyId: 'fe'.repeat(16) };
      },
      replies: async (board, postId) => {
        this.calls.push({ op: 'replies', board, args: { postId } });
        if (postId === 'ffffffffffffffffffffffffffffffff') await this.behave('NOTMINE');
        return [{ postId: POST_ID, replyId: 'fe'.repeat(16), created: 1, text: 'hi', answerAddress: '' }];
      },
      reserve: async (board, q) => {
        this.calls.push({ op: 'reserve', board, args: q });
        await this.behave(q.query);
        return { reservationId: '11'.repeat(16), expires: 1_700_000_600_000 };
      },
      notifications: () => [{ reservationId: '11'.repeat(16), receivedAt: 5, post: result }],
      status: () => (this.replica ? replicaStatus : undefined),
    };
  }
}

function apiWith(): ControlApi {
  return {
    ...unusedRoutingControl,
    status: () => {
      throw new Error('unused');
    },
    installCrl: () => {
      throw new Error('unused');
    },
  };
}

/** The board service's routes over a fake board. */
const boardRoutes = (board: BoardControl) => ({ routes: (r: Router) => void addBoardRoutes(r, board) });

const field = (key: string, value: string): BoardField => ({ key, value });

describe('control API: board endpoints', () => {
  const node = new FakeBoard();
  let server: ControlServer;
  before(async () => {
    server = await startControlServer({ listen: { host: '127.0.0.1', port: 0 }, router: controlRoutes(apiWith(), [boardRoutes(node.api())]) });
  });
  after(() => server.close());

  /** Expects `status` and `code` and that the node was not asked. */
  async function refused(path: string, body: unknown, status: number, code: string, label = JSON.stringify(body).slice(0, 80)): Promise<void> {
    const before = node.calls.length;
    const r = await postJson(server, path, body);
    assert.equal(r.status, status, `${label}: ${r.body.toString()}`);
    assert.equal(r.json.error.code, code, label);
    assert.equal(typeof r.json.error.message, 'string');
    assert.equal(node.calls.length, before, `${label}: the node was asked`);
  }

  test('every board route needs the token; only the right method is allowed', async () => {
    for (const [method, path] of [['POST', '/api/board/post'], ['POST', '/api/board/search'], ['POST', '/api/board/reply'], ['POST', '/api/board/replies'], ['POST', '/api/board/reserve'], ['GET', '/api/board/notifications'], ['GET', '/api/board/status']]) {
      assert.equal((await call(server, method!, path!, { auth: null })).status, 401, path);
      assert.equal((await call(server, method!, path!, { auth: 'Bearer nope' })).status, 401, path);
      const other = await call(server, method === 'GET' ? 'POST' : 'GET', path!);
      assert.equal(other.status, 405, path);
      assert.equal(other.headers.allow, method);
    }
  });

  test('POST /api/board/post passes text, fields and ttl exactly and answers the post', async () => {
    const text = 'Clinic study, week 3 —\n\tbring the form ☂ 𝄞 \'; DROP TABLE posts; --';
    const r = await postJson(server, '/api/board/post', { board: BOARD, text, fields: [field('topic', 'study'), field('city.zip-code_2', 'Zürich 8001')], ttlSeconds: 3600 });
    assert.equal(r.status, 200, r.body.toString());
    assert.deepEqual(r.json, { postId: POST_ID, anonymousId: 'ab'.repeat(64), expires: 1_700_003_600_000 });
    assert.deepEqual(node.calls.at(-1), { op: 'post', board: BOARD, args: { text, fields: [field('topic', 'study'), field('city.zip-code_2', 'Zürich 8001')], ttlSeconds: 3600 } });
    const noFields = await postJson(server, '/api/board/post', { board: BOARD, text: '', ttlSeconds: 1 });
    assert.equal(noFields.status, 200);
    assert.deepEqual((node.calls.at(-1)!.args as { fields: unknown }).fields, []);
  });

  test('malformed bodies are 400 with a code, before the node is asked', async () => {
    const cases: Array<[string | Buffer, string]> = [
      ['not json', 'CONTROL_JSON_INVALID'],
      ['{"board":', 'CONTROL_JSON_INVALID'],
      [Buffer.from([0xff, 0xfe, 0x00]), 'CONTROL_JSON_INVALID'],
      ['[1,2]', 'CONTROL_JSON_INVALID'],
      ['null', 'CONTROL_JSON_INVALID'],
      ['"text"', 'CONTROL_JSON_INVALID'],
      [JSON.stringify({ text: 'x', ttlSeconds: 60 }), 'CONTROL_FIELD_INVALID'],
      [JSON.stringify({ board: 42, text: 'x', ttlSeconds: 60 }), 'CONTROL_FIELD_INVALID'],
      [JSON.stringify({ board: BOARD, ttlSeconds: 60 }), 'CONTROL_FIELD_INVALID'],
      [JSON.stringify({ board: BOARD, text: ['x'], ttlSeconds: 60 }), 'CONTROL_FIELD_INVALID'],
      [JSON.stringify({ board: BOARD, text: 'x' }), 'CONTROL_FIELD_INVALID'],
      [JSON.stringify({ board: BOARD, text: 'x', ttlSeconds: '1h' }), 'CONTROL_FIELD_INVALID'],
      [JSON.stringify({ board: BOARD, text: 'x', ttlSeconds: 1.5 }), 'CONTROL_FIELD_INVALID'],
      [JSON.stringify({ board: BOARD, text: 'x', ttlSeconds: 60, extra: 1 }), 'CONTROL_FIELD_INVALID'],
      ['{"board":"' + BOARD + '","text":"x","ttlSeconds":60,"__proto__":{"polluted":1}}', 'CONTROL_FIELD_INVALID'],
    ];
    const before = node.calls.length;
    for (const [body, code] of cases) {
      const r = await call(server, 'POST', '/api/board/post', { body, contentType: 'application/json' });
      assert.equal(r.status, 400, String(body));
      assert.equal(r.json.error.code, code, String(body));
    }
    assert.equal(node.calls.length, before);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('a bad board address is 400 BOARD_ADDRESS_INVALID', async () => {
    for (const board of ['', 'tkb1', BOARD.slice(0, -1), BOARD + 'A', 'tkb2' + BOARD.slice(4), BOARD.slice(0, -1) + '!', fakeAddress(3)]) {
      await refused('/api/board/post', { board, text: 'x', ttlSeconds: 60 }, 400, 'BOARD_ADDRESS_INVALID', board.slice(0, 12));
    }
    await refused('/api/board/search', { board: 'x'.repeat(1000), query: 'a' }, 400, 'CONTROL_FIELD_INVALID');
  });

  test('text: 16,384 bytes of UTF-8 pass, one more is 413 BOARD_TOO_LARGE; forbidden characters are 400 BOARD_BAD_TEXT', async () => {
    for (const text of ['a'.repeat(16_384), 'é'.repeat(8_192), '𝄞'.repeat(4_096)]) {
      const r = await postJson(server, '/api/board/post', { board: BOARD, text, ttlSeconds: 60 });
      assert.equal(r.status, 200, `${text.length} characters`);
    }
    for (const text of ['a'.repeat(16_385), 'é'.repeat(8_192) + 'a', '𝄞'.repeat(4_096) + 'a', 'a'.repeat(20_000)]) {
      await refused('/api/board/post', { board: BOARD, text, ttlSeconds: 60 }, 413, 'BOARD_TOO_LARGE', `${text.length} characters`);
      await refused('/api/board/reply', { board: BOARD, postId: POST_ID, text }, 413, 'BOARD_TOO_LARGE', `reply of ${text.length} characters`);
    }
    for (const text of ['bell\u0007', 'nul\u0000', 'esc\u001b[31m', 'c1\u0085', 'rtl\u202e', 'isolate\u2066', 'non\uffff', 'lone\ud800']) {
      await refused('/api/board/post', { board: BOARD, text, ttlSeconds: 60 }, 400, 'BOARD_BAD_TEXT', JSON.stringify(text));
    }
  });

  test('a body over the bound is 413 CONTROL_BODY_TOO_LARGE, declared or streamed', async () => {
    const huge = await call(server, 'POST', '/api/board/post', { body: Buffer.alloc(MAX_BOARD_BODY_BYTES + 1, 0x20) });
    assert.equal(huge.status, 413);
    assert.equal(huge.json.error.code, 'CONTROL_BODY_TOO_LARGE');
    const streamed = await call(server, 'POST', '/api/board/search', { body: Buffer.alloc(MAX_BOARD_BODY_BYTES + 256 * 1024, 0x20), chunked: true });
    assert.equal(streamed.status, 413);
    assert.equal((await call(server, 'GET', '/api/board/notifications')).status, 200, 'still serving');
  });

  test('fields follow §7.3: at most 16, keys [a-z][a-z0-9_.-]{0,31}, unique, values one line of ≤ 128 bytes', async () => {
    const ok = await postJson(server, '/api/board/post', { board: BOARD, text: 'x', ttlSeconds: 60, fields: Array.from({ length: 16 }, (_, i) => field(`k${i}`, 'v'.repeat(128))) });
    assert.equal(ok.status, 200);
    const bad: unknown[] = [
      'topic=x',
      { topic: 'x' },
      [['topic', 'x']],
      [null],
      [{ key: 'topic' }],
      [{ key: 'topic', value: 5 }],
      [{ key: 'topic', value: 'x', extra: 'y' }],
      [field('Topic', 'x')],
      [field('1topic', 'x')],
      [field('', 'x')],
      [field('to pic', 'x')],
      [field('topic=', 'x')],
      [field('t'.repeat(33), 'x')],
      [field('topic', 'x'), field('topic', 'y')],
      [field('topic', 'v'.repeat(129))],
      [field('topic', 'two\nlines')],
      [field('topic', 'tab\there')],
      [field('topic', 'rtl\u202e')],
      Array.from({ length: 17 }, (_, i) => field(`k${i}`, 'v')),
    ];
    for (const fields of bad) {
      await refused('/api/board/post', { board: BOARD, text: 'x', ttlSeconds: 60, fields }, 400, 'BOARD_BAD_FIELD');
      await refused('/api/board/search', { board: BOARD, query: 'x', fields }, 400, 'BOARD_BAD_FIELD');
    }
  });

  test('ttl: 1 s to 30 days for posts, to 7 days for reservations (BOARD_TTL)', async () => {
    assert.equal((await postJson(server, '/api/board/post', { board: BOARD, text: 'x', ttlSeconds: 30 * 86_400 })).status, 200);
    for (const ttlSeconds of [0, -1, 30 * 86_400 + 1, 2 ** 40]) await refused('/api/board/post', { board: BOARD, text: 'x', ttlSeconds }, 400, 'BOARD_TTL');
    assert.equal((await postJson(server, '/api/board/reserve', { board: BOARD, query: 'x', ttlSeconds: 7 * 86_400 })).status, 200);
    await refused('/api/board/reserve', { board: BOARD, query: 'x', ttlSeconds: 7 * 86_400 + 1 }, 400, 'BOARD_TTL');
  });

  test('POST /api/board/search: the query is words, never syntax; bad queries are 400 BOARD_BAD_QUERY', async () => {
    const r = await postJson(server, '/api/board/search', { board: BOARD, query: "'; DROP TABLE posts; -- NEAR(a b) OR *", fields: [field('topic', 'x')] });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { results: [result] });
    assert.deepEqual(node.calls.at(-1)!.args, { query: "'; DROP TABLE posts; -- NEAR(a b) OR *", fields: [field('topic', 'x')], limit: 50 });
    assert.equal((await postJson(server, '/api/board/search', { board: BOARD, query: '', fields: [field('topic', 'x')], limit: 3 })).status, 200, 'fields alone');
    assert.equal((node.calls.at(-1)!.args as { limit: number }).limit, 3);
    for (const query of ['', '   ', '!!! ---', 'ctl\u0001', 'two\nlines', 'tab\tx', 'rtl\u202e', 'q'.repeat(257), Array.from({ length: 17 }, (_, i) => `w${i}`).join(' ')]) {
      await refused('/api/board/search', { board: BOARD, query }, 400, 'BOARD_BAD_QUERY', JSON.stringify(query).slice(0, 40));
      await refused('/api/board/reserve', { board: BOARD, query, ttlSeconds: 60 }, 400, 'BOARD_BAD_QUERY', JSON.stringify(query).slice(0, 40));
    }
    await refused('/api/board/search', { board: BOARD }, 400, 'CONTROL_FIELD_INVALID');
    for (const limit of [0, 51, 1.5, '5']) await refused('/api/board/search', { board: BOARD, query: 'x', limit }, 400, 'CONTROL_FIELD_INVALID');
  });

  test('POST /api/board/reply and /replies: post ids and answer addresses are checked', async () => {
    const address = fakeAddress(9);
    const ok = await postJson(server, '/api/board/reply', { board: BOARD, postId: POST_ID, text: 'count me in', answerAddress: address });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json, { replyId: 'fe'.repeat(16) });
    assert.deepEqual(node.calls.at(-1)!.args, { postId: POST_ID, text: 'count me in', answerAddress: address });
    assert.equal((await postJson(server, '/api/board/reply', { board: BOARD, postId: POST_ID, text: 'x' })).status, 200);
    assert.equal((node.calls.at(-1)!.args as { answerAddress: string }).answerAddress, '');
    for (const postId of ['', 'nothex', POST_ID.toUpperCase(), POST_ID.slice(1), POST_ID + '0']) {
      await refused('/api/board/reply', { board: BOARD, postId, text: 'x' }, 400, 'BOARD_POST_ID_INVALID', postId);
      await refused('/api/board/replies', { board: BOARD, postId }, 400, 'BOARD_POST_ID_INVALID', postId);
    }
    await refused('/api/board/reply', { board: BOARD, postId: POST_ID, text: 'x', answerAddress: 'tk1nope' }, 400, 'ADDRESS_INVALID');
    await refused('/api/board/reply', { board: BOARD, postId: POST_ID, text: 'x', answerAddress: BOARD }, 400, 'ADDRESS_INVALID');
    const all = await postJson(server, '/api/board/replies', { board: BOARD });
    assert.equal(all.status, 200);
    assert.equal(all.json.replies.length, 1);
    assert.deepEqual(node.calls.at(-1)!.args, { postId: undefined });
    const notMine = await postJson(server, '/api/board/replies', { board: BOARD, postId: 'f'.repeat(32) });
    assert.equal(notMine.status, 409);
    assert.equal(notMine.json.error.code, 'BOARD_NOT_MINE');
  });

  test("the node's refusals keep their code, with a status by kind", async () => {
    const cases = [['LIMITED', 409, 'BOARD_RATE_LIMITED'], ['NOPOST', 404, 'BOARD_NO_SUCH_POST'], ['TIMEOUT', 504, 'REQUEST_TIMEOUT'], ['NOROUTE', 502, 'NO_ROUTE'], ['BUG', 500, 'CONTROL_INTERNAL']] as const;
    for (const [word, status, code] of cases) {
      const post = await postJson(server, '/api/board/post', { board: BOARD, text: word, ttlSeconds: 60 });
      assert.equal(post.status, status, word);
      assert.equal(post.json.error.code, code, word);
      const search = await postJson(server, '/api/board/search', { board: BOARD, query: word });
      assert.equal(search.status, status, word);
      assert.equal(search.json.error.code, code, word);
    }
  });

  test('GET /api/board/notifications and /status; no replica is 404 BOARD_NO_REPLICA', async () => {
    const notes = await call(server, 'GET', '/api/board/notifications');
    assert.equal(notes.status, 200);
    assert.deepEqual(notes.json, { notifications: [{ reservationId: '11'.repeat(16), receivedAt: 5, post: result }] });
    const status = await call(server, 'GET', '/api/board/status');
    assert.equal(status.status, 200);
    assert.deepEqual(status.json, replicaStatus);
    node.replica = false;
    try {
      const none = await call(server, 'GET', '/api/board/status');
      assert.equal(none.status, 404);
      assert.equal(none.json.error.code, 'BOARD_NO_REPLICA');
    } finally {
      node.replica = true;
    }
  });

  test(`at most ${MAX_BOARD_REQUESTS_IN_FLIGHT} board requests wait at once; more are 503 CONTROL_BUSY`, async () => {
    const waiting = Array.from({ length: MAX_BOARD_REQUESTS_IN_FLIGHT }, (_, i) =>
      i % 2 ? postJson(server, '/api/board/post', { board: BOARD, text: 'HOLD', ttlSeconds: 60 }) : postJson(server, '/api/board/search', { board: BOARD, query: 'HOLD' }),
    );
    while (node.held < MAX_BOARD_REQUESTS_IN_FLIGHT) await new Promise((r) => setTimeout(r, 10));
    const busy = await postJson(server, '/api/board/reply', { board: BOARD, postId: POST_ID, text: 'x' });
    assert.equal(busy.status, 503);
    assert.equal(busy.json.error.code, 'CONTROL_BUSY');
    assert.equal((await call(server, 'GET', '/api/board/status')).status, 200, 'reads still served');
    node.release();
    for (const r of await Promise.all(waiting)) assert.equal(r.status, 200);
    assert.equal((await postJson(server, '/api/board/reply', { board: BOARD, postId: POST_ID, text: 'x' })).status, 200, 'slots freed');
  });

  test("the CLI's client speaks every endpoint and keeps the codes", async () => {
    const client = new BoardControlClient(new ControlClient({ url: server.url, token: server.token, pid: process.pid, nodeId: 'x', address: 'y' }));
    assert.equal((await client.post(BOARD, { text: 'hello', fields: [], ttlSeconds: 60 })).postId, POST_ID);
    assert.deepEqual(await client.search(BOARD, { query: 'hello', fields: [] }), [result]);
    assert.deepEqual(await client.search(BOARD, { query: 'nothing', fields: [] }), []);
    assert.deepEqual(await client.reply(BOARD, POST_ID, { text: 'x' }), { replyId: 'fe'.repeat(16) });
    assert.equal((await client.replies(BOARD)).length, 1);
    assert.equal((await client.reserve(BOARD, { query: 'nothing', fields: [], ttlSeconds: 60 })).reservationId, '11'.repeat(16));
    assert.equal((await client.notifications()).length, 1);
    assert.equal((await client.status()).integrity, true);
    const codeOf = async (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => (e instanceof TokumeiError ? `${e.kind} ${e.code}` : String(e)));
    assert.equal(await codeOf(client.post(BOARD, { text: 'LIMITED', fields: [], ttlSeconds: 60 })), 'refused BOARD_RATE_LIMITED');
    assert.equal(await codeOf(client.search(BOARD, { query: '', fields: [] })), 'bad-input BOARD_BAD_QUERY');
    assert.equal(await codeOf(client.post(BOARD, { text: 'x'.repeat(16_385), fields: [], ttlSeconds: 60 })), 'bad-input BOARD_TOO_LARGE');
    assert.equal(await codeOf(client.replies(BOARD, 'f'.repeat(32))), 'refused BOARD_NOT_MINE');
  });
});

describe('control API without a board', () => {
  let server: ControlServer;
  before(async () => {
    server = await startControlServer({ listen: { host: '127.0.0.1', port: 0 }, router: controlRoutes(apiWith()) });
  });
  after(() => server.close());

  test('the board routes do not exist', async () => {
    for (const [method, path] of [['POST', '/api/board/post'], ['GET', '/api/board/status']] as const) {
      const r = await call(server, method, path);
      assert.equal(r.status, 404);
      assert.equal(r.json.error.code, 'CONTROL_NOT_FOUND');
    }
  });
});

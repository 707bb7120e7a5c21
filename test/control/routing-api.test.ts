/**
 * The control API's routing endpoints against a fake node: addresses, send (base64 strictly, 16 MiB
 * bound, TokumeiError kinds as HTTP statuses), the inbox (ids checked, raw bytes), replies, the
 * routing status, the in-flight bound, and that a send waiting minutes is not cut by the server's
 * request timeouts while a client that stalls its upload is.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { TokumeiError } from '../../src/errors.js';
import { controlRoutes, type ControlApi } from '../../src/node/node-routes.js';
import { startControlServer, type ControlServer } from '../../src/control/control-server.js';
import { NodeClient } from '../../src/node/node-client.js';
import { MAX_MESSAGE_BODY_BYTES, MAX_MESSAGES_IN_FLIGHT, type InboxItem } from '../../src/node/routing-api.js';
import { MAX_MESSAGE_SIZE } from '../../src/routing/end-to-end/e2e-limits.js';
import { call, postJson } from './helpers/http-call.js';
import { fakeAddress, fakeRoutingStatus } from './helpers/fake-routing.js';

const ADDRESS = fakeAddress(7);
const MESSAGE_ID = '0123456789abcdef';
const MESSAGE = Buffer.from('a message for you');
const inboxItem: InboxItem = { id: MESSAGE_ID, bytes: MESSAGE.length, sha256: 'ab'.repeat(32), receivedAt: 1_700_000_000_000, kind: 'message', via: 'circuit' };

/** A fake node whose behaviour the message text chooses. */
class FakeNode {
  sent: { to: string; data: Buffer }[] = [];
  replies: { id: string; data: Buffer }[] = [];
  private holds: (() => void)[] = [];
  waitMs = 0;

  release(): void {
    for (const r of this.holds.splice(0)) r();
  }

  get held(): number {
    return this.holds.length;
  }

  private async behave(data: Buffer): Promise<void> {
    const text = data.length < 64 ? data.toString('utf8') : '';
    if (text === 'HOLD') await new Promise<void>((r) => this.holds.push(r));
    if (text === 'SLOW') await new Promise((r) => setTimeout(r, this.waitMs));
    if (text === 'TIMEOUT') throw new TokumeiError('timeout', 'MESSAGE_TIMEOUT', 'no acknowledgement within 120000 ms');
    if (text === 'NOROUTE') throw new TokumeiError('io', 'NO_ROUTE', 'no route to the destination');
    if (text === 'GONE') throw new TokumeiError('refused', 'CONVERSATION_GONE', 'that conversation is closed');
    if (text === 'BUG') throw new Error('boom');
  }

  api(): ControlApi {
    return {
      status: () => {
        throw new Error('unused');
      },
      installCrl: () => {
        throw new Error('unused');
      },
      newAddress: () => ADDRESS,
      send: async (to, data) => {
        const buf = Buffer.from(data);
        this.sent.push({ to, data: buf });
        await this.behave(buf);
        return { delivered: true, bytes: data.length, repairs: 1, localRepairs: 1, multicast: false, routeLength: 4 };
      },
      inbox: () => [inboxItem],
      inboxMessage: (id) => (id === MESSAGE_ID ? new Uint8Array(MESSAGE) : undefined),
      reply: async (id, data) => {
        if (id !== MESSAGE_ID) throw new TokumeiError('bad-input', 'NO_SUCH_MESSAGE', `no message ${id} in the inbox`);
        const buf = Buffer.from(data);
        this.replies.push({ id, data: buf });
        await this.behave(buf);
        return { via: 'circuit', bytes: data.length };
      },
      routing: () => fakeRoutingStatus,
    };
  }
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

describe('control API: routing endpoints', () => {
  const node = new FakeNode();
  let server: ControlServer;
  before(async () => {
    server = await startControlServer({ listen: { host: '127.0.0.1', port: 0 }, router: controlRoutes(node.api()) });
  });
  after(() => server.close());

  test('POST /api/address answers a fresh address; other methods are 405; the token is required', async () => {
    const r = await call(server, 'POST', '/api/address');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { address: ADDRESS });
    const get = await call(server, 'GET', '/api/address');
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST');
    for (const path of ['/api/address', '/api/send', '/api/inbox', `/api/inbox/${MESSAGE_ID}`, '/api/reply', '/api/routing']) {
      const r401 = await call(server, 'GET', path, { auth: null });
      assert.equal(r401.status, 401, path);
    }
  });

  test('POST /api/send passes the exact bytes and answers the outcome', async () => {
    const data = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255]);
    const r = await postJson(server, '/api/send', { to: ADDRESS, data: b64(data) });
    assert.equal(r.status, 200, r.body.toString());
    assert.deepEqual(r.json, { delivered: true, bytes: data.length, repairs: 1, localRepairs: 1, multicast: false, routeLength: 4 });
    assert.equal(node.sent.at(-1)!.to, ADDRESS);
    assert.deepEqual(node.sent.at(-1)!.data, data);
    const empty = await postJson(server, '/api/send', { to: ADDRESS, data: '' });
    assert.equal(empty.status, 200);
    assert.equal(empty.json.bytes, 0);
  });

  test('a bad address is 400 ADDRESS_INVALID, before the node is asked', async () => {
    const before = node.sent.length;
    for (const to of ['', 'tk1', 'hello', ADDRESS.slice(0, -1), ADDRESS + 'A', 'tk2' + ADDRESS.slice(3), ADDRESS.slice(0, -1) + '!', 'x'.repeat(400)]) {
      const r = await postJson(server, '/api/send', { to, data: b64('x') });
      assert.equal(r.status, 400, to);
      assert.equal(r.json.error.code, 'ADDRESS_INVALID', to);
    }
    assert.equal(node.sent.length, before);
  });

  test('malformed bodies are 400 with a code', async () => {
    const cases: Array<[string | Buffer, string]> = [
      ['not json', 'CONTROL_JSON_INVALID'],
      [Buffer.from([0xff, 0xfe, 0x00]), 'CONTROL_JSON_INVALID'],
      ['[1,2]', 'CONTROL_JSON_INVALID'],
      ['null', 'CONTROL_JSON_INVALID'],
      [JSON.stringify({ data: b64('x') }), 'CONTROL_FIELD_INVALID'],
      [JSON.stringify({ to: 42, data: b64('x') }), 'CONTROL_FIELD_INVALID'],
      [JSON.stringify({ to: ADDRESS }), 'CONTROL_FIELD_INVALID'],
      [JSON.stringify({ to: ADDRESS, data: [1, 2, 3] }), 'CONTROL_FIELD_INVALID'],
      [JSON.stringify({ to: ADDRESS, data: b64('x'), extra: 1 }), 'CONTROL_FIELD_INVALID'],
    ];
    for (const [body, code] of cases) {
      const r = await call(server, 'POST', '/api/send', { body, contentType: 'application/json' });
      assert.equal(r.status, 400, String(body));
      assert.equal(r.json.error.code, code, String(body));
    }
  });

  test('data must be canonical padded standard base64', async () => {
    for (const data of ['QQ', 'QQ=', 'QR==', 'QQ==QQ==', 'Q Q==', 'QQ==\n', '-_-_', '!!!!', 'QUJD=', '====', 'QUJDRA']) {
      const r = await postJson(server, '/api/send', { to: ADDRESS, data });
      assert.equal(r.status, 400, data);
      assert.equal(r.json.error.code, 'CONTROL_BASE64_INVALID', data);
    }
    for (const [data, bytes] of [['QQ==', 1], ['QUI=', 2], ['QUJD', 3], ['+/+/', 3]] as const) {
      const r = await postJson(server, '/api/send', { to: ADDRESS, data });
      assert.equal(r.status, 200, data);
      assert.equal(r.json.bytes, bytes, data);
    }
  });

  test('16 MiB is accepted; one byte more is 413, and so is a body over the bound', async () => {
    const max = Buffer.alloc(MAX_MESSAGE_SIZE, 0x5a);
    const ok = await postJson(server, '/api/send', { to: ADDRESS, data: b64(max) });
    assert.equal(ok.status, 200);
    assert.equal(ok.json.bytes, MAX_MESSAGE_SIZE);
    assert.ok(node.sent.at(-1)!.data.equals(max));
    node.sent.length = 0; // let the 16 MiB go
    const over = await postJson(server, '/api/send', { to: ADDRESS, data: b64(Buffer.alloc(MAX_MESSAGE_SIZE + 1)) });
    assert.equal(over.status, 413);
    assert.equal(over.json.error.code, 'MESSAGE_TOO_LARGE');
    const huge = await call(server, 'POST', '/api/send', { body: Buffer.alloc(MAX_MESSAGE_BODY_BYTES + 1, 0x20) });
    assert.equal(huge.status, 413);
    assert.equal(huge.json.error.code, 'CONTROL_BODY_TOO_LARGE');
    const streamed = await call(server, 'POST', '/api/reply', { body: Buffer.alloc(MAX_MESSAGE_BODY_BYTES + 1024 * 1024, 0x20), chunked: true });
    assert.equal(streamed.status, 413);
    assert.equal((await call(server, 'GET', '/api/inbox')).status, 200, 'still serving');
  });

  test('routing failures keep their code, with a status by kind', async () => {
    for (const [text, status, code] of [['TIMEOUT', 504, 'MESSAGE_TIMEOUT'], ['NOROUTE', 502, 'NO_ROUTE'], ['GONE', 409, 'CONVERSATION_GONE'], ['BUG', 500, 'CONTROL_INTERNAL']] as const) {
      const r = await postJson(server, '/api/send', { to: ADDRESS, data: b64(text) });
      assert.equal(r.status, status, text);
      assert.equal(r.json.error.code, code, text);
    }
  });

  test('GET /api/inbox lists; GET /api/inbox/<id> answers the raw bytes; ids are checked', async () => {
    const list = await call(server, 'GET', '/api/inbox');
    assert.equal(list.status, 200);
    assert.deepEqual(list.json, [inboxItem]);
    const one = await call(server, 'GET', `/api/inbox/${MESSAGE_ID}`);
    assert.equal(one.status, 200);
    assert.equal(one.headers['content-type'], 'application/octet-stream');
    assert.ok(one.body.equals(MESSAGE));
    const unknown = await call(server, 'GET', '/api/inbox/fedcba9876543210');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'INBOX_NOT_FOUND');
    for (const id of ['XYZ', '0123456789ABCDEF', 'a'.repeat(65), 'abc%00', '%61bc', 'abc.txt']) {
      const r = await call(server, 'GET', `/api/inbox/${id}`);
      assert.equal(r.status, 400, id);
      assert.equal(r.json.error.code, 'MESSAGE_ID_INVALID', id);
    }
    assert.equal((await call(server, 'GET', `/api/inbox/${MESSAGE_ID}/x`)).status, 404);
    assert.equal((await call(server, 'GET', '/api/inbox/')).status, 404);
    const del = await call(server, 'DELETE', `/api/inbox/${MESSAGE_ID}`);
    assert.equal(del.status, 405);
    assert.equal(del.headers.allow, 'GET');
  });

  test('POST /api/reply answers a message; unknown ids are 404, bad ones 400', async () => {
    const ok = await postJson(server, '/api/reply', { messageId: MESSAGE_ID, data: b64('thanks') });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json, { via: 'circuit', bytes: 6 });
    assert.equal(node.replies.at(-1)!.data.toString(), 'thanks');
    const unknown = await postJson(server, '/api/reply', { messageId: 'fedcba9876543210', data: b64('x') });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'INBOX_NOT_FOUND');
    for (const messageId of ['nothex', '', 'A'.repeat(16), 'a'.repeat(65)]) {
      const r = await postJson(server, '/api/reply', { messageId, data: b64('x') });
      assert.equal(r.status, 400, messageId);
      assert.match(r.json.error.code, /^(MESSAGE_ID_INVALID|CONTROL_FIELD_INVALID)$/, messageId);
    }
    const badData = await postJson(server, '/api/reply', { messageId: MESSAGE_ID, data: 'no base64!' });
    assert.equal(badData.status, 400);
    assert.equal(badData.json.error.code, 'CONTROL_BASE64_INVALID');
  });

  test('GET /api/routing answers the routing status', async () => {
    const r = await call(server, 'GET', '/api/routing');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, fakeRoutingStatus);
  });

  test(`at most ${MAX_MESSAGES_IN_FLIGHT} messages wait at once; more are 503 CONTROL_BUSY`, async () => {
    const waiting = Array.from({ length: MAX_MESSAGES_IN_FLIGHT }, () => postJson(server, '/api/send', { to: ADDRESS, data: b64('HOLD') }));
    while (node.held < MAX_MESSAGES_IN_FLIGHT) await new Promise((r) => setTimeout(r, 10));
    const busy = await postJson(server, '/api/reply', { messageId: MESSAGE_ID, data: b64('x') });
    assert.equal(busy.status, 503);
    assert.equal(busy.json.error.code, 'CONTROL_BUSY');
    assert.equal((await call(server, 'GET', '/api/routing')).status, 200, 'reads still served');
    node.release();
    for (const r of await Promise.all(waiting)) assert.equal(r.status, 200);
    assert.equal((await postJson(server, '/api/send', { to: ADDRESS, data: b64('x') })).status, 200, 'slots freed');
  });

  test('the client speaks every endpoint and maps statuses to error kinds', async () => {
    const client = new NodeClient({ url: server.url, token: server.token, pid: process.pid, nodeId: 'x', address: 'y' });
    assert.equal(await client.newAddress(), ADDRESS);
    assert.equal((await client.send(ADDRESS, new Uint8Array([1, 2, 3]))).bytes, 3);
    assert.deepEqual(await client.inbox(), [inboxItem]);
    assert.ok((await client.inboxMessage(MESSAGE_ID)).equals(MESSAGE));
    assert.deepEqual(await client.reply(MESSAGE_ID, new Uint8Array([9])), { via: 'circuit', bytes: 1 });
    assert.deepEqual(await client.routing(), fakeRoutingStatus);
    const kindOf = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        assert.ok(e instanceof TokumeiError);
        return `${e.kind} ${e.code}`;
      }
      return 'resolved';
    };
    assert.equal(await kindOf(client.send(ADDRESS, Buffer.from('TIMEOUT'))), 'timeout MESSAGE_TIMEOUT');
    assert.equal(await kindOf(client.send(ADDRESS, Buffer.from('NOROUTE'))), 'io NO_ROUTE');
    assert.equal(await kindOf(client.send(ADDRESS, Buffer.from('GONE'))), 'refused CONVERSATION_GONE');
    assert.equal(await kindOf(client.inboxMessage('fedcba9876543210')), 'bad-input INBOX_NOT_FOUND');
  });
});

describe('control API: timeouts', () => {
  const node = new FakeNode();
  let server: ControlServer;
  before(async () => {
    server = await startControlServer({ listen: { host: '127.0.0.1', port: 0 }, router: controlRoutes(node.api()), requestTimeoutMs: 300 });
  });
  after(() => server.close());

  test('a send that waits longer than the request timeout still gets its answer', async () => {
    node.waitMs = 1_500;
    const r = await postJson(server, '/api/send', { to: ADDRESS, data: b64('SLOW') });
    assert.equal(r.status, 200);
    assert.equal(r.json.delivered, true);
  });

  test('a client that stalls its upload is cut off', async () => {
    const url = new URL(server.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const s = connect(Number(url.port), url.hostname, () => {
        s.write(`POST /api/send HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${server.token}\r\ncontent-length: 1000\r\n\r\n{"to":`);
      });
      let got = '';
      s.setEncoding('utf8').on('data', (d: string) => (got += d));
      s.on('close', () => resolve(got));
      s.on('error', reject);
      setTimeout(() => {
        s.destroy();
        reject(new Error('server kept a stalled upload open'));
      }, 5_000);
    });
    assert.match(answer, /^HTTP\/1\.1 408/);
  });
});

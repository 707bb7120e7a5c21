import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTokumeiError, TokumeiError } from '../../src/errors.js';
import { concatBytes } from '../../src/crypto/bytes.js';
import { randomScalar } from '../../src/crypto/ristretto.js';
import { generateX25519 } from '../../src/crypto/x25519.js';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import { createAnonymousId } from '../../src/anonymous-id/anonymous-id.js';
import { encodeAddress } from '../../src/routing/formats/one-time-address.js';
import { createAnnouncement, decodeAnnouncement } from '../../src/board/announcement.js';
import { generateBoardKeys } from '../../src/board/board-keys.js';
import * as m from '../../src/board/messages.js';
import { createNotification, decodeNotification } from '../../src/board/notification.js';
import { createPost } from '../../src/board/post.js';
import { createReply } from '../../src/board/reply.js';
import { createReservation } from '../../src/board/reservation.js';
import { encodeMessage } from '../../src/board/board-message.js';
import { BoardOp, RecordKind } from '../../src/board/types.js';
import { boardUserKey } from '../../src/board/user-key.js';

const random = new SeededRandom(8, 'messages');
const board = generateBoardKeys(random);
const NOW = Date.UTC(2025, 0, 1);
const k = randomScalar(random);
const user = boardUserKey(generateX25519(random).privateKey);
const code = (c: string) => (e: unknown) => isTokumeiError(e, c);
const tk1 = () => encodeAddress({ id: createAnonymousId(k, random), key: generateX25519(random).publicRaw });

const { record: post } = await createPost({ text: 'bike', fields: [{ key: 'city', value: 'kyoto' }], ttlSeconds: 3600, now: NOW, anonymityKey: k, userPublicKey: user.publicKey, sealKey: board.public.sealKey, random });
const entry: m.EntryBytes = { post: post.bytes, message: encodeMessage({ text: 'bike', fields: [{ key: 'city', value: 'kyoto' }] }) };
const reply = await createReply({ post, text: 'mine', now: NOW, anonymityKey: k, random });
const reservation = createReservation({ notifyAddress: tk1(), query: 'bike', ttlSeconds: 3600, now: NOW, anonymityKey: k, random });
const announcement = createAnnouncement({ replicaId: random.bytes(16), issued: NOW, syncAddress: tk1() }, board.signingKey);

test('requests: envelope round trip; bad magic, version, op and short input are BOARD_BAD_REQUEST', () => {
  const req = m.encodeRequest(BoardOp.GET, m.encodeGetRequest(post.id));
  assert.deepEqual([...req.subarray(0, 5)], [0x54, 0x4b, 0x42, 1, 3]);
  const { op, body } = m.decodeRequest(req);
  assert.equal(op, BoardOp.GET);
  assert.equal(m.decodeGetRequest(body), post.id);
  for (const bad of [req.subarray(0, 4), Uint8Array.of(0x54, 0x4b, 0x43, 1, 3), Uint8Array.of(0x54, 0x4b, 0x42, 2, 3), Uint8Array.of(0x54, 0x4b, 0x42, 1, 7), Uint8Array.of(0x54, 0x4b, 0x42, 1, 0)]) {
    assert.throws(() => m.decodeRequest(bad), code('BOARD_BAD_REQUEST'));
  }
  assert.throws(() => m.decodeGetRequest(concatBytes(body, Uint8Array.of(0))), code('BOARD_BAD_REQUEST'));
  assert.throws(() => m.encodeRequest(99 as never, body), code('BOARD_BAD_OP'));
});

test('responses: ok and error round trip; error messages are cleaned and bounded', () => {
  assert.deepEqual(m.decodeResponse(m.encodeOk(Uint8Array.of(1, 2))), { ok: true, body: Uint8Array.of(1, 2) });
  assert.deepEqual(m.decodeResponse(m.encodeError('BOARD_DUPLICATE', 'post abc is stored')), { ok: false, code: 'BOARD_DUPLICATE', message: 'post abc is stored' });
  const messy = m.decodeResponse(m.encodeError('BOARD_BAD_TEXT', 'line\nbreak \u202e\u0007 ' + '語'.repeat(1000) + '\ud800'));
  assert.equal(messy.ok, false);
  if (!messy.ok) {
    assert.ok(!/[\n\u202e\u0007]/.test(messy.message));
    assert.ok(Buffer.byteLength(messy.message) <= 1024);
  }
  assert.throws(() => m.encodeError('lower', 'x'), code('BOARD_BAD_ERROR_CODE'));
  const ok = m.encodeOk(new Uint8Array(0));
  const status2 = Uint8Array.from(ok);
  status2[4] = 2;
  assert.throws(() => m.decodeResponse(status2), code('BOARD_BAD_RESPONSE'));
  // An error body with a control character in its message, or a malformed code.
  const bodyWith = (c: string, msg: Uint8Array) => concatBytes(Uint8Array.of(0x54, 0x4b, 0x42, 1, 1, c.length), Buffer.from(c), Uint8Array.of(0, msg.length), msg);
  assert.throws(() => m.decodeResponse(bodyWith('BOARD_X', Uint8Array.of(0x41, 0x07))), code('BOARD_BAD_RESPONSE'));
  assert.throws(() => m.decodeResponse(bodyWith('board x', Uint8Array.of(0x41))), code('BOARD_BAD_RESPONSE'));
  assert.throws(() => m.decodeResponse(bodyWith('BOARD_X', Uint8Array.of(0xc3))), code('BOARD_BAD_RESPONSE'));
});

test('SEARCH request and answer, entries checked by the searcher', () => {
  const req = m.encodeSearchRequest({ query: 'bike Kyoto', fields: [{ key: 'city', value: 'kyoto' }], limit: 20 });
  assert.deepEqual(m.decodeSearchRequest(req), { query: 'bike Kyoto', fields: [{ key: 'city', value: 'kyoto' }], words: ['bike', 'Kyoto'], limit: 20, before: 0 });
  assert.equal(m.decodeSearchRequest(m.encodeSearchRequest({ query: 'x', fields: [], limit: 5, before: 1_700_000_000_000 })).before, 1_700_000_000_000);
  assert.throws(() => m.encodeSearchRequest({ query: '', fields: [], limit: 5 }), code('BOARD_BAD_QUERY'));
  assert.throws(() => m.encodeSearchRequest({ query: 'x', fields: [], limit: 51 }), code('BOARD_BAD_REQUEST'));
  const limit0 = Uint8Array.from(req);
  limit0[limit0.length - 9] = 0; // limit is the byte before the 8-byte `before`
  assert.throws(() => m.decodeSearchRequest(limit0), code('BOARD_BAD_REQUEST'));
  const answer = m.encodeSearchAnswer([entry, entry]);
  const entries = m.decodeSearchAnswer(answer);
  assert.equal(entries.length, 2);
  const checked = m.checkEntry(entries[0]!, NOW);
  assert.equal(checked.post.id, post.id);
  assert.deepEqual(checked.message, { text: 'bike', fields: [{ key: 'city', value: 'kyoto' }] });
  assert.throws(() => m.checkEntry(entries[0]!, post.expires), code('BOARD_EXPIRED'));
  const forged = Uint8Array.from(post.bytes);
  forged[20]! ^= 1;
  assert.throws(() => m.checkEntry({ post: forged, message: entry.message }), code('BOARD_BAD_SIGNATURE'));
  // GET answers with one entry.
  assert.deepEqual(m.decodeEntry(m.encodeEntry(entry)), entry);
});

test('REPLY, REPLIES, POST and RESERVE bodies round-trip', () => {
  assert.equal(m.decodeReplyAnswer(m.encodeReplyAnswer(reply.id)), reply.id);
  assert.deepEqual(m.decodeRepliesRequest(m.encodeRepliesRequest({ postId: post.id, since: NOW })), { postId: post.id, since: NOW });
  assert.deepEqual(m.decodeRepliesAnswer(m.encodeRepliesAnswer([reply.bytes, reply.bytes])), [reply.bytes, reply.bytes]);
  assert.deepEqual(m.decodeStoredAnswer(m.encodeStoredAnswer({ id: post.id, expires: post.expires })), { id: post.id, expires: post.expires });
  assert.throws(() => m.encodeRepliesAnswer(Array.from({ length: 201 }, () => reply.bytes)), code('BOARD_TOO_MANY'));
});

test('HELLO and PULL bodies round-trip and are bounded', () => {
  assert.deepEqual(m.decodeHelloAnswer(m.encodeHelloAnswer([announcement.bytes])), [announcement.bytes]);
  const pull = { announcement: announcement.bytes, since: 42, limit: 500 };
  assert.deepEqual(m.decodePullRequest(m.encodePullRequest(pull)), pull);
  assert.throws(() => m.encodePullRequest({ ...pull, limit: 501 }), code('BOARD_BAD_REQUEST'));
  assert.throws(() => m.decodePullRequest(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), code('BOARD_BAD_REQUEST'));
  const records = [
    { kind: RecordKind.POST, bytes: post.bytes },
    { kind: RecordKind.REPLY, bytes: reply.bytes },
    { kind: RecordKind.RESERVATION, bytes: reservation.bytes },
  ];
  const pulled = m.decodePullAnswer(m.encodePullAnswer({ next: 7, more: true, records }));
  assert.deepEqual(pulled, { next: 7, more: true, records });
  const badKind = m.encodePullAnswer({ next: 7, more: false, records: [{ kind: 9 as never, bytes: post.bytes }] });
  assert.throws(() => m.decodePullAnswer(badKind), code('BOARD_BAD_RESPONSE'));
  // A reservation-sized slot cannot carry a post-sized blob.
  const big = m.encodePullAnswer({ next: 1, more: false, records: [{ kind: RecordKind.RESERVATION, bytes: new Uint8Array(5000) }] });
  assert.throws(() => m.decodePullAnswer(big), code('BOARD_BAD_RESPONSE'));
});

test('notifications are signed by the board key and carry a checked entry', () => {
  const bytes = createNotification({ reservationId: reservation.id, issued: NOW, entry }, board.signingKey);
  assert.deepEqual([...bytes.subarray(0, 4)], [0x54, 0x4b, 0x4e, 1]);
  const n = decodeNotification(bytes, board.public.signingKey);
  assert.equal(n.reservationId, reservation.id);
  assert.equal(n.issued, NOW);
  assert.equal(n.entry.post.id, post.id);
  const other = generateBoardKeys(random);
  assert.throws(() => decodeNotification(bytes, other.public.signingKey), code('BOARD_BAD_SIGNATURE'));
  assert.throws(() => decodeNotification(createNotification({ reservationId: reservation.id, issued: NOW, entry }, other.signingKey), board.public.signingKey), code('BOARD_BAD_SIGNATURE'));
  for (let i = 0; i < bytes.length; i += 7) {
    const bad = Uint8Array.from(bytes);
    bad[i]! ^= 0x10;
    assert.throws(() => decodeNotification(bad, board.public.signingKey), (e: unknown) => e instanceof TokumeiError && e.code.startsWith('BOARD_'), `byte ${i}`);
  }
});

test('announcements are signed by the board key, fresh within 10 minutes, and never mistaken for notifications', () => {
  const a = decodeAnnouncement(announcement.bytes, board.public.signingKey, NOW + 60_000);
  assert.deepEqual(a, announcement);
  assert.deepEqual([...announcement.bytes.subarray(0, 4)], [0x54, 0x4b, 0x41, 1]);
  assert.throws(() => decodeAnnouncement(announcement.bytes, board.public.signingKey, NOW + 10 * 60_000 + 1), code('BOARD_EXPIRED'));
  assert.throws(() => decodeAnnouncement(announcement.bytes, board.public.signingKey, NOW - 5 * 60_000 - 1), code('BOARD_FUTURE'));
  assert.throws(() => decodeAnnouncement(announcement.bytes, generateBoardKeys(random).public.signingKey), code('BOARD_BAD_SIGNATURE'));
  const notification = createNotification({ reservationId: reservation.id, issued: NOW, entry }, board.signingKey);
  assert.throws(() => decodeAnnouncement(notification, board.public.signingKey), code('BOARD_BAD_RECORD'));
  assert.throws(() => decodeNotification(announcement.bytes, board.public.signingKey), code('BOARD_BAD_RECORD'));
  assert.throws(() => createAnnouncement({ replicaId: random.bytes(16), issued: NOW, syncAddress: board.address }, board.signingKey), code('BOARD_BAD_RECORD'));
});

test('fuzz: truncations, flips and random bytes never throw anything but TokumeiError', () => {
  const fuzz = new SeededRandom(9, 'fuzz');
  const samples: [string, Uint8Array, (b: Uint8Array) => unknown][] = [
    ['request', m.encodeRequest(BoardOp.SEARCH, m.encodeSearchRequest({ query: 'bike', fields: [{ key: 'city', value: 'kyoto' }], limit: 3 })), m.decodeRequest],
    ['search request', m.encodeSearchRequest({ query: 'bike', fields: [{ key: 'city', value: 'kyoto' }], limit: 3 }), m.decodeSearchRequest],
    ['search answer', m.encodeSearchAnswer([entry]), (b) => m.decodeSearchAnswer(b).map((e) => m.checkEntry(e))],
    ['entry', m.encodeEntry(entry), (b) => m.checkEntry(m.decodeEntry(b))],
    ['error', m.encodeError('BOARD_FULL', 'full'), m.decodeResponse],
    ['ok', m.encodeOk(Uint8Array.of(1)), m.decodeResponse],
    ['replies request', m.encodeRepliesRequest({ postId: post.id, since: 1 }), m.decodeRepliesRequest],
    ['replies answer', m.encodeRepliesAnswer([reply.bytes]), m.decodeRepliesAnswer],
    ['stored answer', m.encodeStoredAnswer({ id: post.id, expires: 5 }), m.decodeStoredAnswer],
    ['hello answer', m.encodeHelloAnswer([announcement.bytes]), (b) => m.decodeHelloAnswer(b).map((a) => decodeAnnouncement(a, board.public.signingKey))],
    ['pull request', m.encodePullRequest({ announcement: announcement.bytes, since: 3, limit: 10 }), (b) => decodeAnnouncement(m.decodePullRequest(b).announcement, board.public.signingKey, NOW)],
    ['pull answer', m.encodePullAnswer({ next: 3, more: false, records: [{ kind: RecordKind.POST, bytes: post.bytes }] }), m.decodePullAnswer],
    ['notification', createNotification({ reservationId: reservation.id, issued: NOW, entry }, board.signingKey), (b) => decodeNotification(b, board.public.signingKey)],
    ['announcement', announcement.bytes, (b) => decodeAnnouncement(b, board.public.signingKey, NOW)],
  ];
  let refused = 0;
  for (const [name, bytes, decode] of samples) {
    const inputs: Uint8Array[] = [];
    for (let n = 0; n < bytes.length; n += Math.max(1, Math.floor(bytes.length / 64))) inputs.push(bytes.subarray(0, n));
    for (let i = 0; i < 64; i++) {
      const b = Uint8Array.from(bytes);
      b[fuzz.int(b.length)]! ^= 1 << fuzz.int(8);
      inputs.push(b);
      inputs.push(concatBytes(bytes.subarray(0, fuzz.int(bytes.length)), fuzz.bytes(fuzz.int(40))));
    }
    inputs.push(concatBytes(bytes, Uint8Array.of(0)), fuzz.bytes(bytes.length), new Uint8Array(0));
    for (const input of inputs) {
      try {
        decode(input);
      } catch (e) {
        assert.ok(e instanceof TokumeiError, `${name}: ${String(e)}`);
        refused++;
      }
    }
  }
  assert.ok(refused > 1000, `${refused} refusals`);
});

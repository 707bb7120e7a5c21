import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { isTokumeiError, TokumeiError } from '../../src/errors.js';
import { concatBytes, toHex } from '../../src/crypto/bytes.js';
import { hpkeSeal } from '../../src/crypto/hpke.js';
import { randomScalar } from '../../src/crypto/ristretto.js';
import { generateX25519, x25519PrivateKeyFromRaw, x25519RawPublicKey } from '../../src/crypto/x25519.js';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import { createAnonymousId, isOwnAnonymousId } from '../../src/anonymous-id/anonymous-id.js';
import { encodeAddress } from '../../src/routing/formats/one-time-address.js';
import { Writer } from '../../src/wire/codec.js';
import { generateBoardKeys } from '../../src/board/board-keys.js';
import { signRecord } from '../../src/board/record-codec.js';
import { acceptPost, createPost, decodePost, openPostMessage, verifyPostSignature } from '../../src/board/post.js';
import { acceptReply, createReply, decodeReply, openReply } from '../../src/board/reply.js';
import { acceptReservation, createReservation, decodeReservation } from '../../src/board/reservation.js';
import { decodeMessage, decodeReplyMessage, encodeMessage, encodeReplyMessage } from '../../src/board/board-message.js';
import { boardUserKey } from '../../src/board/user-key.js';

const random = new SeededRandom(6, 'records');
const board = generateBoardKeys(random);
const NOW = Date.UTC(2025, 0, 1);
const DAY = 24 * 3600;

function member() {
  const k = randomScalar(random);
  const user = boardUserKey(generateX25519(random).privateKey);
  return { k, y: user.privateKey, Y: user.publicKey };
}
const alice = member();
const bob = member();

const code = (c: string) => (e: unknown) => isTokumeiError(e, c);

async function alicePost(text = 'bike for sale, Kyoto', ttlSeconds = DAY, now = NOW) {
  return createPost({ text, fields: [{ key: 'city', value: 'kyoto' }], ttlSeconds, now, anonymityKey: alice.k, userPublicKey: alice.Y, sealKey: board.public.sealKey, random });
}

/** A post signed by alice around any message bytes, ttl and time: what a hostile client can send. */
async function forgePost(o: { message: Uint8Array; ttl?: number; created?: number; flipCiphertext?: boolean }): Promise<Uint8Array> {
  const anonId = createAnonymousId(alice.k, random);
  const x = generateX25519(random);
  const sealedX = await hpkeSeal(alice.Y, new Uint8Array(32).fill(1), { info: new TextEncoder().encode('tokumei-board/1 post key'), aad: anonId });
  const head = new Writer()
    .u8(1)
    .u64(o.created ?? NOW)
    .u32(o.ttl ?? DAY)
    .bytes(anonId)
    .bytes(x.publicRaw)
    .bytes16(concatBytes(sealedX.enc, sealedX.ciphertext))
    .finish();
  const sealed = await hpkeSeal(board.public.sealKey, o.message, { info: new TextEncoder().encode('tokumei-board/1 post'), aad: head });
  if (o.flipCiphertext) sealed.ciphertext[3]! ^= 0x20;
  const body = new Writer().bytes(head).bytes(sealed.enc).bytes32(sealed.ciphertext).finish();
  return concatBytes(body, signRecord('post', alice.k, anonId, body, random));
}

function rawMessage(text: Uint8Array, fields: [string, string][] = []): Uint8Array {
  const w = new Writer().bytes16(text).u8(fields.length);
  for (const [k, v] of fields) w.string8(k).string8(v);
  return w.finish();
}

test('a post round-trips: decode, signature, the board opens its message; id is SHA-256[0..16]', async () => {
  const { record, xPrivate } = await alicePost();
  assert.equal(record.id, toHex(createHash('sha256').update(record.bytes).digest().subarray(0, 16)));
  assert.equal(record.created, NOW);
  assert.equal(record.expires, NOW + DAY * 1000);
  assert.equal(isOwnAnonymousId(record.anonId, alice.k), true);
  assert.deepEqual(x25519RawPublicKey(x25519PrivateKeyFromRaw(xPrivate)), record.xPub);
  assert.deepEqual(decodePost(record.bytes), record);
  assert.equal(verifyPostSignature(record), true);
  const { post, message } = await acceptPost(record.bytes, board.sealKey, NOW + 1000);
  assert.equal(post.id, record.id);
  assert.deepEqual(message, { text: 'bike for sale, Kyoto', fields: [{ key: 'city', value: 'kyoto' }] });
  assert.deepEqual(await openPostMessage(record, board.sealKey), message);
});

test('a replayed post has the id of the original; a new post of the same text does not', async () => {
  const { record } = await alicePost('same text');
  const replay = Uint8Array.from(record.bytes);
  assert.equal((await acceptPost(replay, board.sealKey, NOW)).post.id, record.id);
  const again = await alicePost('same text');
  assert.notEqual(again.record.id, record.id);
  assert.notDeepEqual(again.record.anonId, record.anonId);
});

test('a bit flipped in any byte of a post is refused by acceptPost', async () => {
  const { record } = await alicePost('flip me');
  const refusals = new Map<string, number>();
  for (let i = 0; i < record.bytes.length; i++) {
    const bad = Uint8Array.from(record.bytes);
    bad[i]! ^= 1 << (i % 8);
    await assert.rejects(acceptPost(bad, board.sealKey, NOW), (e: unknown) => {
      assert.ok(e instanceof TokumeiError && e.code.startsWith('BOARD_'), `byte ${i}: ${String(e)}`);
      refusals.set(e.code, (refusals.get(e.code) ?? 0) + 1);
      return true;
    });
  }
  // Nearly every position is caught by the signature; structure catches version and lengths.
  assert.ok((refusals.get('BOARD_BAD_SIGNATURE') ?? 0) > record.bytes.length * 0.9, JSON.stringify([...refusals]));
  assert.ok(refusals.has('BOARD_BAD_RECORD'));
});

test('a signed post whose ciphertext was altered, or sealed to another board, is BOARD_BAD_SEAL', async () => {
  const message = encodeMessage({ text: 'hello', fields: [] });
  await assert.rejects(acceptPost(await forgePost({ message, flipCiphertext: true }), board.sealKey, NOW), code('BOARD_BAD_SEAL'));
  const { record } = await alicePost();
  await assert.rejects(acceptPost(record.bytes, generateBoardKeys(random).sealKey, NOW), code('BOARD_BAD_SEAL'));
  // The forge helper itself makes acceptable posts.
  assert.equal((await acceptPost(await forgePost({ message }), board.sealKey, NOW)).message.text, 'hello');
});

test('times: BOARD_EXPIRED, BOARD_FUTURE, BOARD_TTL', async () => {
  const { record } = await alicePost('t', 60);
  await assert.rejects(acceptPost(record.bytes, board.sealKey, NOW + 60_000), code('BOARD_EXPIRED'));
  assert.ok(await acceptPost(record.bytes, board.sealKey, NOW + 59_999));
  await assert.rejects(acceptPost(record.bytes, board.sealKey, NOW - 5 * 60_000 - 1), code('BOARD_FUTURE'));
  assert.ok(await acceptPost(record.bytes, board.sealKey, NOW - 5 * 60_000));
  const message = encodeMessage({ text: 'x', fields: [] });
  await assert.rejects(acceptPost(await forgePost({ message, ttl: 0 }), board.sealKey, NOW), code('BOARD_TTL'));
  await assert.rejects(acceptPost(await forgePost({ message, ttl: 30 * DAY + 1 }), board.sealKey, NOW), code('BOARD_TTL'));
  assert.ok(await acceptPost(await forgePost({ message, ttl: 30 * DAY }), board.sealKey, NOW));
  // The creator is held to the same rules.
  await assert.rejects(alicePost('x', 0), code('BOARD_TTL'));
  await assert.rejects(alicePost('x', 31 * DAY), code('BOARD_TTL'));
});

test('the sealed message obeys the text rules: text, size, fields and UTF-8 are checked by the board', async () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const cases: [Uint8Array, string][] = [
    [rawMessage(enc('bell\u0007')), 'BOARD_BAD_TEXT'],
    [rawMessage(enc('rtl\u202e')), 'BOARD_BAD_TEXT'],
    [rawMessage(Uint8Array.of(0x61, 0xc3, 0x28)), 'BOARD_BAD_TEXT'],
    [rawMessage(enc('a'.repeat(16_385))), 'BOARD_TOO_LARGE'],
    [rawMessage(enc('ok'), [['City', 'x']]), 'BOARD_BAD_FIELD'],
    [rawMessage(enc('ok'), [['k', 'x'], ['k', 'y']]), 'BOARD_BAD_FIELD'],
    [concatBytes(rawMessage(enc('ok')), Uint8Array.of(0)), 'BOARD_BAD_RECORD'],
    [rawMessage(enc('ok')).subarray(0, 4), 'BOARD_BAD_RECORD'],
  ];
  for (const [message, c] of cases) await assert.rejects(acceptPost(await forgePost({ message }), board.sealKey, NOW), code(c), c);
  // And the creator cannot make such a post in the first place.
  await assert.rejects(alicePost('bell\u0007'), code('BOARD_BAD_TEXT'));
  await assert.rejects(alicePost('😀'.repeat(100_000)), code('BOARD_TOO_LARGE'));
  assert.ok(await alicePost("'; DROP TABLE posts; --"));
});

test('decodePost refuses trailing bytes, truncation, unknown versions and impossible lengths', async () => {
  const { record } = await alicePost();
  assert.throws(() => decodePost(concatBytes(record.bytes, Uint8Array.of(0))), code('BOARD_BAD_RECORD'));
  for (const n of [0, 1, 100, record.bytes.length - 1]) assert.throws(() => decodePost(record.bytes.subarray(0, n)), code('BOARD_BAD_RECORD'));
  const v2 = Uint8Array.from(record.bytes);
  v2[0] = 2;
  assert.throws(() => decodePost(v2), code('BOARD_BAD_RECORD'));
  const huge = Uint8Array.from(record.bytes);
  huge.set([0x00, 0x10, 0x00, 0x00], 191 + 32); // message_ct length 1 MiB
  assert.throws(() => decodePost(huge), code('BOARD_TOO_LARGE'));
});

test('message codecs round-trip', () => {
  const m = { text: 'héllo\n\tworld 😀', fields: [{ key: 'a', value: 'b' }] };
  assert.deepEqual(decodeMessage(encodeMessage(m)), m);
  const address = encodeAddress({ id: createAnonymousId(bob.k, random), key: generateX25519(random).publicRaw });
  for (const r of [{ text: 'interested', answerAddress: address }, { text: '', answerAddress: '' }]) assert.deepEqual(decodeReplyMessage(encodeReplyMessage(r)), r);
  assert.throws(() => encodeReplyMessage({ text: 'x', answerAddress: 'tk1nope' }), code('BOARD_BAD_RECORD'));
});

test('replies: the board accepts them but cannot read them; only the poster (holder of y) opens them', async () => {
  const { record: post } = await alicePost('bike');
  const answerAddress = encodeAddress({ id: createAnonymousId(bob.k, random), key: generateX25519(random).publicRaw });
  const reply = await createReply({ post, text: 'I want it', answerAddress, now: NOW + 1000, anonymityKey: bob.k, random });
  assert.equal(reply.postId, post.id);
  assert.equal(isOwnAnonymousId(reply.replierId, bob.k), true);
  assert.deepEqual(decodeReply(reply.bytes), reply);
  assert.deepEqual(acceptReply(reply.bytes, post, NOW + 2000), reply);
  assert.deepEqual(await openReply(reply, alice.y), { text: 'I want it', answerAddress });
  // Another member's y, the replier's own y, and the board's Q key cannot open it.
  await assert.rejects(openReply(reply, bob.y), code('BOARD_NOT_MINE'));
  await assert.rejects(openReply(reply, member().y), code('BOARD_NOT_MINE'));
  await assert.rejects(openReply(reply, board.sealKey), code('BOARD_NOT_MINE'));
});

test('a reply whose copies differ from the stored post is BOARD_REPLY_MISMATCH; an expired post takes none', async () => {
  const { record: a } = await alicePost('a');
  const { record: b } = await alicePost('b');
  const reply = await createReply({ post: a, text: 'hi', now: NOW, anonymityKey: bob.k, random });
  assert.throws(() => acceptReply(reply.bytes, b, NOW), code('BOARD_REPLY_MISMATCH'));
  // Same id, but another post's anon_id or sealed_x (a stored post the board was tricked into).
  assert.throws(() => acceptReply(reply.bytes, { ...a, anonId: b.anonId }, NOW), code('BOARD_REPLY_MISMATCH'));
  assert.throws(() => acceptReply(reply.bytes, { ...a, sealedX: b.sealedX }, NOW), code('BOARD_REPLY_MISMATCH'));
  assert.throws(() => acceptReply(reply.bytes, a, a.expires), code('BOARD_EXPIRED'));
  assert.throws(() => acceptReply(reply.bytes, a, NOW - 5 * 60_000 - 1), code('BOARD_FUTURE'));
});

test('a bit flipped in any byte of a reply is refused by the board or by the poster', async () => {
  const { record: post } = await alicePost('flip');
  const reply = await createReply({ post, text: 'r', now: NOW, anonymityKey: bob.k, random });
  for (let i = 0; i < reply.bytes.length; i++) {
    const bad = Uint8Array.from(reply.bytes);
    bad[i]! ^= 1 << (i % 8);
    assert.throws(() => acceptReply(bad, post, NOW), (e: unknown) => e instanceof TokumeiError && e.code.startsWith('BOARD_'), `byte ${i}`);
  }
  // A replica that re-signs nothing cannot alter a stored reply unseen: the poster checks too.
  const tampered = decodeReply(reply.bytes);
  tampered.bytes[tampered.bytes.length - 1]! ^= 1;
  await assert.rejects(openReply(tampered, alice.y), code('BOARD_BAD_SIGNATURE'));
});

test('reservations round-trip and are checked like searches', () => {
  const notifyAddress = encodeAddress({ id: createAnonymousId(bob.k, random), key: generateX25519(random).publicRaw });
  const base = { notifyAddress, query: 'bike kyoto', fields: [{ key: 'city', value: 'kyoto' }], ttlSeconds: DAY, now: NOW, anonymityKey: bob.k, random };
  const r = createReservation(base);
  assert.deepEqual(decodeReservation(r.bytes), r);
  assert.deepEqual(acceptReservation(r.bytes, NOW), r);
  assert.equal(r.expires, NOW + DAY * 1000);
  assert.ok(createReservation({ ...base, query: '', fields: [{ key: 'city', value: 'x' }] }));
  assert.ok(createReservation({ ...base, fields: [] }));
  assert.throws(() => createReservation({ ...base, query: '!!', fields: [] }), code('BOARD_BAD_QUERY'));
  assert.throws(() => createReservation({ ...base, query: 'a\u202eb' }), code('BOARD_BAD_QUERY'));
  assert.throws(() => createReservation({ ...base, notifyAddress: 'tkb1x' }), code('BOARD_BAD_RECORD'));
  assert.throws(() => createReservation({ ...base, ttlSeconds: 7 * DAY + 1 }), code('BOARD_TTL'));
  assert.throws(() => acceptReservation(r.bytes, NOW + DAY * 1000), code('BOARD_EXPIRED'));
  assert.throws(() => acceptReservation(r.bytes, NOW - 5 * 60_000 - 1), code('BOARD_FUTURE'));
  for (let i = 0; i < r.bytes.length; i++) {
    const bad = Uint8Array.from(r.bytes);
    bad[i]! ^= 1 << (i % 8);
    assert.throws(() => acceptReservation(bad, NOW), (e: unknown) => e instanceof TokumeiError && e.code.startsWith('BOARD_'), `byte ${i}`);
  }
});

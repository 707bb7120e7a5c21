import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateX25519 } from '../../src/crypto/x25519.js';
import { isTokumeiError } from '../../src/errors.js';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import { acceptSession, decodeChunkFrame, encodeChunkFrame, openChunk, openSession, sealChunk } from '../../src/routing/end-to-end/e2e.js';
import { CHUNK_FRAME_OVERHEAD_MAX, MAX_CHUNK_BYTES, MAX_MESSAGE_SIZE, type Chunk } from '../../src/routing/end-to-end/e2e-limits.js';
import { Chunker } from '../../src/routing/end-to-end/chunker.js';
import { MessageReassembler } from '../../src/routing/end-to-end/message-reassembler.js';
import { MAX_RELAY_DATA } from '../../src/routing/formats/relay-body.js';

const random = new SeededRandom(9, 'e2e');
const is = (code: string) => (e: unknown): boolean => isTokumeiError(e, code);

test('sender and destination derive the same two keys', () => {
  const address = generateX25519(random);
  const s = openSession(address.publicRaw, random);
  const d = acceptSession(address.privateKey, s.sessionId, s.ephemeralPublic);
  assert.deepEqual(d, s.keys);
  assert.notDeepEqual(s.keys.toDest, s.keys.toSender);
  assert.notDeepEqual(acceptSession(generateX25519(random).privateKey, s.sessionId, s.ephemeralPublic), s.keys);
});

test('a chunk frame fits one relay DATA cell, e_pub included', () => {
  const address = generateX25519(random);
  const s = openSession(address.publicRaw, random);
  const chunk = { msgNo: 0, total: 5000, offset: 0, bytes: random.bytes(MAX_CHUNK_BYTES) };
  const frame = encodeChunkFrame({ sessionId: s.sessionId, ephemeralPublic: s.ephemeralPublic, sealed: sealChunk(s.keys.toDest, chunk) });
  assert.equal(frame.length, MAX_RELAY_DATA);
  assert.equal(MAX_CHUNK_BYTES + CHUNK_FRAME_OVERHEAD_MAX, MAX_RELAY_DATA);
  const f = decodeChunkFrame(frame);
  assert.deepEqual(f.ephemeralPublic, s.ephemeralPublic);
  const keys = acceptSession(address.privateKey, f.sessionId, f.ephemeralPublic!);
  assert.deepEqual(openChunk(keys.toDest, f.sealed, 0), chunk);
  const later = decodeChunkFrame(encodeChunkFrame({ sessionId: s.sessionId, sealed: sealChunk(s.keys.toDest, chunk) }));
  assert.equal(later.ephemeralPublic, undefined);
  const badFlags = frame.slice();
  badFlags[16] = 3;
  assert.throws(() => decodeChunkFrame(badFlags), is('WIRE_INVALID'));
  assert.throws(() => decodeChunkFrame(frame.subarray(0, 40)), is('WIRE_TRUNCATED'));
});

test('tampered chunks, a wrong key, a wrong direction or another message are refused', () => {
  const key = random.bytes(32);
  const chunk = { msgNo: 7, total: 100, offset: 40, bytes: random.bytes(60) };
  const sealed = sealChunk(key, chunk);
  assert.deepEqual(openChunk(key, sealed, 7), chunk);
  for (let at = 0; at < sealed.length; at += 7) {
    const bad = sealed.slice();
    bad[at]! ^= 1;
    assert.throws(() => openChunk(key, bad), (e: unknown) => isTokumeiError(e) && ['E2E_CHUNK_AUTH', 'WIRE_INVALID', 'WIRE_TOO_LARGE'].includes(e.code), `byte ${at}`);
  }
  assert.throws(() => openChunk(random.bytes(32), sealed), is('E2E_CHUNK_AUTH'));
  assert.throws(() => openChunk(key, sealed, 7, 'to-sender'), is('E2E_CHUNK_AUTH'));
  assert.throws(() => openChunk(key, sealed, 8), is('E2E_CHUNK_MISMATCH'));
  assert.throws(() => openChunk(key, sealed.subarray(0, 20)), is('WIRE_TRUNCATED'));
  assert.deepEqual(openChunk(key, sealChunk(key, chunk, 'to-sender'), 7, 'to-sender'), chunk);
});

test('the two directions never share a nonce, even under one key', () => {
  const key = random.bytes(32);
  const chunk = { msgNo: 1, total: 10, offset: 0, bytes: new Uint8Array(10) };
  const a = sealChunk(key, chunk, 'to-dest');
  const b = sealChunk(key, chunk, 'to-sender');
  // Equal plaintext under equal (key, nonce) would give equal ciphertext.
  assert.notDeepEqual(a.subarray(12, 22), b.subarray(12, 22));
});

test('chunker and reassembler: out of order, with duplicates, gives each message once', () => {
  const message = random.bytes(5000);
  const chunker = new Chunker(0, message);
  assert.equal(chunker.count, Math.ceil(5000 / MAX_CHUNK_BYTES));
  const chunks: Chunk[] = [...chunker];
  const r = new MessageReassembler();
  const order = [3, 0, 5, 0, 3, 1, 2, 4]; // duplicates of 0 and 3
  let whole: Uint8Array | undefined;
  for (const [i, idx] of order.entries()) {
    const out = r.add(chunks[idx]!);
    if (i < order.length - 1) assert.equal(out, undefined);
    else whole = out;
  }
  assert.deepEqual(whole, message);
  assert.equal(r.isDelivered(0), true);
  assert.equal(r.add(chunks[2]!), undefined); // late duplicate of a delivered message
  assert.equal(r.pending, 0);
  assert.equal(r.bufferedBytes, 0);
});

test('messages complete independently; re-cut chunks and empty messages work', () => {
  const r = new MessageReassembler();
  const m1 = random.bytes(3000);
  const m2 = random.bytes(2000);
  const c1 = [...new Chunker(1, m1, 1000)];
  const c2 = [...new Chunker(2, m2, 700)];
  assert.equal(r.add(c1[0]!), undefined);
  assert.equal(r.add(c2[0]!), undefined);
  assert.equal(r.add(c2[1]!), undefined);
  assert.deepEqual(r.add(c2[2]!), m2);
  assert.equal(r.isDelivered(2), true);
  assert.equal(r.isDelivered(1), false);
  // A retransmission cut differently (e.g. over multicast) overlaps and still completes message 1.
  const recut = [...new Chunker(1, m1, 1500)];
  assert.equal(r.add(recut[0]!), undefined);
  assert.deepEqual(r.add(recut[1]!), m1);
  assert.deepEqual(r.add([...new Chunker(0, new Uint8Array(0))][0]!), new Uint8Array(0));
  assert.equal(r.isDelivered(0) && r.isDelivered(1) && r.isDelivered(2), true);
});

test('a shuffled message of many small chunks, each sent twice, arrives once and whole', () => {
  const message = random.bytes(3000);
  const chunks = [...new Chunker(4, message, 7), ...new Chunker(4, message, 7)];
  for (let i = chunks.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [chunks[i], chunks[j]] = [chunks[j]!, chunks[i]!];
  }
  const r = new MessageReassembler({ firstMsgNo: 4 });
  const outs = chunks.map((c) => r.add(c)).filter((x) => x !== undefined);
  assert.equal(outs.length, 1);
  assert.deepEqual(outs[0], message);
});

test('oversize and over-bound input is refused', () => {
  assert.throws(() => new Chunker(0, new Uint8Array(MAX_MESSAGE_SIZE + 1)), is('E2E_MESSAGE_TOO_LARGE'));
  const key = random.bytes(32);
  assert.throws(() => sealChunk(key, { msgNo: 0, total: MAX_MESSAGE_SIZE + 1, offset: 0, bytes: new Uint8Array(1) }), is('CRYPTO_BAD_ARGUMENT'));
  assert.throws(() => sealChunk(key, { msgNo: 0, total: 5, offset: 3, bytes: new Uint8Array(3) }), is('CRYPTO_BAD_ARGUMENT'));

  const r = new MessageReassembler({ maxConcurrent: 2, maxBufferedBytes: 10_000, maxMessageBytes: 8_000, window: 10 });
  const part = (msgNo: number, total: number): Chunk => ({ msgNo, total, offset: 0, bytes: new Uint8Array(1) });
  assert.throws(() => r.add(part(0, 8_001)), is('E2E_MESSAGE_TOO_LARGE'));
  assert.throws(() => r.add(part(10, 2)), is('E2E_OUT_OF_WINDOW'));
  r.add(part(0, 6_000));
  assert.throws(() => r.add(part(1, 6_000)), is('E2E_BUFFER_FULL'));
  r.add(part(1, 100));
  assert.throws(() => r.add(part(2, 100)), is('E2E_TOO_MANY_MESSAGES'));
  assert.throws(() => r.add({ msgNo: 1, total: 101, offset: 0, bytes: new Uint8Array(1) }), is('E2E_CHUNK_INVALID'));
  assert.throws(() => r.add({ msgNo: 1, total: 100, offset: 99, bytes: new Uint8Array(2) }), is('E2E_CHUNK_INVALID'));
  assert.equal(r.pending, 2);
  assert.equal(r.bufferedBytes, 6_100);
});

test('16 MiB messages are accepted whole', () => {
  const message = new Uint8Array(MAX_MESSAGE_SIZE);
  message[MAX_MESSAGE_SIZE - 1] = 9;
  const r = new MessageReassembler();
  let out: Uint8Array | undefined;
  for (const c of new Chunker(0, message, 0xffff)) out = r.add(c);
  assert.equal(out?.length, MAX_MESSAGE_SIZE);
  assert.equal(out?.[MAX_MESSAGE_SIZE - 1], 9);
});

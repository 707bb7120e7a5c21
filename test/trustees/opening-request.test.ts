import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toBase64, toHex } from '../../src/crypto/bytes.js';
import { randomScalar } from '../../src/crypto/ristretto.js';
import { ed25519RawPublicKey, generateSigningKeyPair } from '../../src/crypto/signing.js';
import { createAnonymousId } from '../../src/anonymous-id/anonymous-id.js';
import {
  checkAuthority,
  checkRequestTime,
  createOpeningRequest,
  decodeOpeningRequest,
  encodeOpeningRequest,
  openingRequestHash,
  parseAuthorityList,
  verifyOpeningRequest,
  type OpeningRequest,
} from '../../src/trustees/opening-request.js';
import { is, NOW } from './fixture.js';

const key = generateSigningKeyPair('ed25519').privateKey;
const keyHex = toHex(ed25519RawPublicKey(key));
const anonId = createAnonymousId(randomScalar());
const make = (over: Partial<{ reason: string; authority: string; anonId: Uint8Array }> = {}) =>
  createOpeningRequest({ anonId, authority: 'Health Authority', reason: 'court order 17', authorityKey: key, now: NOW, ...over });

test('a request encodes canonically, decodes back and verifies; its hash covers every field', () => {
  const r = make();
  const text = encodeOpeningRequest(r);
  assert.equal(text.startsWith('{"format":"tokumei-opening-request/1","requestId":"'), true);
  assert.deepEqual(verifyOpeningRequest(text), r);
  assert.equal(r.anonId, toHex(anonId));
  assert.equal(r.authorityKey, keyHex);
  assert.equal(openingRequestHash(r).length, 32);
  assert.notDeepEqual(openingRequestHash(make()), openingRequestHash(r)); // fresh requestId
  // Multi-byte text at the limits.
  assert.equal(make({ reason: '€'.repeat(341) + 'a' }).reason.length, 342); // 1024 bytes
  assert.equal(make({ authority: 'é'.repeat(64) }).authority.length, 64); // 128 bytes
});

test('tampered, unsigned, re-signed-by-another or non-canonical requests are refused', () => {
  const r = make();
  const o = JSON.parse(encodeOpeningRequest(r)) as Record<string, unknown>;
  assert.throws(() => verifyOpeningRequest({ ...o, reason: 'curiosity' }), is('OPENING_BAD_SIGNATURE'));
  assert.throws(() => verifyOpeningRequest({ ...o, requestedAt: NOW + 1 }), is('OPENING_BAD_SIGNATURE'));
  assert.throws(() => verifyOpeningRequest({ ...o, anonId: toHex(createAnonymousId(randomScalar())) }), is('OPENING_BAD_SIGNATURE'));
  assert.throws(() => verifyOpeningRequest({ ...o, signature: toBase64(new Uint8Array(64)) }), is('OPENING_BAD_SIGNATURE'));
  const other = generateSigningKeyPair('ed25519').privateKey;
  assert.throws(() => verifyOpeningRequest({ ...o, authorityKey: toHex(ed25519RawPublicKey(other)) }), is('OPENING_BAD_SIGNATURE'));
  const { signature: _, ...unsigned } = o;
  assert.throws(() => verifyOpeningRequest(unsigned), is('OPENING_BAD_REQUEST'));
  assert.throws(() => verifyOpeningRequest({ ...o, signature: '' }), is('OPENING_BAD_REQUEST'));
  assert.throws(() => verifyOpeningRequest({ ...o, extra: 1 }), is('OPENING_BAD_REQUEST'));
  const text = encodeOpeningRequest(r);
  assert.throws(() => verifyOpeningRequest(JSON.stringify(o, null, 1)), is('OPENING_BAD_REQUEST')); // white space
  const { format, ...rest } = o;
  assert.throws(() => verifyOpeningRequest(JSON.stringify({ ...rest, format })), is('OPENING_BAD_REQUEST')); // key order
  assert.throws(() => verifyOpeningRequest(text.replace('court', '\\u0063ourt')), is('OPENING_BAD_REQUEST')); // needless escape
  for (const junk of ['', 'null', '[]', '{}', text + ' ', 'x'.repeat(10_000)]) assert.throws(() => verifyOpeningRequest(junk), is('OPENING_BAD_REQUEST'));
});

test('text rules: no control characters, well-formed, bounded; the ID must be a real anonymous ID', () => {
  for (const reason of ['line\nbreak', 'tab\there', 'nel\u0085', 'del\u007f', 'lone \ud800 surrogate', '', '€'.repeat(342)]) {
    assert.throws(() => make({ reason }), is('OPENING_BAD_REQUEST'), JSON.stringify(reason));
  }
  assert.throws(() => make({ authority: 'a'.repeat(129) }), is('OPENING_BAD_REQUEST'));
  assert.throws(() => make({ authority: '' }), is('OPENING_BAD_REQUEST'));
  assert.throws(() => make({ anonId: new Uint8Array(64) }), is('OPENING_BAD_REQUEST')); // R = identity
  assert.throws(() => make({ anonId: new Uint8Array(64).fill(0xff) }), is('OPENING_BAD_REQUEST'));
  assert.throws(() => make({ anonId: anonId.subarray(0, 32) }), is('OPENING_BAD_REQUEST'));
  assert.equal(make({ reason: 'emoji 🚑 and 日本語 are fine' }).reason, 'emoji 🚑 and 日本語 are fine');
});

test('authority policy, request age and the authorities list', () => {
  const r: OpeningRequest = make();
  const list = parseAuthorityList(JSON.stringify({ format: 'tokumei-authorities/1', authorities: [{ name: 'Health Authority', signingPublicKey: keyHex }] }));
  checkAuthority(r, list);
  assert.throws(() => checkAuthority(r, []), is('OPENING_AUTHORITY_REFUSED'));
  assert.throws(() => checkAuthority(r, [{ name: 'Other', signingPublicKey: keyHex }]), is('OPENING_AUTHORITY_REFUSED')); // right key, wrong name
  assert.throws(() => checkAuthority(r, [{ name: 'Health Authority', signingPublicKey: toHex(ed25519RawPublicKey(generateSigningKeyPair('ed25519').privateKey)) }]), is('OPENING_AUTHORITY_REFUSED'));
  checkRequestTime(r, NOW + 6 * 86_400_000);
  checkRequestTime(r, NOW - 60_000);
  assert.throws(() => checkRequestTime(r, NOW + 8 * 86_400_000), is('OPENING_REQUEST_STALE'));
  assert.throws(() => checkRequestTime(r, NOW - 10 * 60_000), is('OPENING_REQUEST_STALE'));
  for (const bad of ['{}', JSON.stringify({ format: 'tokumei-authorities/1', authorities: [{ name: 'x', signingPublicKey: '00' }] }), JSON.stringify({ format: 'tokumei-authorities/1', authorities: [{ name: 'a\nb', signingPublicKey: keyHex }] })]) {
    assert.throws(() => parseAuthorityList(bad), is('OPENING_BAD_AUTHORITIES'));
  }
  assert.deepEqual(decodeOpeningRequest(encodeOpeningRequest(r)), r);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTokumeiError } from '../../src/errors.js';
import { Reader, Writer } from '../../src/wire/codec.js';

test('bytes32 and string16 round-trip', () => {
  const blob = new Uint8Array(70_000).fill(7);
  const bytes = new Writer().bytes32(blob).string16('héllo wörld').bytes32(new Uint8Array(0)).finish();
  const r = new Reader(bytes);
  assert.deepEqual(r.bytes32('blob', 70_000), blob);
  assert.equal(r.string16(), 'héllo wörld');
  assert.equal(r.bytes32().length, 0);
  r.end();
});

test('bytes32 refuses a length above its bound before taking anything, and a truncated body', () => {
  const bytes = new Writer().bytes32(new Uint8Array(100)).finish();
  assert.throws(() => new Reader(bytes).bytes32('x', 99), (e) => isTokumeiError(e, 'WIRE_TOO_LARGE'));
  assert.throws(() => new Reader(bytes.subarray(0, 50)).bytes32('x'), (e) => isTokumeiError(e, 'WIRE_TRUNCATED'));
  // A length of 4 GiB - 1 over a short buffer is truncated, not an allocation.
  assert.throws(() => new Reader(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 1)).bytes32('x'), (e) => isTokumeiError(e, 'WIRE_TRUNCATED'));
});

test('string16 refuses invalid UTF-8 and control characters', () => {
  assert.throws(() => new Reader(Uint8Array.of(0, 2, 0xc3, 0x28)).string16(), (e) => isTokumeiError(e, 'WIRE_INVALID'));
  assert.throws(() => new Reader(Uint8Array.of(0, 1, 0x07)).string16(), (e) => isTokumeiError(e, 'WIRE_INVALID'));
  assert.throws(() => new Writer().string16('x'.repeat(70_000)), (e) => isTokumeiError(e, 'WIRE_RANGE'));
});

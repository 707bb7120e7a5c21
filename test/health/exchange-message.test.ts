import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeExchange, encodeExchange, expectOk, MAX_EXCHANGE_BYTES, type ExchangeMessage } from '../../src/health/formats/exchange-message.js';
import { BOX_MAX_BYTES } from '../../src/health/formats/letter-seal.js';
import { encodeAddress } from '../../src/routing/formats/one-time-address.js';
import { is } from './helpers.js';

const ADDRESS = encodeAddress({ id: new Uint8Array(64).fill(3), key: new Uint8Array(32).fill(4) });
const ID = '00112233445566778899aabbccddeeff';
const box = (n: number, fill = 7) => new Uint8Array(n).fill(fill);

test('every exchange message round-trips', () => {
  const messages: ExchangeMessage[] = [
    { type: 'proposal', clinicAddress: ADDRESS, proposal: new TextEncoder().encode('{"format":"tokumei-health-proposal/1"}') },
    { type: 'clinic-letter', proposalId: ID, box: box(300) },
    { type: 'letter-request', proposalId: ID },
    { type: 'member-letter', proposalId: ID, letterBox: box(400, 1), dataBox: box(120, 2) },
    { type: 'ok' },
    { type: 'ok', box: box(90) },
    { type: 'error', code: 'HEALTH_NO_SUCH_PROPOSAL', message: 'no proposal — sorry' },
  ];
  for (const m of messages) assert.deepEqual(decodeExchange(encodeExchange(m)), m);
  assert.equal(encodeExchange({ type: 'letter-request', proposalId: ID }).length, 4 + 2 + 16);
  assert.ok(MAX_EXCHANGE_BYTES >= encodeExchange({ type: 'member-letter', proposalId: ID, letterBox: box(BOX_MAX_BYTES), dataBox: box(BOX_MAX_BYTES) }).length);
});

test('errors are made safe to send: a bad code becomes a generic one, the message one line', () => {
  const m = decodeExchange(encodeExchange({ type: 'error', code: 'not a code', message: 'line one\nline two\u0000' + 'x'.repeat(3000) }));
  assert.equal(m.type, 'error');
  if (m.type !== 'error') return;
  assert.equal(m.code, 'HEALTH_EXCHANGE_FAILED');
  assert.ok(!/[\n\u0000]/.test(m.message));
  assert.ok(Buffer.byteLength(m.message) <= 1024);
});

test('malformed messages are HEALTH_BAD_EXCHANGE', () => {
  const good = encodeExchange({ type: 'member-letter', proposalId: ID, letterBox: box(10), dataBox: box(10) });
  const bad: Uint8Array[] = [
    new Uint8Array(0),
    Uint8Array.from(Buffer.from('TKHX')),
    Uint8Array.from([...Buffer.from('TKHY'), 1, 3, ...new Array(16).fill(0)]),
    Uint8Array.from([...Buffer.from('TKHX'), 2, 3, ...new Array(16).fill(0)]),
    Uint8Array.from([...Buffer.from('TKHX'), 1, 99]),
    Uint8Array.from([...Buffer.from('TKHX'), 1, 3, ...new Array(15).fill(0)]),
    Uint8Array.from([...Buffer.from('TKHX'), 1, 3, ...new Array(17).fill(0)]),
    Uint8Array.from([...Buffer.from('TKHX'), 1, 16, 2]),
    Uint8Array.from([...Buffer.from('TKHX'), 1, 1, 3, ...Buffer.from('tk1'), 0, 0]),
    Uint8Array.from([...Buffer.from('TKHX'), 1, 17, 3, ...Buffer.from('bad'), 0, 0]),
    good.subarray(0, good.length - 1),
    Uint8Array.from([...good, 0]),
    new Uint8Array(MAX_EXCHANGE_BYTES + 1),
  ];
  for (const b of bad) assert.throws(() => decodeExchange(b), is('HEALTH_BAD_EXCHANGE'), Buffer.from(b.subarray(0, 24)).toString('hex'));
  // A box length above the bound is refused before anything is taken.
  const huge = Uint8Array.from([...Buffer.from('TKHX'), 1, 2, ...new Array(16).fill(0), 0xff, 0xff, 0xff, 0xff]);
  assert.throws(() => decodeExchange(huge), is('HEALTH_BAD_EXCHANGE'));
});

test('expectOk: OK passes its box, ERROR becomes the peer\'s code, anything else is refused', () => {
  assert.deepEqual(expectOk(encodeExchange({ type: 'ok' }), 'x'), {});
  assert.deepEqual(expectOk(encodeExchange({ type: 'ok', box: box(5) }), 'x'), { box: box(5) });
  assert.throws(() => expectOk(encodeExchange({ type: 'error', code: 'HEALTH_LETTER_NOT_READY', message: 'later' }), 'x'), is('HEALTH_LETTER_NOT_READY'));
  assert.throws(() => expectOk(encodeExchange({ type: 'letter-request', proposalId: ID }), 'x'), is('HEALTH_BAD_EXCHANGE'));
});

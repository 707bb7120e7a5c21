import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aeadSeal } from '../../src/crypto/aead.js';
import { isTokumeiError } from '../../src/errors.js';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import { counterNonce } from '../../src/crypto/chacha20.js';
import { decodeRelayBody, encodeRelayBody, MAX_RELAY_DATA, RELAY_BODY, RelayCommand } from '../../src/routing/formats/relay-body.js';
import { OnionProxyCrypto, RELAY_PAYLOAD, RelayHopCrypto } from '../../src/routing/formats/relay-crypto.js';
import type { HopKeys } from '../../src/routing/formats/sphinx.js';

const random = new SeededRandom(8, 'relay-crypto');

function hopKeys(): HopKeys {
  return { mac: random.bytes(32), stream: random.bytes(32), kf: random.bytes(32), kb: random.bytes(32), kfAuth: random.bytes(32), kbAuth: random.bytes(32) };
}

/** An OP and n relays sharing keys; `send` carries a forward cell until some hop opens it. */
function circuit(n: number): { op: OnionProxyCrypto; relays: RelayHopCrypto[]; keys: HopKeys[] } {
  const keys = Array.from({ length: n }, hopKeys);
  return { op: new OnionProxyCrypto(keys), relays: keys.map((k) => new RelayHopCrypto(k)), keys };
}

function carryForward(relays: RelayHopCrypto[], payload: Uint8Array): { hop: number; body: Uint8Array } | undefined {
  let p = payload;
  for (const [i, r] of relays.entries()) {
    const out = r.forward(p);
    assert.equal(out.payload.length, RELAY_PAYLOAD);
    if (out.body) return { hop: i, body: out.body };
    p = out.payload;
  }
  return undefined;
}

function carryBackward(relays: RelayHopCrypto[], from: number, body: Uint8Array): Uint8Array {
  let p = relays[from]!.originateBackward(body);
  for (let j = from - 1; j >= 0; j--) p = relays[j]!.backward(p);
  return p;
}

function body(text: string): Uint8Array {
  return encodeRelayBody(RelayCommand.DATA, new TextEncoder().encode(text));
}

test('OP ↔ 5 relays: forward to each target and backward from each hop, counters in step', () => {
  const { op, relays } = circuit(5);
  assert.equal(op.hopCount, 5);
  for (let round = 0; round < 40; round++) {
    const target = (round * 3) % 5;
    const b = body(`to ${target} #${round}`);
    assert.deepEqual(carryForward(relays, op.sealForward(target, b)), { hop: target, body: b });
    const from = (round * 7) % 5;
    const back = body(`from ${from} #${round}`);
    assert.deepEqual(op.openBackward(carryBackward(relays, from, back)), { hop: from, body: back });
  }
});

test('a tampered cell opens nowhere, forward or backward, and leaves the circuit out of step', () => {
  const { op, relays } = circuit(5);
  const cell = op.sealForward(4, body('x'));
  cell[500]! ^= 1;
  assert.equal(carryForward(relays, cell), undefined);
  const { op: op2, relays: relays2 } = circuit(5);
  const back = carryBackward(relays2, 3, body('y'));
  back[0]! ^= 0x80;
  assert.equal(op2.openBackward(back), undefined);
  // Hops 0..3 advanced their counters for the lost cell, the OP could not: from here on this
  // circuit is out of step and must be replaced (docs/protocol.md §6.6).
  assert.equal(op2.openBackward(carryBackward(relays2, 3, body('z'))), undefined);
});

test('cells are bound to their position in the stream (no reorder, no replay)', () => {
  const { op, relays } = circuit(3);
  const first = op.sealForward(2, body('1'));
  const second = op.sealForward(2, body('2'));
  assert.equal(carryForward(relays, second), undefined); // out of order: opens nowhere
  const { op: op2, relays: relays2 } = circuit(3);
  const c = op2.sealForward(0, body('once'));
  assert.ok(carryForward(relays2, c));
  assert.equal(carryForward(relays2, c), undefined); // replayed
  assert.ok(first.length === RELAY_PAYLOAD);
});

test('replaceSuffix after a switch at hop 1: old prefix keeps its counters, new suffix starts at 0', () => {
  const { op, relays } = circuit(4);
  for (let i = 0; i < 5; i++) {
    assert.ok(carryForward(relays, op.sealForward(3, body(`old ${i}`))));
    assert.ok(op.openBackward(carryBackward(relays, 3, body(`old back ${i}`))));
  }
  const fresh = [hopKeys(), hopKeys(), hopKeys()];
  op.replaceSuffix(1, fresh);
  assert.equal(op.hopCount, 5);
  const route = [relays[0]!, relays[1]!, ...fresh.map((k) => new RelayHopCrypto(k))];
  for (let i = 0; i < 10; i++) {
    const t = i % 5;
    const b = body(`new ${i}`);
    assert.deepEqual(carryForward(route, op.sealForward(t, b)), { hop: t, body: b });
    assert.deepEqual(op.openBackward(carryBackward(route, t, b)), { hop: t, body: b });
  }
  assert.throws(() => op.replaceSuffix(5, []), (e: unknown) => isTokumeiError(e, 'CRYPTO_BAD_ARGUMENT'));
  assert.throws(() => op.sealForward(5, body('')), (e: unknown) => isTokumeiError(e, 'CRYPTO_BAD_ARGUMENT'));
  op.replaceSuffix(-1, [hopKeys()]);
  assert.equal(op.hopCount, 1);
});

test('relay bodies: encode/decode, and every malformed body is a WIRE_* error', () => {
  const data = random.bytes(MAX_RELAY_DATA);
  const b = encodeRelayBody(RelayCommand.ALTERNATIVE, data);
  assert.equal(b.length, RELAY_BODY);
  assert.deepEqual(decodeRelayBody(b), { cmd: RelayCommand.ALTERNATIVE, data });
  assert.deepEqual(decodeRelayBody(encodeRelayBody(RelayCommand.RESUME, new Uint8Array(0))), { cmd: 5, data: new Uint8Array(0) });
  assert.throws(() => encodeRelayBody(RelayCommand.DATA, new Uint8Array(MAX_RELAY_DATA + 1)), (e: unknown) => isTokumeiError(e, 'RELAY_TOO_LARGE'));
  assert.throws(() => encodeRelayBody(99, new Uint8Array(0)), (e: unknown) => isTokumeiError(e, 'RELAY_BAD_COMMAND'));
  const wire = (code: string) => (e: unknown): boolean => isTokumeiError(e, code);
  assert.throws(() => decodeRelayBody(b.subarray(1)), wire('WIRE_TRUNCATED'));
  const unknown = body('a');
  unknown[0] = 0;
  assert.throws(() => decodeRelayBody(unknown), wire('WIRE_INVALID'));
  const long = body('a');
  long[1] = 0xff;
  assert.throws(() => decodeRelayBody(long), wire('WIRE_TOO_LARGE'));
  const padded = body('a');
  padded[999] = 1;
  assert.throws(() => decodeRelayBody(padded), wire('WIRE_INVALID'));
});

test('rate: cells through one relay vs raw ChaCha20-Poly1305 on the same payload', () => {
  const N = 20_000;
  const { op, relays } = circuit(2);
  const cells = Array.from({ length: N }, () => op.sealForward(1, body('bench')));
  let t = performance.now();
  for (const c of cells) relays[0]!.forward(c); // a middle relay: XOR, failed trial open
  const relayRate = N / ((performance.now() - t) / 1000);
  const key = random.bytes(32);
  const plain = random.bytes(RELAY_BODY);
  t = performance.now();
  for (let i = 0; i < N; i++) aeadSeal(key, counterNonce(i), plain);
  const aeadRate = N / ((performance.now() - t) / 1000);
  console.log(`# relay cells: ${Math.round(relayRate)}/s through one relay, raw AEAD ${Math.round(aeadRate)}/s, ratio ${(relayRate / aeadRate).toFixed(2)}`);
  assert.ok(relayRate > 0);
});

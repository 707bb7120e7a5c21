import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../../src/crypto/bytes.js';
import { isTokumeiError } from '../../src/errors.js';
import { serialHex } from '../../src/identity/x509.js';
import { randomSerial } from '../../src/identity/serial.js';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import { serialFromBytes, serialToBytes } from '../../src/routing/formats/serial-bytes.js';

test('serials round-trip as the passport office prints them', () => {
  const random = new SeededRandom(3, 'serial');
  for (let i = 0; i < 50; i++) {
    const raw = randomSerial(random);
    const hex = serialHex(raw);
    const b = serialToBytes(hex);
    assert.equal(b.length, 16);
    assert.equal(serialFromBytes(b), hex);
  }
  assert.equal(toHex(serialToBytes('0a')), '0000000000000000000000000000000a');
  assert.equal(serialFromBytes(serialToBytes('0a')), serialHex(Uint8Array.of(0, 0, 0x0a)));
  assert.equal(serialFromBytes(new Uint8Array(16)), '00');
  assert.equal(serialFromBytes(serialToBytes('ff'.repeat(16))), 'ff'.repeat(16));
});

test('malformed serials are SERIAL_INVALID', () => {
  for (const bad of ['', 'a', 'AB', '00ab', 'zz', 'ab'.repeat(17), ' ab']) {
    assert.throws(() => serialToBytes(bad), (e: unknown) => isTokumeiError(e, 'SERIAL_INVALID'), bad);
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import { RETURN_PATH_LAYER, RETURN_PATH_SIZE, ReturnPathKeys, unwrapReturnPath, wrapReturnPath } from '../../src/routing/formats/return-path.js';

const random = new SeededRandom(5, 'return-path');
const EPOCH = 2_900_000;
const SEEK = random.bytes(16);

function relays(n: number): { keys: ReturnPathKeys; ref: Uint8Array }[] {
  return Array.from({ length: n }, () => ({ keys: new ReturnPathKeys(random.bytes(32)), ref: random.bytes(16) }));
}

function equalPositions(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) n++;
  return n;
}

test('12 relays wrap, and unwrapping in reverse gives each relay its ref', () => {
  const rs = relays(12);
  let block = random.bytes(RETURN_PATH_SIZE);
  const seen: Uint8Array[] = [block];
  for (const r of rs) {
    block = wrapReturnPath(block, SEEK, r.ref, r.keys, EPOCH, random);
    assert.equal(block.length, RETURN_PATH_SIZE);
    seen.push(block);
  }
  // Successive blocks share no bytes beyond chance (528 random bytes agree in ~2 positions).
  for (let i = 1; i < seen.length; i++) assert.ok(equalPositions(seen[i - 1]!, seen[i]!) < 12);
  for (let i = rs.length - 1; i >= 0; i--) {
    const out = unwrapReturnPath(block, SEEK, rs[i]!.keys, EPOCH, random);
    assert.ok(out, `relay ${i} unwraps`);
    assert.deepEqual(out.ref, rs[i]!.ref);
    assert.equal(out.block.length, RETURN_PATH_SIZE);
    // Another relay cannot unwrap this layer.
    assert.equal(unwrapReturnPath(block, SEEK, rs[(i + 1) % rs.length]!.keys, EPOCH, random), undefined);
    block = out.block;
  }
});

test('a 13th wrap pushes the innermost layer out: that relay cannot unwrap any more', () => {
  const rs = relays(13);
  let block = random.bytes(RETURN_PATH_SIZE);
  for (const r of rs) block = wrapReturnPath(block, SEEK, r.ref, r.keys, EPOCH, random);
  for (let i = 12; i >= 1; i--) {
    const out = unwrapReturnPath(block, SEEK, rs[i]!.keys, EPOCH, random)!;
    assert.deepEqual(out.ref, rs[i]!.ref);
    block = out.block;
  }
  assert.equal(unwrapReturnPath(block, SEEK, rs[0]!.keys, EPOCH, random), undefined);
});

test('a flipped bit in a relay\'s own layer (nonce, mac or ref) is refused', () => {
  const [r] = relays(1);
  const block = wrapReturnPath(random.bytes(RETURN_PATH_SIZE), SEEK, r!.ref, r!.keys, EPOCH, random);
  for (let at = 0; at < RETURN_PATH_LAYER; at++) {
    const bad = block.slice();
    bad[at]! ^= 1 << (at % 8);
    assert.equal(unwrapReturnPath(bad, SEEK, r!.keys, EPOCH, random), undefined, `byte ${at}`);
  }
});

test('the previous epoch still unwraps, older ones do not', () => {
  const [r] = relays(1);
  const block = wrapReturnPath(random.bytes(RETURN_PATH_SIZE), SEEK, r!.ref, r!.keys, EPOCH, random);
  assert.ok(unwrapReturnPath(block, SEEK, r!.keys, EPOCH + 1, random));
  assert.equal(unwrapReturnPath(block, SEEK, r!.keys, EPOCH + 2, random), undefined);
  const keys = r!.keys.keysFor(EPOCH);
  assert.equal(r!.keys.keysFor(EPOCH), keys); // cached
  assert.notDeepEqual(r!.keys.keysFor(EPOCH + 1).enc, keys.enc);
});

test('a layer moved onto another seek\'s route information is refused (the MAC covers the seek id)', () => {
  const [r] = relays(1);
  const block = wrapReturnPath(random.bytes(RETURN_PATH_SIZE), SEEK, r!.ref, r!.keys, EPOCH, random);
  assert.ok(unwrapReturnPath(block, SEEK, r!.keys, EPOCH, random));
  const other = SEEK.slice();
  other[15]! ^= 1;
  assert.equal(unwrapReturnPath(block, other, r!.keys, EPOCH, random), undefined);
});

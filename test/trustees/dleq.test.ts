import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ristretto255 } from '@noble/curves/ed25519.js';
import { fromHex, toHex, utf8 } from '../../src/crypto/bytes.js';
import { BASE_POINT, encodePoint, encodeScalar, GROUP_ORDER, mulBase, randomScalar } from '../../src/crypto/ristretto.js';
import { proveDleq, verifyDleq } from '../../src/trustees/dleq.js';

// Our own vector (§2.7): x fixed, H = 7·G (RFC 9496 §A.1 lists its encoding), hedge bytes 0x42….
const X = fromHex('efcdab8967452301efcdab8967452301efcdab8967452301efcdab8967452301');
const H = fromHex('44f53520926ec81fbd5a387845beb7df85a96a24ece18738bdcfa6a7822a176d');
const CTX = utf8('tokumei test vector 1');
const XG = fromHex('bc58fc211e668aa17e957de5c257755c39b053bddc20f1a4025b667b0897041a');
const XH = fromHex('30db919ffdc148c3a3663a51267714b979804cfbeaa106db49a54b8f03ccac4c');
const PROOF = fromHex('9ad0ce5f44aeda765572582f691d3d22776a4a401fcfeaef13f9d556abde6e07' + '3a0b41f787e35ad39f483c9302e99e9108f4c2680fd5011abdbb2255fd3f4e0f');
const fixedRandom = { bytes: (n: number) => new Uint8Array(n).fill(0x42) };

function le(b: Uint8Array): bigint {
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]!);
  return x;
}

test('DLEQ known-answer vector, re-derived independently of dleq.ts', () => {
  assert.equal(toHex(encodePoint(mulBase(7n))), toHex(H));
  const p = proveDleq(X, H, CTX, fixedRandom);
  assert.equal(toHex(p.xG), toHex(XG));
  assert.equal(toHex(p.xH), toHex(XH));
  assert.equal(toHex(p.proof), toHex(PROOF));
  assert.equal(verifyDleq(H, XG, XH, PROOF, CTX), true);
  // The verification equation and challenge as §2.7 writes them, with noble and node:crypto only.
  const P = ristretto255.Point;
  const c = le(PROOF.subarray(0, 32));
  const s = le(PROOF.subarray(32));
  const t1 = P.BASE.multiply(s).subtract(P.fromBytes(XG).multiply(c));
  const t2 = P.fromBytes(H).multiply(s).subtract(P.fromBytes(XH).multiply(c));
  const digest = createHash('sha512')
    .update('tokumei-dleq/1')
    .update(new Uint8Array([0, CTX.length]))
    .update(CTX)
    .update(P.BASE.toBytes())
    .update(H)
    .update(XG)
    .update(XH)
    .update(t1.toBytes())
    .update(t2.toBytes())
    .digest();
  assert.equal(le(digest) % GROUP_ORDER, c);
  assert.equal(toHex(P.BASE.multiply(le(X)).toBytes()), toHex(XG));
});

test('DLEQ refuses a wrong point, a tampered proof, another context or base', () => {
  assert.equal(verifyDleq(H, XG, encodePoint(mulBase(5n)), PROOF, CTX), false); // wrong partial
  assert.equal(verifyDleq(H, encodePoint(mulBase(5n)), XH, PROOF, CTX), false); // wrong share point
  assert.equal(verifyDleq(encodePoint(mulBase(8n)), XG, XH, PROOF, CTX), false); // other base
  assert.equal(verifyDleq(H, XG, XH, PROOF, utf8('tokumei test vector 2')), false); // replayed elsewhere
  for (let i = 0; i < 64; i += 7) {
    const t = PROOF.slice();
    t[i]! ^= 1;
    assert.equal(verifyDleq(H, XG, XH, t, CTX), false, `flip byte ${i}`);
  }
  // s' + ℓ is the same residue but non-canonical: refused.
  const big = PROOF.slice();
  const sPlusL = le(PROOF.subarray(32)) + GROUP_ORDER;
  assert.ok(sPlusL < 1n << 256n);
  for (let i = 0; i < 32; i++) big[32 + i] = Number((sPlusL >> BigInt(8 * i)) & 0xffn);
  assert.equal(verifyDleq(H, XG, XH, big, CTX), false);
  assert.equal(verifyDleq(H, XG, XH, PROOF.subarray(0, 63), CTX), false);
  assert.equal(verifyDleq(new Uint8Array(32), new Uint8Array(32), new Uint8Array(32), new Uint8Array(64), CTX), false); // H = identity
  assert.equal(verifyDleq(new Uint8Array(32).fill(0xff), XG, XH, PROOF, CTX), false); // H does not decode
  assert.throws(() => proveDleq(X, new Uint8Array(32), CTX));
  assert.throws(() => proveDleq(new Uint8Array(32).fill(0xff), H, CTX)); // x ≥ ℓ
});

test('DLEQ round trips with random statements; a proof for x does not prove x+1', () => {
  for (let i = 0; i < 5; i++) {
    const x = randomScalar();
    const h = encodePoint(mulBase(le(randomScalar())));
    const p = proveDleq(x, h, CTX);
    assert.equal(verifyDleq(h, p.xG, p.xH, p.proof, CTX), true);
    assert.equal(verifyDleq(h, p.xG, encodePoint(BASE_POINT.add(ristretto255.Point.fromBytes(p.xH))), p.proof, CTX), false);
    const other = proveDleq(encodeScalar((le(x) + 1n) % GROUP_ORDER), h, CTX);
    assert.equal(verifyDleq(h, p.xG, other.xH, other.proof, CTX), false); // mixed statement
  }
});

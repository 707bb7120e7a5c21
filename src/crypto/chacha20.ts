/**
 * ChaCha20 keystream XOR (RFC 8439 §2.4) over node:crypto: the unauthenticated layer of the return
 * path (docs/protocol.md §6.2), the setup onion's β (§6.5) and relay cells (§6.6). Node's 16-byte
 * IV is the 32-bit little-endian block counter followed by the 96-bit nonce. Also a ChaCha20-Poly1305
 * open that returns `undefined` instead of throwing: relays try to open every cell (§6.6) and most
 * tries fail by design, so a typed error per cell would be waste.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { AEAD_TAG_LENGTH } from './aead.js';
import { asU8, badArgument, checkBytes } from './bytes.js';

export const CHACHA20_KEY_LENGTH = 32;
export const CHACHA20_NONCE_LENGTH = 12;

/** The all-zero nonce (§6.5: every onion stream key is used once, with nonce 0). */
export const ZERO_NONCE: Uint8Array = new Uint8Array(CHACHA20_NONCE_LENGTH);

/** `data` XOR ChaCha20(key, nonce) starting at `blockCounter` (RFC 8439 §2.4). */
export function chacha20Xor(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, blockCounter = 0): Uint8Array {
  checkBytes('key', key, CHACHA20_KEY_LENGTH);
  checkBytes('nonce', nonce, CHACHA20_NONCE_LENGTH);
  checkBytes('data', data);
  if (!Number.isInteger(blockCounter) || blockCounter < 0 || blockCounter > 0xffff_ffff) badArgument('block counter must be a u32');
  const iv = Buffer.alloc(16);
  iv.writeUInt32LE(blockCounter, 0);
  iv.set(nonce, 4);
  const c = createCipheriv('chacha20', key, iv);
  const out = c.update(data);
  c.final();
  return asU8(out);
}

/** `length` bytes of keystream: ChaCha20(key, nonce) XOR zeros. */
export function chacha20Stream(key: Uint8Array, nonce: Uint8Array, length: number): Uint8Array {
  return chacha20Xor(key, nonce, new Uint8Array(length));
}

/** The 96-bit nonce of a cell counter (§6.6): 4 zero bytes | counter u64 big-endian. */
export function counterNonce(counter: number): Uint8Array {
  if (!Number.isSafeInteger(counter) || counter < 0) badArgument('counter must be a non-negative safe integer');
  const n = new Uint8Array(CHACHA20_NONCE_LENGTH);
  const view = new DataView(n.buffer);
  view.setUint32(4, Math.floor(counter / 0x1_0000_0000));
  view.setUint32(8, counter >>> 0);
  return n;
}

/** a XOR b into a new array (equal lengths). */
export function xorBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== b.length) badArgument('xor of unequal lengths');
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/**
 * ChaCha20-Poly1305 open (RFC 8439 §2.8) that returns `undefined` when the tag does not verify; no
 * unauthenticated plaintext leaves. For trial decryption, where failure is the normal case.
 */
export function tryAeadOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array | undefined {
  checkBytes('key', key, CHACHA20_KEY_LENGTH);
  checkBytes('nonce', nonce, CHACHA20_NONCE_LENGTH);
  checkBytes('sealed', sealed);
  if (sealed.length < AEAD_TAG_LENGTH) return undefined;
  const ctLen = sealed.length - AEAD_TAG_LENGTH;
  const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: AEAD_TAG_LENGTH });
  if (aad) d.setAAD(aad, { plaintextLength: ctLen });
  d.setAuthTag(sealed.subarray(ctLen));
  const out = d.update(sealed.subarray(0, ctLen));
  // A failed final() throws; capturing a stack for an expected failure costs ~20% of a relay's
  // per-cell time, so none is captured (restored before anything else runs).
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    d.final();
  } catch {
    out.fill(0);
    return undefined;
  } finally {
    Error.stackTraceLimit = limit;
  }
  return asU8(out);
}

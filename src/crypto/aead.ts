/**
 * ChaCha20-Poly1305 AEAD (RFC 8439 §2.8) over node:crypto. The output is ciphertext ‖ 16-byte tag.
 * A nonce must never repeat under one key; callers own that (counters or random 96-bit nonces
 * for a few messages per key).
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

import { asU8, badArgument, checkBytes } from './bytes.js';
import { CryptoErrors } from './crypto-errors.js';

export const AEAD_KEY_LENGTH = 32;
export const AEAD_NONCE_LENGTH = 12;
export const AEAD_TAG_LENGTH = 16;

export function aeadSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array = new Uint8Array(0)): Uint8Array {
  checkBytes('key', key, AEAD_KEY_LENGTH);
  checkBytes('nonce', nonce, AEAD_NONCE_LENGTH);
  checkBytes('plaintext', plaintext);
  checkBytes('aad', aad);
  const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: AEAD_TAG_LENGTH });
  c.setAAD(aad, { plaintextLength: plaintext.length });
  const head = c.update(plaintext);
  const tail = c.final();
  const tag = c.getAuthTag();
  const out = new Uint8Array(head.length + tail.length + tag.length);
  out.set(head, 0);
  out.set(tail, head.length);
  out.set(tag, head.length + tail.length);
  return out;
}

/** RFC 8439 §2.8: the tag is checked before any plaintext is released. */
export function aeadOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array = new Uint8Array(0)): Uint8Array {
  checkBytes('key', key, AEAD_KEY_LENGTH);
  checkBytes('nonce', nonce, AEAD_NONCE_LENGTH);
  checkBytes('sealed', sealed);
  checkBytes('aad', aad);
  if (sealed.length < AEAD_TAG_LENGTH) badArgument('sealed message shorter than the tag');
  const ctLen = sealed.length - AEAD_TAG_LENGTH;
  const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: AEAD_TAG_LENGTH });
  d.setAAD(aad, { plaintextLength: ctLen });
  d.setAuthTag(sealed.subarray(ctLen));
  const head = d.update(sealed.subarray(0, ctLen));
  try {
    const tail = d.final();
    return tail.length === 0 ? asU8(head) : asU8(Buffer.concat([head, tail]));
  } catch (e) {
    head.fill(0); // unauthenticated plaintext never leaves
    throw CryptoErrors.AEAD_FAILED('AEAD authentication failed', { cause: e });
  }
}

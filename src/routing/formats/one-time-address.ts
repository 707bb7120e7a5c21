/**
 * One-time addresses (docs/protocol.md §6.1):
 *   "tk1" + base64url( version u8 (1) | ID (64) | X25519 public (32) )     (RFC 4648 §5, no padding)
 */

import { asU8, checkBytes } from '../../crypto/bytes.js';
import { X25519_KEY_LENGTH } from '../../crypto/x25519.js';
import { ANON_ID_LENGTH } from '../../anonymous-id/anonymous-id.js';
import { OverlayErrors } from '../../overlay/overlay-errors.js';

export const ADDRESS_PREFIX = 'tk1';
export const ADDRESS_VERSION = 1;
/** Bytes under the base64url: version, ID, key. */
export const ADDRESS_BYTES = 1 + ANON_ID_LENGTH + X25519_KEY_LENGTH;
/** Characters of an address: prefix + unpadded base64url of 97 bytes. */
export const ADDRESS_TEXT_LENGTH = ADDRESS_PREFIX.length + Math.ceil((ADDRESS_BYTES * 4) / 3);

export interface OneTimeAddress {
  /** The anonymous ID (§6.1), the tag seeks and multicasts carry. */
  id: Uint8Array;
  /** The destination's X25519 public key: the last onion layer and the e2e session key. */
  key: Uint8Array;
}

function invalid(message: string): never {
  throw OverlayErrors.ADDRESS_INVALID(`not a tokumei address: ${message}`);
}

export function encodeAddress(address: OneTimeAddress): string {
  checkBytes('address id', address.id, ANON_ID_LENGTH);
  checkBytes('address key', address.key, X25519_KEY_LENGTH);
  const raw = new Uint8Array(ADDRESS_BYTES);
  raw[0] = ADDRESS_VERSION;
  raw.set(address.id, 1);
  raw.set(address.key, 1 + ANON_ID_LENGTH);
  return ADDRESS_PREFIX + Buffer.from(raw).toString('base64url');
}

/** Strict decode: prefix, alphabet, length, canonical trailing bits, version; else ADDRESS_INVALID. */
export function decodeAddress(text: string): OneTimeAddress {
  if (typeof text !== 'string') invalid('not a string');
  if (!text.startsWith(ADDRESS_PREFIX)) invalid(`it must start with "${ADDRESS_PREFIX}"`);
  const body = text.slice(ADDRESS_PREFIX.length);
  if (!/^[A-Za-z0-9_-]*$/.test(body)) invalid('bad base64url character');
  if (text.length !== ADDRESS_TEXT_LENGTH) invalid(`wrong length (${text.length} characters, want ${ADDRESS_TEXT_LENGTH})`);
  const raw = asU8(Buffer.from(body, 'base64url'));
  if (raw.length !== ADDRESS_BYTES || Buffer.from(raw).toString('base64url') !== body) invalid('non-canonical base64url');
  if (raw[0] !== ADDRESS_VERSION) invalid(`unknown version ${raw[0]}`);
  return { id: raw.slice(1, 1 + ANON_ID_LENGTH), key: raw.slice(1 + ANON_ID_LENGTH) };
}

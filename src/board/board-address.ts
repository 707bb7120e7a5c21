/**
 * Board addresses (docs/protocol.md §7.1):
 *
 *   "tkb1" + base64url( version u8 (1) | ID (64) | route public (32) | Q public (32)
 *                       | signing public (32) )                    (RFC 4648 §5, unpadded, strict)
 *
 * The first 97 bytes under the version are a one-time address (§6.1), so routing reaches a board
 * as it reaches any address; `routingAddress` is that address as "tk1" text.
 */
import { ed25519 } from '@noble/curves/ed25519.js';

import { asU8, checkBytes } from '../crypto/bytes.js';
import { decodePoint, IDENTITY_POINT } from '../crypto/ristretto.js';
import { X25519_KEY_LENGTH } from '../crypto/x25519.js';
import { ANON_ID_LENGTH } from '../anonymous-id/anonymous-id.js';
import { encodeAddress } from '../routing/formats/one-time-address.js';
import { BoardErrors } from './board-errors.js';

export const BOARD_ADDRESS_PREFIX = 'tkb1';
export const BOARD_ADDRESS_VERSION = 1;
export const ED25519_PUBLIC_LENGTH = 32;
/** Bytes under the base64url: version, ID, route key, seal key Q, signing key. */
export const BOARD_ADDRESS_BYTES = 1 + ANON_ID_LENGTH + 3 * X25519_KEY_LENGTH;
export const BOARD_ADDRESS_TEXT_LENGTH = BOARD_ADDRESS_PREFIX.length + Math.ceil((BOARD_ADDRESS_BYTES * 4) / 3);

export interface BoardAddressKeys {
  /** The board's fixed anonymous ID R0 | d·R0: the tag of seeks to the board. */
  id: Uint8Array;
  /** X25519: last onion layer and end-to-end sessions to the board. */
  routeKey: Uint8Array;
  /** X25519 Q: posts' messages are sealed to it (HPKE). */
  sealKey: Uint8Array;
  /** Ed25519: announcements and notifications are signed with it. */
  signingKey: Uint8Array;
}

export interface BoardAddress extends BoardAddressKeys {
  /** The "tk1" one-time address of (id, routeKey): what the routing layer seeks and sends to. */
  routingAddress: string;
}

function invalid(message: string): never {
  throw BoardErrors.BOARD_ADDRESS_INVALID(`not a tokumei board address: ${message}`);
}

/** The ID's points must decode and R0 must not be the identity (§6.1: that ID is everyone's). */
function idIsValid(id: Uint8Array): boolean {
  try {
    const R = decodePoint(id.subarray(0, 32));
    decodePoint(id.subarray(32));
    return !R.equals(IDENTITY_POINT);
  } catch {
    return false;
  }
}

/** OpenSSL imports any 32 bytes as an Ed25519 key; noble checks the encoding (RFC 8032 §5.1.3). */
function signingKeyIsValid(raw: Uint8Array): boolean {
  try {
    return !ed25519.Point.fromBytes(raw).isSmallOrder();
  } catch {
    return false;
  }
}

export function encodeBoardAddress(keys: BoardAddressKeys): string {
  checkBytes('board id', keys.id, ANON_ID_LENGTH);
  checkBytes('board route key', keys.routeKey, X25519_KEY_LENGTH);
  checkBytes('board seal key', keys.sealKey, X25519_KEY_LENGTH);
  checkBytes('board signing key', keys.signingKey, ED25519_PUBLIC_LENGTH);
  const raw = new Uint8Array(BOARD_ADDRESS_BYTES);
  raw[0] = BOARD_ADDRESS_VERSION;
  raw.set(keys.id, 1);
  raw.set(keys.routeKey, 65);
  raw.set(keys.sealKey, 97);
  raw.set(keys.signingKey, 129);
  return BOARD_ADDRESS_PREFIX + Buffer.from(raw).toString('base64url');
}

/**
 * Strict decode: prefix, alphabet, length, canonical trailing bits, version, a valid ID and
 * signing key; else BOARD_ADDRESS_INVALID.
 */
export function decodeBoardAddress(text: string): BoardAddress {
  if (typeof text !== 'string') invalid('not a string');
  if (!text.startsWith(BOARD_ADDRESS_PREFIX)) invalid(`it must start with "${BOARD_ADDRESS_PREFIX}"`);
  const body = text.slice(BOARD_ADDRESS_PREFIX.length);
  if (!/^[A-Za-z0-9_-]*$/.test(body)) invalid('bad base64url character');
  if (text.length !== BOARD_ADDRESS_TEXT_LENGTH) invalid(`wrong length (${text.length} characters, want ${BOARD_ADDRESS_TEXT_LENGTH})`);
  const raw = asU8(Buffer.from(body, 'base64url'));
  if (raw.length !== BOARD_ADDRESS_BYTES || Buffer.from(raw).toString('base64url') !== body) invalid('non-canonical base64url');
  if (raw[0] !== BOARD_ADDRESS_VERSION) invalid(`unknown version ${raw[0]}`);
  const id = raw.slice(1, 65);
  const routeKey = raw.slice(65, 97);
  const sealKey = raw.slice(97, 129);
  const signingKey = raw.slice(129);
  if (!idIsValid(id)) invalid('its anonymous ID is not a valid ristretto255 pair');
  if (!signingKeyIsValid(signingKey)) invalid('its signing key is not an Ed25519 public key');
  return { id, routeKey, sealKey, signingKey, routingAddress: encodeAddress({ id, key: routeKey }) };
}

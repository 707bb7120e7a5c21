/**
 * End-to-end sessions and chunks (docs/protocol.md §6.8), sealed between the OP and the destination
 * so that relays see only ciphertext.
 *
 *   e ← X25519;  s = X25519(e, address key)
 *   k_to_dest | k_to_sender = HKDF-SHA256(s, salt = session_id, info = "tokumei e2e v1", 64)
 *   frame  = session_id (16) | flags u8 (bit 0: e_pub follows) | [e_pub (32)] | sealed chunk
 *   sealed chunk = msg_no u32 | total u32 | offset u32
 *                  | ChaCha20-Poly1305(k, nonce, bytes, aad = msg_no | total | offset)
 *   nonce  = direction u8 (0 toward D, 1 toward the sender) | 0 u8 | length u16 | msg_no u32 | offset u32
 *
 * The header is in clear (the nonce is made from it) and authenticated. A nonce names the exact
 * bytes it seals (message, offset, length), so a retransmission, even cut differently, reuses a
 * nonce only for the same plaintext; the direction byte keeps the two directions apart even if one
 * key were used for both.
 */
import type { KeyObject } from 'node:crypto';

import { aeadSeal } from '../../crypto/aead.js';
import { badArgument, checkBytes, utf8, wipe } from '../../crypto/bytes.js';
import { hkdfSha256 } from '../../crypto/hkdf.js';
import { randomBytesFrom, type RandomSource } from '../../crypto/random.js';
import { generateX25519, x25519, x25519PublicKeyFromRaw, X25519_KEY_LENGTH } from '../../crypto/x25519.js';
import { Reader, wireError } from '../../wire/codec.js';
import { tryAeadOpen } from '../../crypto/chacha20.js';
import { CHUNK_HEADER, CHUNK_TAG, MAX_CHUNK_LENGTH, MAX_MESSAGE_SIZE, SESSION_ID_LENGTH, type Chunk } from './e2e-limits.js';
import { RoutingErrors } from '../core/routing-errors.js';


const INFO = utf8('tokumei e2e v1');
const FLAG_EPHEMERAL = 1;

export interface SessionKeys {
  /** Seals what the sender sends to D. */
  toDest: Uint8Array;
  /** Seals what D sends back. */
  toSender: Uint8Array;
}

export type ChunkDirection = 'to-dest' | 'to-sender';

function sessionKeys(shared: Uint8Array, sessionId: Uint8Array): SessionKeys {
  const okm = hkdfSha256(shared, sessionId, INFO, 64);
  wipe(shared);
  const keys = { toDest: okm.slice(0, 32), toSender: okm.slice(32) };
  wipe(okm);
  return keys;
}

/** The sender's side: a fresh session to the address key (§6.8). */
export function openSession(addressKey: Uint8Array, random?: RandomSource): { sessionId: Uint8Array; ephemeralPublic: Uint8Array; keys: SessionKeys } {
  checkBytes('address key', addressKey, X25519_KEY_LENGTH);
  const sessionId = randomBytesFrom(random, SESSION_ID_LENGTH).slice();
  const e = generateX25519(random);
  const keys = sessionKeys(x25519(e.privateKey, x25519PublicKeyFromRaw(addressKey)), sessionId);
  return { sessionId, ephemeralPublic: e.publicRaw, keys };
}

/** D's side, from the first chunk's frame. Throws X25519_ZERO_SHARED for a small-order e_pub. */
export function acceptSession(addressPrivate: KeyObject, sessionId: Uint8Array, ephemeralPublic: Uint8Array): SessionKeys {
  checkBytes('session id', sessionId, SESSION_ID_LENGTH);
  checkBytes('ephemeral key', ephemeralPublic, X25519_KEY_LENGTH);
  return sessionKeys(x25519(addressPrivate, x25519PublicKeyFromRaw(ephemeralPublic)), sessionId);
}

function checkChunkFields(c: Chunk): void {
  for (const [name, v] of [['msgNo', c.msgNo], ['total', c.total], ['offset', c.offset]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) badArgument(`${name} must be a u32`);
  }
  checkBytes('chunk bytes', c.bytes);
  if (c.total > MAX_MESSAGE_SIZE) badArgument(`message of ${c.total} bytes exceeds ${MAX_MESSAGE_SIZE}`);
  if (c.bytes.length > MAX_CHUNK_LENGTH) badArgument(`chunk of ${c.bytes.length} bytes exceeds ${MAX_CHUNK_LENGTH}`);
  if (c.offset + c.bytes.length > c.total || (c.bytes.length === 0 && c.total !== 0)) badArgument('chunk lies outside its message');
}

function chunkNonce(direction: ChunkDirection, length: number, msgNo: number, offset: number): Uint8Array {
  const n = new Uint8Array(12);
  const v = new DataView(n.buffer);
  n[0] = direction === 'to-dest' ? 0 : 1;
  v.setUint16(2, length);
  v.setUint32(4, msgNo);
  v.setUint32(8, offset);
  return n;
}

function chunkHeader(c: Pick<Chunk, 'msgNo' | 'total' | 'offset'>): Uint8Array {
  const h = new Uint8Array(CHUNK_HEADER);
  const v = new DataView(h.buffer);
  v.setUint32(0, c.msgNo);
  v.setUint32(4, c.total);
  v.setUint32(8, c.offset);
  return h;
}

/** header | ciphertext | tag, with `key` = the direction's session key. */
export function sealChunk(key: Uint8Array, chunk: Chunk, direction: ChunkDirection = 'to-dest'): Uint8Array {
  checkBytes('key', key, 32);
  checkChunkFields(chunk);
  const header = chunkHeader(chunk);
  const sealed = aeadSeal(key, chunkNonce(direction, chunk.bytes.length, chunk.msgNo, chunk.offset), chunk.bytes, header);
  const out = new Uint8Array(CHUNK_HEADER + sealed.length);
  out.set(header, 0);
  out.set(sealed, CHUNK_HEADER);
  return out;
}

/**
 * Opens a sealed chunk. Malformed header: WIRE_*; another message than `msgNo` (when given):
 * E2E_CHUNK_MISMATCH; failed authentication: E2E_CHUNK_AUTH.
 */
export function openChunk(key: Uint8Array, sealed: Uint8Array, msgNo?: number, direction: ChunkDirection = 'to-dest'): Chunk {
  checkBytes('key', key, 32);
  checkBytes('sealed chunk', sealed);
  if (sealed.length < CHUNK_HEADER + CHUNK_TAG) throw wireError('WIRE_TRUNCATED', `sealed chunk of ${sealed.length} bytes`);
  const length = sealed.length - CHUNK_HEADER - CHUNK_TAG;
  if (length > MAX_CHUNK_LENGTH) throw wireError('WIRE_TOO_LARGE', `chunk of ${length} bytes`);
  const r = new Reader(sealed);
  const no = r.u32('msg_no');
  const total = r.u32('total');
  const offset = r.u32('offset');
  if (total > MAX_MESSAGE_SIZE) throw wireError('WIRE_TOO_LARGE', `message of ${total} bytes`);
  if (offset + length > total || (length === 0 && total !== 0)) throw wireError('WIRE_INVALID', 'chunk lies outside its message');
  if (msgNo !== undefined && no !== msgNo) throw RoutingErrors.E2E_CHUNK_MISMATCH(`chunk of message ${no}, expected ${msgNo}`);
  const bytes = tryAeadOpen(key, chunkNonce(direction, length, no, offset), sealed.subarray(CHUNK_HEADER), sealed.subarray(0, CHUNK_HEADER));
  if (!bytes) throw RoutingErrors.E2E_CHUNK_AUTH('chunk does not authenticate');
  return { msgNo: no, total, offset, bytes };
}

export interface ChunkFrame {
  sessionId: Uint8Array;
  /** The sender's e_pub, on the first chunks of a session until D has it. */
  ephemeralPublic?: Uint8Array;
  sealed: Uint8Array;
}

export function encodeChunkFrame(f: ChunkFrame): Uint8Array {
  checkBytes('session id', f.sessionId, SESSION_ID_LENGTH);
  checkBytes('sealed chunk', f.sealed);
  const e = f.ephemeralPublic;
  if (e) checkBytes('ephemeral key', e, X25519_KEY_LENGTH);
  const out = new Uint8Array(SESSION_ID_LENGTH + 1 + (e ? X25519_KEY_LENGTH : 0) + f.sealed.length);
  out.set(f.sessionId, 0);
  out[SESSION_ID_LENGTH] = e ? FLAG_EPHEMERAL : 0;
  if (e) out.set(e, SESSION_ID_LENGTH + 1);
  out.set(f.sealed, out.length - f.sealed.length);
  return out;
}

export function decodeChunkFrame(bytes: Uint8Array): ChunkFrame {
  const r = new Reader(bytes);
  const sessionId = r.bytes(SESSION_ID_LENGTH, 'session_id').slice();
  const flags = r.u8('flags');
  if ((flags & ~FLAG_EPHEMERAL) !== 0) throw wireError('WIRE_INVALID', `chunk frame flags ${flags}`);
  const ephemeralPublic = flags & FLAG_EPHEMERAL ? r.bytes(X25519_KEY_LENGTH, 'e_pub').slice() : undefined;
  const sealed = r.rest().slice();
  if (sealed.length < CHUNK_HEADER + CHUNK_TAG) throw wireError('WIRE_TRUNCATED', 'chunk frame without a whole chunk');
  return ephemeralPublic ? { sessionId, ephemeralPublic, sealed } : { sessionId, sealed };
}

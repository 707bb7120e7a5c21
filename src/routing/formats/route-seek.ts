/**
 * Route seek and route information packets (docs/protocol.md §6.2, §6.3): codecs with exact sizes,
 * the OP's fresh seek, a relay's per-hop transformations (wrap the return path going out; add its
 * hop record coming back), the destination's route proof and the OP's reading of the records.
 *
 *   ROUTE_SEEK  = seek_id (16) | tag (64) | T (32) | ttl u8 | stem u8 | return_path (H × 44)  = 642 bytes
 *   ROUTE_INFO  = seek_id (16) | proof (48) | return_path (H × 44) | hop_records (H × record size)
 *
 * Hop records travel only on the way back: the flood carries no public-key work or passport, and
 * only answered paths pay for them.
 */
import type { KeyObject } from 'node:crypto';
import { checkBytes, concatBytes, constantTimeEqual, utf8, wipe } from '../../crypto/bytes.js';
import { hmacSha256 } from '../../crypto/hash.js';
import { hkdfSha256 } from '../../crypto/hkdf.js';
import { randomBytesFrom, type RandomSource } from '../../crypto/random.js';
import { x25519, x25519PublicKeyFromRaw, X25519_KEY_LENGTH } from '../../crypto/x25519.js';
import { chacha20Xor, CHACHA20_NONCE_LENGTH } from '../../crypto/chacha20.js';
import { Reader, wireError, Writer } from '../../wire/codec.js';
import { ANON_ID_LENGTH } from '../../anonymous-id/anonymous-id.js';
import { fakeHopRecord, hopRecordSize, openHopRecord, SEEK_ID_LENGTH, type OpenedHopRecord } from './hop-record.js';
import { RETURN_PATH_SIZE, wrapReturnPath, type ReturnPathKeys } from './return-path.js';
import { SERIAL_BYTES } from './serial-bytes.js';

/** The most relays a seek (or an onion) crosses. */
export const H = 12;
export const ROUTE_PROOF_SIZE = 48;
export const ROUTE_SEEK_SIZE = SEEK_ID_LENGTH + ANON_ID_LENGTH + X25519_KEY_LENGTH + 2 + RETURN_PATH_SIZE;
export const MIN_SEEK_TTL = 8;
export const MAX_SEEK_TTL = H;
const PROOF_INFO = utf8('tokumei route proof v2');
const PROOF_TAG = 19;
/** Proof flag: the last relay is one of D's introduction relays; the onion ends there with INTRODUCE. */
export const PROOF_INTRODUCTION = 1;

/** ROUTE_INFO's length for a community's passport slot (hop-record.ts). */
export function routeInfoSize(slot: number): number {
  return SEEK_ID_LENGTH + ROUTE_PROOF_SIZE + RETURN_PATH_SIZE + H * hopRecordSize(slot);
}

export interface RouteSeek {
  seekId: Uint8Array;
  /** The destination's anonymous ID (64). */
  tag: Uint8Array;
  /** The OP's temporary X25519 public key T (32). */
  tempKey: Uint8Array;
  /** Hops left, 0..H. */
  ttl: number;
  /** True while in the stem (random walk), false in the flood. */
  stem: boolean;
  returnPath: Uint8Array;
}

export interface RouteInfo {
  seekId: Uint8Array;
  proof: Uint8Array;
  returnPath: Uint8Array;
  /** H records, slot 0 the newest: the relay nearest the proxy once the answer arrives. */
  hopRecords: Uint8Array;
}

export function encodeRouteSeek(s: RouteSeek): Uint8Array {
  checkBytes('seek id', s.seekId, SEEK_ID_LENGTH);
  checkBytes('tag', s.tag, ANON_ID_LENGTH);
  checkBytes('temporary key', s.tempKey, X25519_KEY_LENGTH);
  checkBytes('return path', s.returnPath, RETURN_PATH_SIZE);
  return new Writer().bytes(s.seekId).bytes(s.tag).bytes(s.tempKey).u8(s.ttl).u8(s.stem ? 1 : 0).bytes(s.returnPath).finish();
}

/** Exactly ROUTE_SEEK_SIZE bytes, ttl ≤ H, stem 0 or 1; else WIRE_TRUNCATED / WIRE_INVALID. */
export function decodeRouteSeek(bytes: Uint8Array): RouteSeek {
  if (bytes.length > ROUTE_SEEK_SIZE) throw wireError('WIRE_INVALID', `ROUTE_SEEK: ${bytes.length} bytes, want ${ROUTE_SEEK_SIZE}`);
  const r = new Reader(bytes);
  const seekId = r.bytes(SEEK_ID_LENGTH, 'seek_id').slice();
  const tag = r.bytes(ANON_ID_LENGTH, 'tag').slice();
  const tempKey = r.bytes(X25519_KEY_LENGTH, 'T').slice();
  const ttl = r.u8('ttl');
  const stem = r.u8('stem');
  const returnPath = r.bytes(RETURN_PATH_SIZE, 'return_path').slice();
  r.end('ROUTE_SEEK');
  if (ttl > MAX_SEEK_TTL) throw wireError('WIRE_INVALID', `ROUTE_SEEK: ttl ${ttl} > ${MAX_SEEK_TTL}`);
  if (stem > 1) throw wireError('WIRE_INVALID', `ROUTE_SEEK: stem ${stem}`);
  return { seekId, tag, tempKey, ttl, stem: stem === 1, returnPath };
}

export function encodeRouteInfo(i: RouteInfo, slot: number): Uint8Array {
  checkBytes('seek id', i.seekId, SEEK_ID_LENGTH);
  checkBytes('proof', i.proof, ROUTE_PROOF_SIZE);
  checkBytes('return path', i.returnPath, RETURN_PATH_SIZE);
  checkBytes('hop records', i.hopRecords, H * hopRecordSize(slot));
  return concatBytes(i.seekId, i.proof, i.returnPath, i.hopRecords);
}

/** Exactly routeInfoSize(slot) bytes; else WIRE_TRUNCATED / WIRE_INVALID. */
export function decodeRouteInfo(bytes: Uint8Array, slot: number): RouteInfo {
  const size = routeInfoSize(slot);
  if (bytes.length > size) throw wireError('WIRE_INVALID', `ROUTE_INFO: ${bytes.length} bytes, want ${size}`);
  const r = new Reader(bytes);
  const seekId = r.bytes(SEEK_ID_LENGTH, 'seek_id').slice();
  const proof = r.bytes(ROUTE_PROOF_SIZE, 'proof').slice();
  const returnPath = r.bytes(RETURN_PATH_SIZE, 'return_path').slice();
  const hopRecords = r.bytes(H * hopRecordSize(slot), 'hop_records').slice();
  r.end('ROUTE_INFO');
  return { seekId, proof, returnPath, hopRecords };
}

/** A uniform integer in [MIN_SEEK_TTL, MAX_SEEK_TTL] from random bytes (rejection sampling). */
function randomTtl(random?: RandomSource): number {
  const span = MAX_SEEK_TTL - MIN_SEEK_TTL + 1;
  const limit = 256 - (256 % span);
  for (;;) {
    const b = randomBytesFrom(random, 1)[0]!;
    if (b < limit) return MIN_SEEK_TTL + (b % span);
  }
}

/** The OP's fresh seek (§6.2): random seek id and ttl in [8, 12], random return path. */
export function newSeek(tag: Uint8Array, tempPublic: Uint8Array, random?: RandomSource): RouteSeek {
  checkBytes('tag', tag, ANON_ID_LENGTH);
  checkBytes('temporary key', tempPublic, X25519_KEY_LENGTH);
  return {
    seekId: randomBytesFrom(random, SEEK_ID_LENGTH).slice(),
    tag: tag.slice(),
    tempKey: tempPublic.slice(),
    ttl: randomTtl(random),
    stem: true,
    returnPath: randomBytesFrom(random, RETURN_PATH_SIZE).slice(),
  };
}

/** A relay's wrap of a seek's return path before it forwards the seek (§6.2 step 1). */
export function addReturnLayer(seek: RouteSeek, ref: Uint8Array, rpKeys: ReturnPathKeys, epoch: number, random?: RandomSource): RouteSeek {
  checkBytes('ref', ref, SERIAL_BYTES);
  return { ...seek, returnPath: wrapReturnPath(seek.returnPath, seek.seekId, ref, rpKeys, epoch, random) };
}

/** Puts `record` in slot 0 of an answer's records; the others shift right and the last drops. */
export function pushHopRecord(records: Uint8Array, record: Uint8Array, slot: number): Uint8Array {
  const size = hopRecordSize(slot);
  checkBytes('hop records', records, H * size);
  checkBytes('hop record', record, size);
  return concatBytes(record, records.subarray(0, (H - 1) * size));
}

/** H fillers: the records of an answer as the destination sends it. */
export function fakeHopRecords(slot: number, random?: RandomSource): Uint8Array {
  const out: Uint8Array[] = [];
  for (let i = 0; i < H; i++) out.push(fakeHopRecord(slot, random));
  return concatBytes(...out);
}

function proofKeys(addressOrT: KeyObject, publicRaw: Uint8Array, seekId: Uint8Array): { enc: Uint8Array; mac: Uint8Array } | undefined {
  let shared: Uint8Array;
  try {
    shared = x25519(addressOrT, x25519PublicKeyFromRaw(publicRaw));
  } catch {
    return undefined;
  }
  const okm = hkdfSha256(shared, seekId, PROOF_INFO, 64);
  wipe(shared);
  return { enc: okm.slice(0, 32), mac: okm.slice(32) };
}

/**
 * The destination's proof (§6.3), which also names the relay the path must end at, for the
 * proxy's eyes only: k_enc | k_mac = HKDF(X25519(address key, T), salt = seek_id, info = "tokumei
 * route proof v2", 64); nonce ← 12 random bytes; sealed = (last (16) | flags u8) XOR
 * ChaCha20(k_enc, nonce)[0:17]; proof = nonce | sealed | HMAC-SHA256(k_mac, seek_id | nonce | sealed)[0:19].
 * `last` is the neighbour D heard the seek from — or, for an introduction relay answering for D,
 * that relay itself (flag PROOF_INTRODUCTION). HMAC stays a MAC over every answer of a seek (one
 * key, many messages), and a fresh nonce per answer keeps two answers' fields unrelated.
 */
export function makeRouteProof(addressPrivate: KeyObject, T: Uint8Array, seekId: Uint8Array, last: Uint8Array, random?: RandomSource, flags = 0): Uint8Array {
  checkBytes('T', T, X25519_KEY_LENGTH);
  checkBytes('seek id', seekId, SEEK_ID_LENGTH);
  checkBytes('last', last, SERIAL_BYTES);
  const k = proofKeys(addressPrivate, T, seekId);
  if (!k) throw wireError('WIRE_INVALID', 'ROUTE_SEEK: T is not a usable X25519 key');
  const nonce = randomBytesFrom(random, CHACHA20_NONCE_LENGTH);
  const sealed = chacha20Xor(k.enc, nonce, concatBytes(last, Uint8Array.of(flags)));
  const tag = hmacSha256(k.mac, seekId, nonce, sealed).subarray(0, PROOF_TAG);
  wipe(k.enc, k.mac);
  return concatBytes(nonce, sealed, tag);
}

/** What a proof names, or `undefined` when it is not from the holder of `addressKey`. */
export function openRouteProof(tPrivate: KeyObject, addressKey: Uint8Array, seekId: Uint8Array, proof: Uint8Array): { last: Uint8Array; introduction: boolean } | undefined {
  checkBytes('address key', addressKey, X25519_KEY_LENGTH);
  checkBytes('seek id', seekId, SEEK_ID_LENGTH);
  if (!(proof instanceof Uint8Array) || proof.length !== ROUTE_PROOF_SIZE) return undefined;
  const k = proofKeys(tPrivate, addressKey, seekId);
  if (!k) return undefined;
  const nonce = proof.subarray(0, CHACHA20_NONCE_LENGTH);
  const sealed = proof.subarray(CHACHA20_NONCE_LENGTH, CHACHA20_NONCE_LENGTH + SERIAL_BYTES + 1);
  const ok = constantTimeEqual(hmacSha256(k.mac, seekId, nonce, sealed).subarray(0, PROOF_TAG), proof.subarray(CHACHA20_NONCE_LENGTH + SERIAL_BYTES + 1));
  const plain = ok ? chacha20Xor(k.enc, nonce, sealed) : undefined;
  wipe(k.enc, k.mac);
  if (!plain || (plain[SERIAL_BYTES]! & ~PROOF_INTRODUCTION) !== 0) return undefined;
  return { last: plain.slice(0, SERIAL_BYTES), introduction: (plain[SERIAL_BYTES]! & PROOF_INTRODUCTION) !== 0 };
}

/**
 * The records of one answer in path order from the proxy outwards (§6.4): slots 0, 1, … open until
 * the first that does not. Authenticity and the chain are checked by the caller (route-check.ts).
 */
export function openHopRecords(tPrivate: KeyObject, seekId: Uint8Array, hopRecords: Uint8Array, slot: number): OpenedHopRecord[] {
  const size = hopRecordSize(slot);
  checkBytes('hop records', hopRecords, H * size);
  const path: OpenedHopRecord[] = [];
  for (let i = 0; i < H; i++) {
    const rec = openHopRecord(tPrivate, seekId, hopRecords.subarray(i * size, (i + 1) * size), slot);
    if (!rec) break;
    path.push(rec);
  }
  return path;
}

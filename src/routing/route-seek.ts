/**
 * Route seek and route information packets (docs/protocol.md §6.2, §6.3): codecs with exact sizes,
 * the OP's fresh seek, a relay's per-hop transformation (shift + seal + wrap), the destination's
 * route proof and the OP's reading of the hop records.
 *
 *   ROUTE_SEEK  = seek_id (16) | tag (64) | T (32) | ttl u8 | stem u8 | hop_records (H × 104)
 *                 | return_path (H × 44)                                               = 1,890 bytes
 *   ROUTE_INFO  = seek_id (16) | proof (48) | hop_records (H × 104) | return_path (H × 44)
 *                 | pointers (H × POINTER_SIZE)
 */
import type { KeyObject } from 'node:crypto';
import { aeadSeal } from '../crypto/aead.js';
import { checkBytes, concatBytes, constantTimeEqual, utf8, wipe } from '../crypto/bytes.js';
import { hkdfSha256 } from '../crypto/hkdf.js';
import { randomBytesFrom, type RandomSource } from '../crypto/random.js';
import { x25519, x25519PublicKeyFromRaw, X25519_KEY_LENGTH } from '../crypto/x25519.js';
import { Reader, wireError, Writer } from '../wire/codec.js';
import { ANON_ID_LENGTH } from '../anonymous-id/anonymous-id.js';
import { tryAeadOpen, ZERO_NONCE } from '../crypto/chacha20.js';
import { fakeHopRecord, HOP_RECORD_SIZE, openHopRecord, sealHopRecord, SEEK_ID_LENGTH, type HopRecord } from './hop-record.js';
import { POINTER_SIZE } from './pointer.js';
import { RETURN_PATH_SIZE, wrapReturnPath, type ReturnPathKeys } from './return-path.js';
import { SERIAL_BYTES } from './serial-bytes.js';

/** The most relays a seek (or an onion) crosses. */
export const H = 12;
export const HOP_RECORDS_SIZE = H * HOP_RECORD_SIZE;
export const ROUTE_PROOF_SIZE = 48;
export const ROUTE_SEEK_SIZE = SEEK_ID_LENGTH + ANON_ID_LENGTH + X25519_KEY_LENGTH + 2 + HOP_RECORDS_SIZE + RETURN_PATH_SIZE;
/** The neighbour pointers relays add to ROUTE_INFO on its way back (§6.3), slot 0 the newest. */
export const POINTERS_SIZE = H * POINTER_SIZE;
export const ROUTE_INFO_SIZE = SEEK_ID_LENGTH + ROUTE_PROOF_SIZE + HOP_RECORDS_SIZE + RETURN_PATH_SIZE + POINTERS_SIZE;
export const MIN_SEEK_TTL = 8;
export const MAX_SEEK_TTL = H;
const PROOF_INFO = utf8('tokumei route proof');

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
  hopRecords: Uint8Array;
  returnPath: Uint8Array;
}

export interface RouteInfo {
  seekId: Uint8Array;
  proof: Uint8Array;
  hopRecords: Uint8Array;
  returnPath: Uint8Array;
  /** H pointers; pointers[i] is hop-record slot i's relay's pointer toward D (§6.3). */
  pointers: Uint8Array;
}

export function encodeRouteSeek(s: RouteSeek): Uint8Array {
  checkBytes('seek id', s.seekId, SEEK_ID_LENGTH);
  checkBytes('tag', s.tag, ANON_ID_LENGTH);
  checkBytes('temporary key', s.tempKey, X25519_KEY_LENGTH);
  checkBytes('hop records', s.hopRecords, HOP_RECORDS_SIZE);
  checkBytes('return path', s.returnPath, RETURN_PATH_SIZE);
  return new Writer()
    .bytes(s.seekId)
    .bytes(s.tag)
    .bytes(s.tempKey)
    .u8(s.ttl)
    .u8(s.stem ? 1 : 0)
    .bytes(s.hopRecords)
    .bytes(s.returnPath)
    .finish();
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
  const hopRecords = r.bytes(HOP_RECORDS_SIZE, 'hop_records').slice();
  const returnPath = r.bytes(RETURN_PATH_SIZE, 'return_path').slice();
  r.end('ROUTE_SEEK');
  if (ttl > MAX_SEEK_TTL) throw wireError('WIRE_INVALID', `ROUTE_SEEK: ttl ${ttl} > ${MAX_SEEK_TTL}`);
  if (stem > 1) throw wireError('WIRE_INVALID', `ROUTE_SEEK: stem ${stem}`);
  return { seekId, tag, tempKey, ttl, stem: stem === 1, hopRecords, returnPath };
}

export function encodeRouteInfo(i: RouteInfo): Uint8Array {
  checkBytes('seek id', i.seekId, SEEK_ID_LENGTH);
  checkBytes('proof', i.proof, ROUTE_PROOF_SIZE);
  checkBytes('hop records', i.hopRecords, HOP_RECORDS_SIZE);
  checkBytes('return path', i.returnPath, RETURN_PATH_SIZE);
  checkBytes('pointers', i.pointers, POINTERS_SIZE);
  return concatBytes(i.seekId, i.proof, i.hopRecords, i.returnPath, i.pointers);
}

export function decodeRouteInfo(bytes: Uint8Array): RouteInfo {
  if (bytes.length > ROUTE_INFO_SIZE) throw wireError('WIRE_INVALID', `ROUTE_INFO: ${bytes.length} bytes, want ${ROUTE_INFO_SIZE}`);
  const r = new Reader(bytes);
  const seekId = r.bytes(SEEK_ID_LENGTH, 'seek_id').slice();
  const proof = r.bytes(ROUTE_PROOF_SIZE, 'proof').slice();
  const hopRecords = r.bytes(HOP_RECORDS_SIZE, 'hop_records').slice();
  const returnPath = r.bytes(RETURN_PATH_SIZE, 'return_path').slice();
  const pointers = r.bytes(POINTERS_SIZE, 'pointers').slice();
  r.end('ROUTE_INFO');
  return { seekId, proof, hopRecords, returnPath, pointers };
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

/** The OP's fresh seek (§6.2): random seek id and ttl in [8, 12], H fake records, random return path. */
export function newSeek(tag: Uint8Array, tempPublic: Uint8Array, random?: RandomSource): RouteSeek {
  checkBytes('tag', tag, ANON_ID_LENGTH);
  checkBytes('temporary key', tempPublic, X25519_KEY_LENGTH);
  const hopRecords = new Uint8Array(HOP_RECORDS_SIZE);
  for (let i = 0; i < H; i++) hopRecords.set(fakeHopRecord(random), i * HOP_RECORD_SIZE);
  return {
    seekId: randomBytesFrom(random, SEEK_ID_LENGTH).slice(),
    tag: tag.slice(),
    tempKey: tempPublic.slice(),
    ttl: randomTtl(random),
    stem: true,
    hopRecords,
    returnPath: randomBytesFrom(random, RETURN_PATH_SIZE).slice(),
  };
}

/**
 * A relay's transformation of a seek it forwards (§6.2 steps 1–2): its record sealed into slot 0
 * (the others shift right, the last drops), the return path wrapped with `ref` (the previous hop's
 * serial, 16 bytes). ttl and stem are left to the caller (step 3). Returns a new object.
 */
export function addHop(seek: RouteSeek, record: HopRecord, ref: Uint8Array, rpKeys: ReturnPathKeys, epoch: number, random?: RandomSource): RouteSeek {
  checkBytes('hop records', seek.hopRecords, HOP_RECORDS_SIZE);
  checkBytes('ref', ref, SERIAL_BYTES);
  const hopRecords = new Uint8Array(HOP_RECORDS_SIZE);
  hopRecords.set(sealHopRecord(seek.tempKey, seek.seekId, record, random), 0);
  hopRecords.set(seek.hopRecords.subarray(0, HOP_RECORDS_SIZE - HOP_RECORD_SIZE), HOP_RECORD_SIZE);
  const returnPath = wrapReturnPath(seek.returnPath, ref, rpKeys, epoch, random);
  return { ...seek, hopRecords, returnPath };
}

function proofKey(shared: Uint8Array, seekId: Uint8Array): Uint8Array {
  const k = hkdfSha256(shared, seekId, PROOF_INFO, 32);
  wipe(shared);
  return k;
}

/**
 * The destination's proof (§6.3): `0^32 | ChaCha20-Poly1305(k, nonce 0, "", aad = seek_id | hop_records)`
 * with k = HKDF(X25519(address key, T), salt = seek_id, info = "tokumei route proof").
 */
export function makeRouteProof(addressPrivate: KeyObject, T: Uint8Array, seekId: Uint8Array, hopRecords: Uint8Array): Uint8Array {
  checkBytes('T', T, X25519_KEY_LENGTH);
  checkBytes('seek id', seekId, SEEK_ID_LENGTH);
  checkBytes('hop records', hopRecords, HOP_RECORDS_SIZE);
  const k = proofKey(x25519(addressPrivate, x25519PublicKeyFromRaw(T)), seekId);
  const proof = new Uint8Array(ROUTE_PROOF_SIZE);
  proof.set(aeadSeal(k, ZERO_NONCE, new Uint8Array(0), concatBytes(seekId, hopRecords)), 32);
  wipe(k);
  return proof;
}

/** The OP's check that an answer comes from the holder of `addressKey` with unchanged hop records. */
export function checkRouteProof(tPrivate: KeyObject, addressKey: Uint8Array, seekId: Uint8Array, hopRecords: Uint8Array, proof: Uint8Array): boolean {
  checkBytes('address key', addressKey, X25519_KEY_LENGTH);
  checkBytes('seek id', seekId, SEEK_ID_LENGTH);
  if (!(proof instanceof Uint8Array) || proof.length !== ROUTE_PROOF_SIZE) return false;
  if (!(hopRecords instanceof Uint8Array) || hopRecords.length !== HOP_RECORDS_SIZE) return false;
  if (!constantTimeEqual(proof.subarray(0, 32), new Uint8Array(32))) return false;
  let shared: Uint8Array;
  try {
    shared = x25519(tPrivate, x25519PublicKeyFromRaw(addressKey));
  } catch {
    return false;
  }
  const k = proofKey(shared, seekId);
  const ok = tryAeadOpen(k, ZERO_NONCE, proof.subarray(32), concatBytes(seekId, hopRecords)) !== undefined;
  wipe(k);
  return ok;
}

/**
 * The relays of one answered seek in path order from the OP outwards (§6.4): slots 0, 1, … open
 * until the first that does not (slot 0 is the relay next to D), then reversed.
 */
export function openHopRecords(tPrivate: KeyObject, seekId: Uint8Array, hopRecords: Uint8Array): HopRecord[] {
  checkBytes('hop records', hopRecords, HOP_RECORDS_SIZE);
  const path: HopRecord[] = [];
  for (let i = 0; i < H; i++) {
    const rec = openHopRecord(tPrivate, seekId, hopRecords.subarray(i * HOP_RECORD_SIZE, (i + 1) * HOP_RECORD_SIZE));
    if (!rec) break;
    path.push(rec);
  }
  return path.reverse();
}

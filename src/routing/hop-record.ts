/**
 * Hop records (docs/protocol.md §6.2): what a relay forwarding a route seek tells the onion proxy
 * about itself, sealed to the seek's temporary key T so that only the OP reads it:
 *
 *   e ← X25519 keypair;  k = HKDF-SHA256(X25519(e, T), salt = seek_id, info = "tokumei hop record", 32)
 *   record = e_pub (32) | ChaCha20-Poly1305(k, nonce 0, plaintext (56))                 = 104 bytes
 *   plaintext = member serial (16) | onion key (32) | rtt_ms u16 | load u16 | uptime_min u16
 *               | degree u8 | reserved u8 (0)
 *
 * Fake records (a real X25519 public key and random bytes) fill unused slots and look the same.
 */
import type { KeyObject } from 'node:crypto';
import { aeadSeal } from '../crypto/aead.js';
import { badArgument, checkBytes, utf8, wipe } from '../crypto/bytes.js';
import { hkdfSha256 } from '../crypto/hkdf.js';
import { randomBytesFrom, type RandomSource } from '../crypto/random.js';
import { generateX25519, x25519, x25519PublicKeyFromRaw, X25519_KEY_LENGTH } from '../crypto/x25519.js';
import { tryAeadOpen, ZERO_NONCE } from '../crypto/chacha20.js';
import { SERIAL_BYTES } from './serial-bytes.js';

export const HOP_RECORD_SIZE = 104;
export const HOP_RECORD_PLAINTEXT = 56;
export const SEEK_ID_LENGTH = 16;
const INFO = utf8('tokumei hop record');

export interface HopRecord {
  /** Member serial, 16 bytes (serial-bytes.ts). */
  serial: Uint8Array;
  /** The relay's X25519 onion key (its passport's), 32 bytes. */
  onionKey: Uint8Array;
  /** Node information (§6.4). Sealing saturates each to its field (u16, u16, u16, u8). */
  rttMs: number;
  load: number;
  uptimeMin: number;
  degree: number;
}

function saturate(name: string, v: number, max: number): number {
  if (typeof v !== 'number' || Number.isNaN(v)) badArgument(`${name} must be a number`);
  return Math.min(max, Math.max(0, Math.round(v)));
}

function recordKey(shared: Uint8Array, seekId: Uint8Array): Uint8Array {
  const k = hkdfSha256(shared, seekId, INFO, 32);
  wipe(shared);
  return k;
}

/** Seals `record` to the seek's temporary public key `T` (§6.2 step 1). */
export function sealHopRecord(T: Uint8Array, seekId: Uint8Array, record: HopRecord, random?: RandomSource): Uint8Array {
  checkBytes('T', T, X25519_KEY_LENGTH);
  checkBytes('seek id', seekId, SEEK_ID_LENGTH);
  checkBytes('serial', record.serial, SERIAL_BYTES);
  checkBytes('onion key', record.onionKey, X25519_KEY_LENGTH);
  const plain = new Uint8Array(HOP_RECORD_PLAINTEXT);
  const view = new DataView(plain.buffer);
  plain.set(record.serial, 0);
  plain.set(record.onionKey, 16);
  view.setUint16(48, saturate('rttMs', record.rttMs, 0xffff));
  view.setUint16(50, saturate('load', record.load, 0xffff));
  view.setUint16(52, saturate('uptimeMin', record.uptimeMin, 0xffff));
  plain[54] = saturate('degree', record.degree, 0xff);
  const e = generateX25519(random);
  const k = recordKey(x25519(e.privateKey, x25519PublicKeyFromRaw(T)), seekId);
  const out = new Uint8Array(HOP_RECORD_SIZE);
  out.set(e.publicRaw, 0);
  out.set(aeadSeal(k, ZERO_NONCE, plain), X25519_KEY_LENGTH);
  wipe(k);
  return out;
}

/** Opens one record with the OP's temporary private key; `undefined` for a fake or foreign one. */
export function openHopRecord(tPrivate: KeyObject, seekId: Uint8Array, bytes: Uint8Array): HopRecord | undefined {
  checkBytes('seek id', seekId, SEEK_ID_LENGTH);
  if (!(bytes instanceof Uint8Array) || bytes.length !== HOP_RECORD_SIZE) return undefined;
  let shared: Uint8Array;
  try {
    shared = x25519(tPrivate, x25519PublicKeyFromRaw(bytes.subarray(0, X25519_KEY_LENGTH)));
  } catch {
    return undefined; // a small-order e_pub: nobody's record
  }
  const k = recordKey(shared, seekId);
  const plain = tryAeadOpen(k, ZERO_NONCE, bytes.subarray(X25519_KEY_LENGTH));
  wipe(k);
  if (!plain || plain.length !== HOP_RECORD_PLAINTEXT) return undefined;
  const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
  return {
    serial: plain.slice(0, 16),
    onionKey: plain.slice(16, 48),
    rttMs: view.getUint16(48),
    load: view.getUint16(50),
    uptimeMin: view.getUint16(52),
    degree: plain[54]!,
  };
}

/** A slot filler: a real X25519 public key (so its top bit is 0, like e_pub's) and 72 random bytes. */
export function fakeHopRecord(random?: RandomSource): Uint8Array {
  const out = new Uint8Array(HOP_RECORD_SIZE);
  out.set(generateX25519(random).publicRaw, 0);
  out.set(randomBytesFrom(random, HOP_RECORD_SIZE - X25519_KEY_LENGTH), X25519_KEY_LENGTH);
  return out;
}

/**
 * Hop records (docs/protocol.md §6.3): what a relay passing route information back tells the
 * onion proxy about itself, sealed to the seek's temporary key T so that only the proxy reads it,
 * and authenticated with the relay's onion key so that no one else can write it:
 *
 *   e ← X25519 keypair;  k = HKDF-SHA256(X25519(e, T), salt = seek_id, info = "tokumei hop record v2", 32)
 *   record    = e_pub (32) | ChaCha20-Poly1305(k, nonce 0, plaintext)
 *   plaintext = serial (16) | predecessor (16) | pointer (16) | auth (16) | der_len u16 | passport DER
 *               | zero padding to the community's passport slot
 *   auth      = HMAC-SHA256(HKDF-SHA256(X25519(onion private, T), salt = seek_id, info = "tokumei hop auth", 32),
 *                           e_pub | serial | predecessor | pointer | passport DER)[0:16]
 *
 * The proxy checks the passport (CA, validity, CRL), that it names `serial`, and `auth` under the
 * passport's onion key: a record names its relay only if that relay made it for this seek. The
 * authenticator is a static-ephemeral Diffie–Hellman MAC rather than a signature: only the proxy
 * (holder of T) can check it and no one can show it to a third party, and it costs 16 bytes
 * whatever the member key type. Fake records (a real X25519 public key and random bytes) fill
 * unused slots and look the same.
 */
import type { KeyObject } from 'node:crypto';
import { aeadSeal } from '../../crypto/aead.js';
import { badArgument, checkBytes, concatBytes, constantTimeEqual, utf8, wipe } from '../../crypto/bytes.js';
import { hmacSha256 } from '../../crypto/hash.js';
import { hkdfSha256 } from '../../crypto/hkdf.js';
import { randomBytesFrom, type RandomSource } from '../../crypto/random.js';
import { generateX25519, x25519, x25519PublicKeyFromRaw, X25519_KEY_LENGTH } from '../../crypto/x25519.js';
import { tryAeadOpen, ZERO_NONCE } from '../../crypto/chacha20.js';
import type { KeyType } from '../../identity/types.js';
import { POINTER_SIZE } from './pointer.js';
import { SERIAL_BYTES } from './serial-bytes.js';

export const SEEK_ID_LENGTH = 16;
const AUTH_LENGTH = 16;
const AEAD_TAG = 16;
/** serial, predecessor, pointer, auth, der_len. */
const FIXED_PLAINTEXT = 2 * SERIAL_BYTES + POINTER_SIZE + AUTH_LENGTH + 2;
const RECORD_INFO = utf8('tokumei hop record v2');
const AUTH_INFO = utf8('tokumei hop auth');

/**
 * Room for a passport in a record: one size per community (its member keys have the CA's type), so
 * every record of a community has one length. Ed25519 passports are about 410 bytes, RSA-3072 ones
 * about 1,125.
 */
export function passportSlot(keyType: KeyType): number {
  return keyType === 'rsa' ? 1_280 : 512;
}

/** A record's length in bytes for a community's passport slot. */
export function hopRecordSize(slot: number): number {
  return X25519_KEY_LENGTH + FIXED_PLAINTEXT + slot + AEAD_TAG;
}

export interface HopRecordFields {
  /** Member serial, 16 bytes (serial-bytes.ts). */
  serial: Uint8Array;
  /** The serial of the neighbour the relay got the seek from (and sends the answer back to). */
  predecessor: Uint8Array;
  /** The relay's pointer to the neighbour the answer came from: its next hop toward D (pointer.ts). */
  pointer: Uint8Array;
  passportDer: Uint8Array;
}

/** A record as the proxy opened it, before its authenticator is checked. */
export interface OpenedHopRecord extends HopRecordFields {
  ePub: Uint8Array;
  auth: Uint8Array;
}

function derive(shared: Uint8Array, seekId: Uint8Array, info: Uint8Array): Uint8Array {
  const k = hkdfSha256(shared, seekId, info, 32);
  wipe(shared);
  return k;
}

function authOf(authKey: Uint8Array, ePub: Uint8Array, f: HopRecordFields): Uint8Array {
  return hmacSha256(authKey, ePub, f.serial, f.predecessor, f.pointer, f.passportDer).subarray(0, AUTH_LENGTH);
}

/** Seals a relay's record to the seek's temporary key `T`, authenticated with its onion key. */
export function sealHopRecord(T: Uint8Array, seekId: Uint8Array, f: HopRecordFields, onionPrivate: KeyObject, slot: number, random?: RandomSource): Uint8Array {
  checkBytes('T', T, X25519_KEY_LENGTH);
  checkBytes('seek id', seekId, SEEK_ID_LENGTH);
  checkBytes('serial', f.serial, SERIAL_BYTES);
  checkBytes('predecessor', f.predecessor, SERIAL_BYTES);
  checkBytes('pointer', f.pointer, POINTER_SIZE);
  if (!(f.passportDer instanceof Uint8Array) || f.passportDer.length > slot) badArgument(`passport must fit the record's slot of ${slot} bytes`);
  const t = x25519PublicKeyFromRaw(T);
  const e = generateX25519(random);
  const authKey = derive(x25519(onionPrivate, t), seekId, AUTH_INFO);
  const auth = authOf(authKey, e.publicRaw, f);
  wipe(authKey);
  const plain = new Uint8Array(FIXED_PLAINTEXT + slot);
  plain.set(f.serial, 0);
  plain.set(f.predecessor, 16);
  plain.set(f.pointer, 32);
  plain.set(auth, 48);
  new DataView(plain.buffer).setUint16(64, f.passportDer.length);
  plain.set(f.passportDer, FIXED_PLAINTEXT);
  const k = derive(x25519(e.privateKey, t), seekId, RECORD_INFO);
  const out = concatBytes(e.publicRaw, aeadSeal(k, ZERO_NONCE, plain));
  wipe(k);
  return out;
}

/** Opens one record with the proxy's temporary key; `undefined` for a fake, foreign or malformed one. */
export function openHopRecord(tPrivate: KeyObject, seekId: Uint8Array, bytes: Uint8Array, slot: number): OpenedHopRecord | undefined {
  checkBytes('seek id', seekId, SEEK_ID_LENGTH);
  if (!(bytes instanceof Uint8Array) || bytes.length !== hopRecordSize(slot)) return undefined;
  const ePub = bytes.subarray(0, X25519_KEY_LENGTH);
  let shared: Uint8Array;
  try {
    shared = x25519(tPrivate, x25519PublicKeyFromRaw(ePub));
  } catch {
    return undefined; // a small-order e_pub: nobody's record
  }
  const k = derive(shared, seekId, RECORD_INFO);
  const plain = tryAeadOpen(k, ZERO_NONCE, bytes.subarray(X25519_KEY_LENGTH));
  wipe(k);
  if (!plain) return undefined;
  const derLength = new DataView(plain.buffer, plain.byteOffset, plain.byteLength).getUint16(64);
  if (derLength > slot) return undefined;
  const padding = plain.subarray(FIXED_PLAINTEXT + derLength);
  if (padding.some((b) => b !== 0)) return undefined;
  return {
    ePub: ePub.slice(),
    serial: plain.slice(0, 16),
    predecessor: plain.slice(16, 32),
    pointer: plain.slice(32, 48),
    auth: plain.slice(48, 64),
    passportDer: plain.slice(FIXED_PLAINTEXT, FIXED_PLAINTEXT + derLength),
  };
}

/** Whether `r` was made by the holder of `onionKey` (the passport's) for this seek. */
export function checkHopAuth(tPrivate: KeyObject, seekId: Uint8Array, r: OpenedHopRecord, onionKey: Uint8Array): boolean {
  let shared: Uint8Array;
  try {
    shared = x25519(tPrivate, x25519PublicKeyFromRaw(onionKey));
  } catch {
    return false;
  }
  const authKey = derive(shared, seekId, AUTH_INFO);
  const ok = constantTimeEqual(authOf(authKey, r.ePub, r), r.auth);
  wipe(authKey);
  return ok;
}

/** A slot filler: a real X25519 public key (so its top bit is 0, like e_pub's) and random bytes. */
export function fakeHopRecord(slot: number, random?: RandomSource): Uint8Array {
  const size = hopRecordSize(slot);
  const out = new Uint8Array(size);
  out.set(generateX25519(random).publicRaw, 0);
  out.set(randomBytesFrom(random, size - X25519_KEY_LENGTH), X25519_KEY_LENGTH);
  return out;
}

/**
 * Sealed boxes for letters of intent and released data (docs/protocol.md §8.5): each is sealed
 * with HPKE (RFC 9180) to the side that must read it, so it can be carried, stored or forwarded
 * without anyone else reading it.
 *
 *   box = "TKH" | version u8 (1) | type u8 (1 clinic letter, 2 member letter, 3 released data)
 *         | enc (32) | HPKE.SealBase(pk, plaintext, info = "tokumei-health/1 " + type name,
 *                                    aad = the 5 bytes before enc)
 *
 * Keys. The clinic seals its letter to the X25519 key of the member's one-time answer address
 * (§6.1): the clinic already holds it, and only the member holds its private half. The member
 * seals its letter and the data to the clinic letter's `sealKey`, which the clinic's signature
 * covers, derived from the clinic's onion key as the board's user key is (§7.1):
 *
 *   letter key = HKDF-SHA256(ikm = onion private key, salt = "", info = "tokumei-health/1 letter key", 32)
 *
 * so the clinic needs no new secret on disk, and the key is never the onion key itself.
 */
import { KeyObject } from 'node:crypto';

import { concatBytes, utf8, wipe } from '../../crypto/bytes.js';
import { hkdfSha256 } from '../../crypto/hkdf.js';
import { HPKE_ENC_LENGTH, HPKE_OVERHEAD, hpkeOpen, hpkeSeal } from '../../crypto/hpke.js';
import { x25519PrivateKeyFromRaw, x25519RawPrivateKey, x25519RawPublicKey } from '../../crypto/x25519.js';
import { decodeAddress } from '../../routing/formats/one-time-address.js';
import { HealthErrors } from '../health-errors.js';

const LETTER_KEY_INFO = utf8('tokumei-health/1 letter key');
const MAGIC = utf8('TKH');
export const BOX_VERSION = 1;
const HEADER_LENGTH = MAGIC.length + 2;
/** A letter is at most 32 KiB; released data far less. */
export const BOX_MAX_BYTES = HEADER_LENGTH + HPKE_ENC_LENGTH + 32_768 + HPKE_OVERHEAD;

export type BoxType = 'clinic letter' | 'member letter' | 'released data';
const BOX_CODES: Record<BoxType, number> = { 'clinic letter': 1, 'member letter': 2, 'released data': 3 };

export interface LetterKey {
  /** Raw 32-byte X25519 keys (HPKE takes raw keys). */
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

/** The clinic's letter key, derived from its onion private key (see the file comment). */
export function letterSealKey(onionPrivateKey: KeyObject): LetterKey {
  const onion = x25519RawPrivateKey(onionPrivateKey);
  const privateKey = hkdfSha256(onion, new Uint8Array(0), LETTER_KEY_INFO, 32);
  wipe(onion);
  return { privateKey, publicKey: x25519RawPublicKey(x25519PrivateKeyFromRaw(privateKey)) };
}

function header(type: BoxType): Uint8Array {
  return concatBytes(MAGIC, Uint8Array.of(BOX_VERSION, BOX_CODES[type]));
}

function context(type: BoxType) {
  return { info: utf8(`tokumei-health/1 ${type}`), aad: header(type) };
}

/** Seals `plaintext` of `type` to a raw X25519 public key. */
export async function sealBox(type: BoxType, recipientPublicKey: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
  const { enc, ciphertext } = await hpkeSeal(recipientPublicKey, plaintext, context(type));
  return concatBytes(header(type), enc, ciphertext);
}

/**
 * Opens a box of `type`: HEALTH_BAD_SEALED (protocol) when it is not one (wrong magic, version,
 * type, size), HPKE_OPEN_FAILED (crypto) when it is not sealed to this key or was altered.
 */
export async function openBox(type: BoxType, recipientPrivateKey: Uint8Array | KeyObject, box: Uint8Array): Promise<Uint8Array> {
  const bad = (why: string): never => {
    throw HealthErrors.HEALTH_BAD_SEALED(`sealed ${type}: ${why}`);
  };
  if (!(box instanceof Uint8Array)) bad('must be bytes');
  if (box.length < HEADER_LENGTH + HPKE_ENC_LENGTH + HPKE_OVERHEAD) bad('too short');
  if (box.length > BOX_MAX_BYTES) bad('too large');
  const want = header(type);
  for (let i = 0; i < HEADER_LENGTH; i++) {
    if (box[i] !== want[i]) bad(i < MAGIC.length ? 'not a tokumei health box' : i === MAGIC.length ? `unknown version ${box[i]}` : 'holds another type');
  }
  const key = recipientPrivateKey instanceof KeyObject ? x25519RawPrivateKey(recipientPrivateKey) : recipientPrivateKey;
  try {
    const enc = box.slice(HEADER_LENGTH, HEADER_LENGTH + HPKE_ENC_LENGTH);
    return await hpkeOpen(key, { enc, ciphertext: box.slice(HEADER_LENGTH + HPKE_ENC_LENGTH) }, context(type));
  } finally {
    if (key !== recipientPrivateKey) wipe(key);
  }
}

/** The clinic seals its signed letter to the member's answer address (tk1…). */
export async function sealClinicLetter(letter: Uint8Array, answerAddress: string): Promise<Uint8Array> {
  return sealBox('clinic letter', decodeAddress(answerAddress).key, letter);
}

/** The member opens the clinic's letter with its answer address's private key. */
export async function openClinicLetter(box: Uint8Array, answerAddressPrivateKey: Uint8Array | KeyObject): Promise<Uint8Array> {
  return openBox('clinic letter', answerAddressPrivateKey, box);
}

/** The member seals its signed letter to the verified clinic letter's seal key. */
/** `clinic` is the verified clinic letter (letter-of-intent.ts); only its seal key is needed. */
export async function sealMemberLetter(letter: Uint8Array, clinic: { readonly sealKey: Uint8Array }): Promise<Uint8Array> {
  return sealBox('member letter', clinic.sealKey, letter);
}

/** The clinic opens a member's letter with the key derived from its onion key. */
export async function openMemberLetter(box: Uint8Array, clinicOnionPrivateKey: KeyObject): Promise<Uint8Array> {
  const key = letterSealKey(clinicOnionPrivateKey);
  try {
    return await openBox('member letter', key.privateKey, box);
  } finally {
    wipe(key.privateKey);
  }
}

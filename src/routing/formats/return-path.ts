/**
 * The return path of a route seek (docs/protocol.md §6.2 step 2, §6.3): H layers of 44 bytes, each
 * added by one relay with a key only it holds, saying "this came from neighbour ref".
 *
 *   wrap:   nonce ← 12 random bytes;  mac = HMAC-SHA256(K_rp_mac, seek_id | nonce | ref)[0:16]
 *           block' = nonce | ChaCha20(K_rp_enc, nonce, mac | ref | block[0 : 484])
 *   unwrap: mac | ref | rest = ChaCha20(K_rp_enc, nonce, block[12:]);  if mac checks (this epoch's
 *           key or the previous one's): block' = rest | 44 random bytes
 *   K_rp_enc | K_rp_mac | K_ptr | K_stem = HKDF-SHA256(node secret, salt = epoch u32, info = "tokumei return path v2", 128)
 * The MAC covers the seek id, so a layer moved onto another seek's route information fails.
 *   (K_ptr keys the relay's neighbour pointers, §6.3)
 *
 * The whole block is re-encrypted at every hop, so two relays cannot match it bitwise. Only 12
 * layers fit: a 13th wrap pushes the innermost (the OP's neighbour's) layer out of the block, and
 * that relay's unwrap then fails. ttl ≤ H keeps seeks within 12 relays.
 */
import { badArgument, checkBytes, concatBytes, constantTimeEqual, utf8, wipe } from '../../crypto/bytes.js';
import { hmacSha256 } from '../../crypto/hash.js';
import { hkdfSha256 } from '../../crypto/hkdf.js';
import { randomBytesFrom, type RandomSource } from '../../crypto/random.js';
import { chacha20Xor, CHACHA20_NONCE_LENGTH } from '../../crypto/chacha20.js';
import { SERIAL_BYTES } from './serial-bytes.js';

export const RETURN_PATH_LAYER = 44;
export const RETURN_PATH_SIZE = 12 * RETURN_PATH_LAYER;
const MAC_LENGTH = 16;
const KEPT = RETURN_PATH_SIZE - RETURN_PATH_LAYER; // 484 bytes of the inner block survive a wrap
const INFO = utf8('tokumei return path v2');
const SEEK_ID_LENGTH = 16;

export interface ReturnPathEpochKeys {
  readonly enc: Uint8Array;
  readonly mac: Uint8Array;
  /** K_ptr, for the relay's neighbour pointers (§6.3). */
  readonly ptr: Uint8Array;
  /** K_stem, for its per-epoch stem successors (relay/stem-successors.ts). */
  readonly stem: Uint8Array;
}

function checkEpoch(epoch: number): void {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > 0xffff_ffff) badArgument('epoch must be a u32');
}

/** A relay's return-path keys, one pair per epoch, derived from a secret it never shares. */
export class ReturnPathKeys {
  private readonly secret: Uint8Array;
  // BOUNDED(3): the current and previous epoch, plus one being rotated in; the oldest other
  // than the one just asked for is wiped.
  private readonly cache = new Map<number, ReturnPathEpochKeys>();

  constructor(nodeSecret: Uint8Array) {
    this.secret = checkBytes('node secret', nodeSecret, 32).slice();
  }

  keysFor(epoch: number): ReturnPathEpochKeys {
    checkEpoch(epoch);
    const hit = this.cache.get(epoch);
    if (hit) return hit;
    const salt = new Uint8Array(4);
    new DataView(salt.buffer).setUint32(0, epoch);
    const okm = hkdfSha256(this.secret, salt, INFO, 128);
    const keys = { enc: okm.slice(0, 32), mac: okm.slice(32, 64), ptr: okm.slice(64, 96), stem: okm.slice(96) };
    wipe(okm);
    this.cache.set(epoch, keys);
    while (this.cache.size > 3) {
      const oldest = Math.min(...[...this.cache.keys()].filter((e) => e !== epoch));
      const k = this.cache.get(oldest)!;
      wipe(k.enc, k.mac, k.ptr, k.stem);
      this.cache.delete(oldest);
    }
    return keys;
  }

  /** Forgets everything (the node is shutting down). */
  wipe(): void {
    for (const k of this.cache.values()) wipe(k.enc, k.mac, k.ptr, k.stem);
    this.cache.clear();
    wipe(this.secret);
  }
}

function layerMac(keys: ReturnPathEpochKeys, seekId: Uint8Array, nonce: Uint8Array, ref: Uint8Array): Uint8Array {
  return hmacSha256(keys.mac, seekId, nonce, ref).subarray(0, MAC_LENGTH);
}

/** Adds this relay's layer naming `ref` (the previous hop's serial bytes) under `epoch`'s key. */
export function wrapReturnPath(block: Uint8Array, seekId: Uint8Array, ref: Uint8Array, keys: ReturnPathKeys, epoch: number, random?: RandomSource): Uint8Array {
  checkBytes('return path', block, RETURN_PATH_SIZE);
  checkBytes('seek id', seekId, SEEK_ID_LENGTH);
  checkBytes('ref', ref, SERIAL_BYTES);
  const k = keys.keysFor(epoch);
  const nonce = randomBytesFrom(random, CHACHA20_NONCE_LENGTH);
  const plain = concatBytes(layerMac(k, seekId, nonce, ref), ref, block.subarray(0, KEPT));
  return concatBytes(nonce, chacha20Xor(k.enc, nonce, plain));
}

/**
 * Removes this relay's layer of `seekId`'s return path: the neighbour to send to and the block to send, or `undefined` when
 * the layer is not ours (or was changed) under this epoch's key or the previous one's.
 */
export function unwrapReturnPath(block: Uint8Array, seekId: Uint8Array, keys: ReturnPathKeys, epoch: number, random?: RandomSource): { ref: Uint8Array; block: Uint8Array } | undefined {
  checkBytes('return path', block, RETURN_PATH_SIZE);
  checkBytes('seek id', seekId, SEEK_ID_LENGTH);
  checkEpoch(epoch);
  const nonce = block.subarray(0, CHACHA20_NONCE_LENGTH);
  const sealed = block.subarray(CHACHA20_NONCE_LENGTH);
  for (const e of epoch > 0 ? [epoch, epoch - 1] : [epoch]) {
    const k = keys.keysFor(e);
    const plain = chacha20Xor(k.enc, nonce, sealed);
    const ref = plain.subarray(MAC_LENGTH, MAC_LENGTH + SERIAL_BYTES);
    if (constantTimeEqual(plain.subarray(0, MAC_LENGTH), layerMac(k, seekId, nonce, ref))) {
      return { ref: ref.slice(), block: concatBytes(plain.subarray(MAC_LENGTH + SERIAL_BYTES), randomBytesFrom(random, RETURN_PATH_LAYER)) };
    }
  }
  return undefined;
}

/**
 * Posts (docs/protocol.md §7.3):
 *
 *   post       = version | created u64 | ttl u32 (s) | anon_id (64) | x_pub (32)
 *                | bytes16 sealed_x | enc (32) | bytes32 message_ct | sig (64)
 *   sealed_x   = enc (32) | ct (48) = HPKE.SealBase(Y_pub, x_priv, info = "tokumei-board/1 post key", aad = anon_id)
 *   message_ct = HPKE.SealBase(Q, message, info = "tokumei-board/1 post", aad = everything before enc)
 *
 * X is fresh per post and only the holder of Y opens sealed_x, so only the poster opens replies.
 * The signature (§7.2, under anon_id) covers everything before it: a flipped bit before `sig`
 * fails it, and one inside message_ct also fails the AEAD.
 */
import { checkBytes, concatBytes, utf8 } from '../crypto/bytes.js';
import { HPKE_ENC_LENGTH, HPKE_OVERHEAD, hpkeOpen, hpkeSeal } from '../crypto/hpke.js';
import type { RandomSource } from '../crypto/random.js';
import { generateX25519, x25519RawPrivateKey, X25519_KEY_LENGTH } from '../crypto/x25519.js';
import { ANON_ID_LENGTH, createAnonymousId } from '../anonymous-id/anonymous-id.js';
import { Writer } from '../wire/codec.js';
import { BoardErrors } from './board-errors.js';
import { decodeMessage, encodeMessage, MAX_POST_MESSAGE_BYTES } from './board-message.js';
import { boardError, checkCreateTimes, checkTimes, parseWith, readVersion, recordId, RECORD_VERSION, signRecord, verifyRecordSignature } from './record-codec.js';
import { ANON_SIGNATURE_LENGTH } from '../anonymous-id/anonymous-id-signature.js';
import { BOARD_LIMITS, type BoardField, type PostMessage, type PostRecord } from './types.js';

export const POST_KEY_INFO = utf8('tokumei-board/1 post key');
export const POST_INFO = utf8('tokumei-board/1 post');
/** sealed_x: HPKE enc and the sealed 32-byte x_priv with its tag. */
export const SEALED_X_LENGTH = HPKE_ENC_LENGTH + X25519_KEY_LENGTH + HPKE_OVERHEAD;
/** version | created | ttl | anon_id | x_pub | bytes16 sealed_x: the AAD of message_ct. */
const POST_HEAD_LENGTH = 1 + 8 + 4 + ANON_ID_LENGTH + X25519_KEY_LENGTH + 2 + SEALED_X_LENGTH;
const MAX_MESSAGE_CT = MAX_POST_MESSAGE_BYTES + HPKE_OVERHEAD;
/** The largest valid post: bounds a post inside any container before it is parsed. */
export const MAX_POST_BYTES = POST_HEAD_LENGTH + HPKE_ENC_LENGTH + 4 + MAX_MESSAGE_CT + ANON_SIGNATURE_LENGTH;

export interface CreatePostOptions {
  text: string;
  fields?: BoardField[];
  ttlSeconds: number;
  /** ms since the epoch: the post's `created`. */
  now: number;
  /** The poster's anonymity key k (signs under a fresh ID made with it). */
  anonymityKey: Uint8Array;
  /** The poster's board user key Y_pub (user-key.ts). */
  userPublicKey: Uint8Array;
  /** The board's Q (its address's sealKey). */
  sealKey: Uint8Array;
  random?: RandomSource;
}

/** A new signed post, and x_priv (the poster may keep it, or recover it later from sealed_x with y). */
export async function createPost(o: CreatePostOptions): Promise<{ record: PostRecord; xPrivate: Uint8Array }> {
  checkCreateTimes('post', o.now, o.ttlSeconds, BOARD_LIMITS.maxPostTtlSeconds);
  checkBytes('user public key', o.userPublicKey, X25519_KEY_LENGTH);
  checkBytes('board seal key', o.sealKey, X25519_KEY_LENGTH);
  const message = encodeMessage({ text: o.text, fields: o.fields ?? [] });
  const anonId = createAnonymousId(o.anonymityKey, o.random);
  const x = generateX25519(o.random);
  const xPrivate = x25519RawPrivateKey(x.privateKey);
  const sealedX = await hpkeSeal(o.userPublicKey, xPrivate, { info: POST_KEY_INFO, aad: anonId });
  const head = new Writer()
    .u8(RECORD_VERSION)
    .u64(o.now)
    .u32(o.ttlSeconds)
    .bytes(anonId)
    .bytes(x.publicRaw)
    .bytes16(concatBytes(sealedX.enc, sealedX.ciphertext))
    .finish();
  const sealed = await hpkeSeal(o.sealKey, message, { info: POST_INFO, aad: head });
  const body = new Writer().bytes(head).bytes(sealed.enc).bytes32(sealed.ciphertext).finish();
  const sig = signRecord('post', o.anonymityKey, anonId, body, o.random);
  return { record: decodePost(concatBytes(body, sig)), xPrivate };
}

/** Structure only (BOARD_BAD_RECORD; BOARD_TOO_LARGE for a ciphertext no valid message fills). */
export function decodePost(bytes: Uint8Array): PostRecord {
  return parseWith(bytes, 'post', 'BOARD_BAD_RECORD', (r) => {
    readVersion(r, 'post');
    const created = r.u64('created');
    const ttl = r.u32('ttl');
    const anonId = r.bytes(ANON_ID_LENGTH, 'anon_id').slice();
    const xPub = r.bytes(X25519_KEY_LENGTH, 'x_pub').slice();
    const sealedX = r.bytes16('sealed_x').slice();
    if (sealedX.length !== SEALED_X_LENGTH) throw boardError('BOARD_BAD_RECORD', `post: sealed_x is ${sealedX.length} bytes, not ${SEALED_X_LENGTH}`);
    const enc = r.bytes(HPKE_ENC_LENGTH, 'enc').slice();
    const ctLength = r.u32('message_ct');
    if (ctLength > MAX_MESSAGE_CT) throw BoardErrors.BOARD_TOO_LARGE(`post: message_ct is ${ctLength} bytes, more than ${MAX_MESSAGE_CT}`);
    if (ctLength < HPKE_OVERHEAD) throw boardError('BOARD_BAD_RECORD', `post: message_ct is ${ctLength} bytes, shorter than its tag`);
    const messageCt = r.bytes(ctLength, 'message_ct').slice();
    const sig = r.bytes(ANON_SIGNATURE_LENGTH, 'sig').slice();
    const copy = bytes.slice();
    return { id: recordId(copy), bytes: copy, created, ttl, expires: created + ttl * 1000, anonId, xPub, sealedX, enc, messageCt, sig };
  });
}

export function verifyPostSignature(post: PostRecord): boolean {
  return verifyRecordSignature('post', post.anonId, post.bytes);
}

/** BOARD_TTL (0 or above 30 days), BOARD_FUTURE, BOARD_EXPIRED. */
export function checkPostTimes(post: PostRecord, now: number): void {
  checkTimes('post', post.created, post.ttl, BOARD_LIMITS.maxPostTtlSeconds, now);
}

/** Opens message_ct with Q's private half (BOARD_BAD_SEAL) and checks the message's text rules. */
export async function openPostMessage(post: PostRecord, sealKeyPrivate: Uint8Array): Promise<PostMessage> {
  checkBytes('board seal key', sealKeyPrivate, X25519_KEY_LENGTH);
  let plain: Uint8Array;
  try {
    plain = await hpkeOpen(sealKeyPrivate, { enc: post.enc, ciphertext: post.messageCt }, { info: POST_INFO, aad: post.bytes.subarray(0, POST_HEAD_LENGTH) });
  } catch {
    throw boardError('BOARD_BAD_SEAL', `post ${post.id}: the message does not open under the board key`, 'crypto');
  }
  return decodeMessage(plain);
}

/**
 * Every check a replica makes before storing a post, cheapest first: structure, times, signature,
 * seal, text rules (BOARD_DUPLICATE is the store's). Returns the post and what it says.
 */
export async function acceptPost(bytes: Uint8Array, sealKeyPrivate: Uint8Array, now: number): Promise<{ post: PostRecord; message: PostMessage }> {
  const post = decodePost(bytes);
  checkPostTimes(post, now);
  if (!verifyPostSignature(post)) throw boardError('BOARD_BAD_SIGNATURE', `post ${post.id}: the signature does not verify under its anonymous ID`, 'crypto');
  return { post, message: await openPostMessage(post, sealKeyPrivate) };
}

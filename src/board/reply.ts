/**
 * Replies (docs/protocol.md §7.3):
 *
 *   reply    = version | created u64 | post_id (16) | post_anon_id (64) | bytes16 sealed_x
 *              | replier_id (64) | enc (32) | bytes32 reply_ct | sig (64)   (by replier_id)
 *   reply_ct = HPKE.SealBase(x_pub of the post, reply message, info = "tokumei-board/1 reply",
 *                            aad = everything before enc)
 *
 * The board stores replies it cannot read (it has neither x_priv nor y). A reply carries the
 * post's anon_id and sealed_x, so the poster opens it with y alone: y opens sealed_x (bound to
 * anon_id), which gives x_priv, which opens reply_ct.
 */
import { checkBytes, concatBytes, constantTimeEqual, fromHex, toHex, utf8, wipe } from '../crypto/bytes.js';
import { HPKE_ENC_LENGTH, HPKE_OVERHEAD, hpkeOpen, hpkeSeal } from '../crypto/hpke.js';
import type { RandomSource } from '../crypto/random.js';
import { X25519_KEY_LENGTH } from '../crypto/x25519.js';
import { ANON_ID_LENGTH, createAnonymousId } from '../anonymous-id/anonymous-id.js';
import { Writer } from '../wire/codec.js';
import { BoardErrors } from './board-errors.js';
import { decodeReplyMessage, encodeReplyMessage, MAX_REPLY_MESSAGE_BYTES } from './board-message.js';
import { POST_KEY_INFO, SEALED_X_LENGTH } from './post.js';
import { boardError, checkNow, parseWith, readVersion, recordId, RECORD_ID_LENGTH, RECORD_VERSION, signRecord, verifyRecordSignature } from './record-codec.js';
import { ANON_SIGNATURE_LENGTH } from '../anonymous-id/anonymous-id-signature.js';
import { BOARD_LIMITS, type PostRecord, type ReplyMessage, type ReplyRecord } from './types.js';

export const REPLY_INFO = utf8('tokumei-board/1 reply');
const MAX_REPLY_CT = MAX_REPLY_MESSAGE_BYTES + HPKE_OVERHEAD;
/** The largest valid reply. */
export const MAX_REPLY_BYTES = 1 + 8 + RECORD_ID_LENGTH + ANON_ID_LENGTH + 2 + SEALED_X_LENGTH + ANON_ID_LENGTH + HPKE_ENC_LENGTH + 4 + MAX_REPLY_CT + ANON_SIGNATURE_LENGTH;

export interface CreateReplyOptions {
  /** The post answered (as found by SEARCH or GET, its signature checked). */
  post: PostRecord;
  text: string;
  /** A tk1 address of the replier for the poster to answer to, or '' (default). */
  answerAddress?: string;
  now: number;
  /** The replier's anonymity key (signs under a fresh ID made with it). */
  anonymityKey: Uint8Array;
  random?: RandomSource;
}

export async function createReply(o: CreateReplyOptions): Promise<ReplyRecord> {
  checkNow('reply', o.now, 'bad-input');
  const message = encodeReplyMessage({ text: o.text, answerAddress: o.answerAddress ?? '' });
  const replierId = createAnonymousId(o.anonymityKey, o.random);
  const head = new Writer()
    .u8(RECORD_VERSION)
    .u64(o.now)
    .bytes(fromHex(o.post.id, RECORD_ID_LENGTH))
    .bytes(checkBytes('post anon_id', o.post.anonId, ANON_ID_LENGTH))
    .bytes16(checkBytes('post sealed_x', o.post.sealedX, SEALED_X_LENGTH))
    .bytes(replierId)
    .finish();
  const sealed = await hpkeSeal(o.post.xPub, message, { info: REPLY_INFO, aad: head });
  const body = new Writer().bytes(head).bytes(sealed.enc).bytes32(sealed.ciphertext).finish();
  return decodeReply(concatBytes(body, signRecord('reply', o.anonymityKey, replierId, body, o.random)));
}

/** Structure only (BOARD_BAD_RECORD; BOARD_TOO_LARGE for a ciphertext no valid reply fills). */
export function decodeReply(bytes: Uint8Array): ReplyRecord {
  return parseWith(bytes, 'reply', 'BOARD_BAD_RECORD', (r) => {
    readVersion(r, 'reply');
    const created = r.u64('created');
    const postId = toHex(r.bytes(RECORD_ID_LENGTH, 'post_id'));
    const postAnonId = r.bytes(ANON_ID_LENGTH, 'post_anon_id').slice();
    const sealedX = r.bytes16('sealed_x').slice();
    if (sealedX.length !== SEALED_X_LENGTH) throw boardError('BOARD_BAD_RECORD', `reply: sealed_x is ${sealedX.length} bytes, not ${SEALED_X_LENGTH}`);
    const replierId = r.bytes(ANON_ID_LENGTH, 'replier_id').slice();
    const enc = r.bytes(HPKE_ENC_LENGTH, 'enc').slice();
    const ctLength = r.u32('reply_ct');
    if (ctLength > MAX_REPLY_CT) throw BoardErrors.BOARD_TOO_LARGE(`reply: reply_ct is ${ctLength} bytes, more than ${MAX_REPLY_CT}`);
    if (ctLength < HPKE_OVERHEAD) throw boardError('BOARD_BAD_RECORD', `reply: reply_ct is ${ctLength} bytes, shorter than its tag`);
    const replyCt = r.bytes(ctLength, 'reply_ct').slice();
    const sig = r.bytes(ANON_SIGNATURE_LENGTH, 'sig').slice();
    const copy = bytes.slice();
    return { id: recordId(copy), bytes: copy, created, postId, postAnonId, sealedX, replierId, enc, replyCt, sig };
  });
}

export function verifyReplySignature(reply: ReplyRecord): boolean {
  return verifyRecordSignature('reply', reply.replierId, reply.bytes);
}

/**
 * Every check a replica makes before storing a reply to `storedPost` (found by the reply's
 * post_id; BOARD_NO_SUCH_POST, BOARD_DUPLICATE and BOARD_TOO_MANY_REPLIES are the store's):
 * structure, copies of the post (BOARD_REPLY_MISMATCH), times (BOARD_FUTURE; BOARD_EXPIRED when
 * the post has expired), signature.
 */
export function acceptReply(bytes: Uint8Array, storedPost: PostRecord, now: number): ReplyRecord {
  const reply = decodeReply(bytes);
  if (
    reply.postId !== storedPost.id ||
    !constantTimeEqual(reply.postAnonId, storedPost.anonId) ||
    !constantTimeEqual(reply.sealedX, storedPost.sealedX)
  ) {
    throw boardError('BOARD_REPLY_MISMATCH', `reply ${reply.id}: its post_id, anon_id or sealed_x is not the stored post's`);
  }
  checkNow('reply', now);
  if (reply.created > now + BOARD_LIMITS.futureSkewMs) throw boardError('BOARD_FUTURE', `reply ${reply.id}: created ${reply.created - now} ms in the future`, 'refused');
  if (storedPost.expires <= now) throw boardError('BOARD_EXPIRED', `reply ${reply.id}: post ${storedPost.id} has expired`, 'refused');
  if (!verifyReplySignature(reply)) throw boardError('BOARD_BAD_SIGNATURE', `reply ${reply.id}: the signature does not verify under its anonymous ID`, 'crypto');
  return reply;
}

/**
 * The poster opens a reply with its user key y: BOARD_NOT_MINE when sealed_x does not open (not
 * our post), BOARD_BAD_SIGNATURE, BOARD_BAD_SEAL when reply_ct does not open under x_priv.
 */
export async function openReply(reply: ReplyRecord, userPrivateKey: Uint8Array): Promise<ReplyMessage> {
  checkBytes('user private key', userPrivateKey, X25519_KEY_LENGTH);
  let xPrivate: Uint8Array;
  try {
    const sealed = { enc: reply.sealedX.subarray(0, HPKE_ENC_LENGTH), ciphertext: reply.sealedX.subarray(HPKE_ENC_LENGTH) };
    xPrivate = await hpkeOpen(userPrivateKey, sealed, { info: POST_KEY_INFO, aad: reply.postAnonId });
  } catch {
    throw boardError('BOARD_NOT_MINE', `reply ${reply.id}: the post it answers is not ours (sealed_x does not open)`, 'refused');
  }
  if (!verifyReplySignature(reply)) {
    wipe(xPrivate);
    throw boardError('BOARD_BAD_SIGNATURE', `reply ${reply.id}: the signature does not verify under its anonymous ID`, 'crypto');
  }
  let plain: Uint8Array;
  try {
    const aad = reply.bytes.subarray(0, reply.bytes.length - ANON_SIGNATURE_LENGTH - reply.replyCt.length - 4 - HPKE_ENC_LENGTH);
    plain = await hpkeOpen(xPrivate, { enc: reply.enc, ciphertext: reply.replyCt }, { info: REPLY_INFO, aad });
  } catch {
    throw boardError('BOARD_BAD_SEAL', `reply ${reply.id}: the reply does not open under the post's key`, 'crypto');
  } finally {
    wipe(xPrivate);
  }
  return decodeReplyMessage(plain);
}

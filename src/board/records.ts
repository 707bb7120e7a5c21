/**
 * The board's records (docs/protocol.md §7.3) in one import: posts, replies, reservations and
 * the messages sealed inside them. Each kind lives in its own file.
 */
export { MAX_POST_MESSAGE_BYTES, MAX_REPLY_MESSAGE_BYTES, decodeMessage, decodeReplyMessage, encodeMessage, encodeReplyMessage } from './board-message.js';
export { RECORD_ID_LENGTH, RECORD_VERSION, recordId } from './record-codec.js';
export { acceptPost, checkPostTimes, createPost, decodePost, MAX_POST_BYTES, openPostMessage, SEALED_X_LENGTH, verifyPostSignature, type CreatePostOptions } from './post.js';
export { acceptReply, createReply, decodeReply, MAX_REPLY_BYTES, openReply, verifyReplySignature, type CreateReplyOptions } from './reply.js';
export { acceptReservation, checkSearchTerms, createReservation, decodeReservation, MAX_RESERVATION_BYTES, verifyReservationSignature, type CreateReservationOptions } from './reservation.js';

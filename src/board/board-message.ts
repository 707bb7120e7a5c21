/**
 * The sealed contents of posts and replies (docs/protocol.md §7.3):
 *
 *   message       = string16 text | u8 nfields | nfields × (string8 key | string8 value)
 *   reply message = string16 text | string8 answer address ("" or a tk1 address of the replier)
 *
 * Encoders check the creator's input with the same rules decoders apply to a stranger's.
 */
import { ADDRESS_TEXT_LENGTH, decodeAddress } from '../routing/formats/one-time-address.js';
import { Writer } from '../wire/codec.js';
import { boardError, parseWith, readFields, readText16, writeFields } from './record-codec.js';
import { checkFields, checkText, decodeText } from './text-rules.js';
import { BOARD_LIMITS, type PostMessage, type ReplyMessage } from './types.js';

/** The largest encoded post message: it bounds message_ct before anything is opened. */
export const MAX_POST_MESSAGE_BYTES = 2 + BOARD_LIMITS.maxTextBytes + 1 + BOARD_LIMITS.maxFields * (2 + 32 + BOARD_LIMITS.maxFieldValueBytes);
export const MAX_REPLY_MESSAGE_BYTES = 2 + BOARD_LIMITS.maxTextBytes + 1 + ADDRESS_TEXT_LENGTH;

function checkPostText(text: string): string {
  return checkText(text, BOARD_LIMITS.maxTextBytes, 'BOARD_TOO_LARGE', { what: 'post text' });
}

/** "" or a valid tk1 address (BOARD_BAD_RECORD otherwise). */
function checkAnswerAddress(address: string): string {
  if (address === '') return address;
  try {
    decodeAddress(address);
  } catch (e) {
    throw boardError('BOARD_BAD_RECORD', `reply answer address: ${(e as Error).message}`, 'bad-input');
  }
  return address;
}

export function encodeMessage(message: PostMessage): Uint8Array {
  const w = new Writer().string16(checkPostText(message.text));
  return writeFields(w, checkFields(message.fields ?? [])).finish();
}

export function decodeMessage(bytes: Uint8Array): PostMessage {
  return parseWith(bytes, 'post message', 'BOARD_BAD_RECORD', (r) => {
    const text = readText16(r, 'post text', BOARD_LIMITS.maxTextBytes);
    return { text, fields: readFields(r) };
  });
}

export function encodeReplyMessage(message: ReplyMessage): Uint8Array {
  return new Writer()
    .string16(checkText(message.text, BOARD_LIMITS.maxTextBytes, 'BOARD_TOO_LARGE', { what: 'reply text' }))
    .string8(checkAnswerAddress(message.answerAddress ?? ''))
    .finish();
}

export function decodeReplyMessage(bytes: Uint8Array): ReplyMessage {
  return parseWith(bytes, 'reply message', 'BOARD_BAD_RECORD', (r) => {
    const text = readText16(r, 'reply text', BOARD_LIMITS.maxTextBytes);
    const answerAddress = checkAnswerAddress(decodeText(r.bytes8('answer address'), 'answer address', 'BOARD_BAD_RECORD'));
    return { text, answerAddress };
  });
}

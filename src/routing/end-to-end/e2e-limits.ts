/** Sizes and limits of end-to-end chunks (docs/protocol.md §6.8), shared by e2e, chunker and reassembler. */
import { X25519_KEY_LENGTH } from '../../crypto/x25519.js';
import { MAX_RELAY_DATA } from '../formats/relay-body.js';

export const SESSION_ID_LENGTH = 16;
/** Largest message a session carries (§6.8). */
export const MAX_MESSAGE_SIZE = 16 * 1024 * 1024;
/** Largest `bytes` of one chunk (the nonce's u16 length). */
export const MAX_CHUNK_LENGTH = 0xffff;
export const CHUNK_HEADER = 12;
export const CHUNK_TAG = 16;
/** Frame bytes around a chunk's data when it carries e_pub: 16 + 1 + 32 + 12 + 16 = 77. */
export const CHUNK_FRAME_OVERHEAD_MAX = SESSION_ID_LENGTH + 1 + X25519_KEY_LENGTH + CHUNK_HEADER + CHUNK_TAG;
/** Data bytes per chunk so that any frame fits one relay DATA cell: 997 − 77 = 920. */
export const MAX_CHUNK_BYTES = MAX_RELAY_DATA - CHUNK_FRAME_OVERHEAD_MAX;

export interface Chunk {
  msgNo: number;
  total: number;
  offset: number;
  bytes: Uint8Array;
}

/** Room for the envelope (session id, flags, key, reply address) in a DATA relay body. */
const ENVELOPE_OVERHEAD = 16 + 1 + 32 + 1 + 140 + 32;
/** Data bytes per chunk on a circuit, envelope included. */
export const CHUNK_BYTES = MAX_RELAY_DATA - ENVELOPE_OVERHEAD;

/** The largest message multicast carries: a larger one waits for a route (a flood of megabytes helps no one). */
export const MULTICAST_MAX_MESSAGE = 64 * 1024;

/**
 * The sender's side of §6.8: a message cut into chunks at fixed offsets (chunk i holds bytes
 * [i·size, (i+1)·size)), so a retransmitted chunk is the same chunk. The default size lets any
 * chunk frame (e_pub included) fit one relay DATA cell.
 */

import { badArgument, checkBytes } from '../../crypto/bytes.js';
import { MAX_CHUNK_BYTES, MAX_CHUNK_LENGTH, MAX_MESSAGE_SIZE, type Chunk } from './e2e-limits.js';
import { RoutingErrors } from '../core/routing-errors.js';

export class Chunker implements Iterable<Chunk> {
  /** Number of chunks; an empty message is one empty chunk. */
  readonly count: number;

  constructor(
    readonly msgNo: number,
    private readonly message: Uint8Array,
    readonly chunkBytes = MAX_CHUNK_BYTES,
  ) {
    if (!Number.isInteger(msgNo) || msgNo < 0 || msgNo > 0xffff_ffff) badArgument('msgNo must be a u32');
    checkBytes('message', message);
    if (!Number.isInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > MAX_CHUNK_LENGTH) badArgument(`chunk size must be 1..${MAX_CHUNK_LENGTH}`);
    if (message.length > MAX_MESSAGE_SIZE) {
      throw RoutingErrors.E2E_MESSAGE_TOO_LARGE(`message of ${message.length} bytes exceeds ${MAX_MESSAGE_SIZE}`);
    }
    this.count = Math.max(1, Math.ceil(message.length / chunkBytes));
  }

  get total(): number {
    return this.message.length;
  }

  /** Chunk `index` (0..count−1); `bytes` is a view of the message. */
  chunk(index: number): Chunk {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) badArgument(`chunk index must be 0..${this.count - 1}`);
    const offset = index * this.chunkBytes;
    return { msgNo: this.msgNo, total: this.message.length, offset, bytes: this.message.subarray(offset, offset + this.chunkBytes) };
  }

  *[Symbol.iterator](): Iterator<Chunk> {
    for (let i = 0; i < this.count; i++) yield this.chunk(i);
  }
}

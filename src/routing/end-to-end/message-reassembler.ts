/**
 * The receiving side of §6.8 (docs/protocol.md): chunks of numbered messages, in any order and
 * possibly repeated (retransmissions, repairs), become each whole message exactly once.
 *
 * Bounds, all per session: a message ≤ 16 MiB; ≤ 64 messages in progress; ≤ maxBufferedBytes
 * (default 32 MiB) of buffers; message numbers within `window` of the oldest undelivered one.
 * Delivered numbers are remembered from that oldest one upward, so a late duplicate of a delivered
 * message is recognised (`isDelivered`, for re-acknowledging) and never delivered twice.
 */
import { TokumeiError } from '../../errors.js';
import { badArgument, checkBytes } from '../../crypto/bytes.js';
import { MAX_MESSAGE_SIZE, type Chunk } from './e2e-limits.js';
import { RoutingErrors } from '../core/routing-errors.js';

export interface MessageReassemblerOptions {
  /** Largest message, bytes (default and maximum 16 MiB). */
  maxMessageBytes?: number;
  /** Messages in progress at once (default 64). */
  maxConcurrent?: number;
  /** Bytes of all buffers in progress (default 32 MiB). */
  maxBufferedBytes?: number;
  /** How far above the oldest undelivered number a message may be (default 1,024). */
  window?: number;
  /** The session's first message number (default 0). */
  firstMsgNo?: number;
}

interface InProgress {
  total: number;
  buffer: Uint8Array;
  /** Received byte ranges [start, end), sorted, disjoint, merged. BOUNDED(MAX_RANGES). */
  ranges: [number, number][];
}

/** Gaps a message may have at once; far more than any honest reordering makes. */
const MAX_RANGES = 16_384;

function refused(code: string, message: string): never {
  throw new TokumeiError('refused', code, message);
}

export class MessageReassembler {
  private readonly maxMessageBytes: number;
  private readonly maxConcurrent: number;
  private readonly maxBufferedBytes: number;
  private readonly window: number;
  // BOUNDED(maxConcurrent) and BOUNDED(maxBufferedBytes) in bytes.
  private readonly partial = new Map<number, InProgress>();
  // BOUNDED(window): delivered numbers above `nextUndelivered`.
  private readonly deliveredAbove = new Set<number>();
  private nextUndelivered: number;
  private buffered = 0;

  constructor(o: MessageReassemblerOptions = {}) {
    this.maxMessageBytes = o.maxMessageBytes ?? MAX_MESSAGE_SIZE;
    this.maxConcurrent = o.maxConcurrent ?? 64;
    this.maxBufferedBytes = o.maxBufferedBytes ?? 2 * MAX_MESSAGE_SIZE;
    this.window = o.window ?? 1024;
    this.nextUndelivered = o.firstMsgNo ?? 0;
    if (!Number.isInteger(this.maxMessageBytes) || this.maxMessageBytes < 0 || this.maxMessageBytes > MAX_MESSAGE_SIZE) badArgument('bad maxMessageBytes');
    for (const [name, v] of [['maxConcurrent', this.maxConcurrent], ['maxBufferedBytes', this.maxBufferedBytes], ['window', this.window]] as const) {
      if (!Number.isInteger(v) || v < 1) badArgument(`${name} must be a positive integer`);
    }
    if (!Number.isInteger(this.nextUndelivered) || this.nextUndelivered < 0) badArgument('bad firstMsgNo');
  }

  /** Messages in progress. */
  get pending(): number {
    return this.partial.size;
  }

  /** Bytes held in progress buffers. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Bytes of message `msgNo` held from offset 0 on (0 when none, or when it is not in progress). */
  received(msgNo: number): number {
    const first = this.partial.get(msgNo)?.ranges[0];
    return first && first[0] === 0 ? first[1] : 0;
  }

  /** True when message `msgNo` was already returned by `add`. */
  isDelivered(msgNo: number): boolean {
    return msgNo < this.nextUndelivered || this.deliveredAbove.has(msgNo);
  }

  /**
   * Takes one opened chunk; returns the whole message when this chunk completes it, else
   * `undefined` (also for duplicates). Over a bound: E2E_MESSAGE_TOO_LARGE, E2E_TOO_MANY_MESSAGES,
   * E2E_BUFFER_FULL, E2E_OUT_OF_WINDOW (refused); a chunk that disagrees with its message's total or
   * lies outside it: E2E_CHUNK_INVALID (protocol).
   */
  add(chunk: Chunk): Uint8Array | undefined {
    const { msgNo, total, offset, bytes } = chunk;
    checkBytes('chunk bytes', bytes);
    if (!Number.isInteger(msgNo) || !Number.isInteger(total) || !Number.isInteger(offset) || msgNo < 0 || total < 0 || offset < 0) {
      throw RoutingErrors.E2E_CHUNK_INVALID('chunk fields must be non-negative integers');
    }
    if (offset + bytes.length > total || (bytes.length === 0 && total !== 0)) {
      throw RoutingErrors.E2E_CHUNK_INVALID('chunk lies outside its message');
    }
    if (this.isDelivered(msgNo)) return undefined;
    let p = this.partial.get(msgNo);
    if (!p) {
      if (total > this.maxMessageBytes) refused('E2E_MESSAGE_TOO_LARGE', `message of ${total} bytes exceeds ${this.maxMessageBytes}`);
      if (msgNo >= this.nextUndelivered + this.window) refused('E2E_OUT_OF_WINDOW', `message ${msgNo} is beyond the window`);
      if (this.partial.size >= this.maxConcurrent) refused('E2E_TOO_MANY_MESSAGES', `${this.maxConcurrent} messages already in progress`);
      if (this.buffered + total > this.maxBufferedBytes) refused('E2E_BUFFER_FULL', 'reassembly buffers full');
      p = { total, buffer: new Uint8Array(total), ranges: [] };
      this.partial.set(msgNo, p);
      this.buffered += total;
    } else if (p.total !== total) {
      throw RoutingErrors.E2E_CHUNK_INVALID(`message ${msgNo}: total ${total}, was ${p.total}`);
    }
    const end = offset + bytes.length;
    if (total > 0 && covered(p.ranges, offset, end)) return undefined; // duplicate
    if (p.ranges.length >= MAX_RANGES) refused('E2E_TOO_FRAGMENTED', `message ${msgNo} has too many gaps`);
    p.buffer.set(bytes, offset);
    insertRange(p.ranges, offset, end);
    const first = p.ranges[0];
    if (total > 0 && !(p.ranges.length === 1 && first![0] === 0 && first![1] === total)) return undefined;
    this.partial.delete(msgNo);
    this.buffered -= total;
    this.markDelivered(msgNo);
    return p.buffer;
  }

  private markDelivered(msgNo: number): void {
    this.deliveredAbove.add(msgNo);
    while (this.deliveredAbove.delete(this.nextUndelivered)) this.nextUndelivered++;
  }
}

/** Index of the first range whose end is ≥ `at` (ranges.length if none). */
function firstEndingAtOrAfter(ranges: [number, number][], at: number): number {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ranges[mid]![1] < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function covered(ranges: [number, number][], start: number, end: number): boolean {
  const r = ranges[firstEndingAtOrAfter(ranges, end)];
  return r !== undefined && r[0] <= start;
}

/** Adds [start, end) to sorted, merged `ranges`, merging neighbours and overlaps. */
function insertRange(ranges: [number, number][], start: number, end: number): void {
  const i = firstEndingAtOrAfter(ranges, start);
  let s = start;
  let e = end;
  let j = i;
  while (j < ranges.length && ranges[j]![0] <= e) {
    s = Math.min(s, ranges[j]![0]);
    e = Math.max(e, ranges[j]![1]);
    j++;
  }
  ranges.splice(i, j - i, [s, e]);
}

/**
 * Bounds-checked binary reader and writer (docs/protocol.md §1). Decoders never trust a length:
 * every read checks what is left and fails with a typed `WIRE_TRUNCATED` / `WIRE_INVALID` error.
 * Integers are big-endian.
 */
import { TokumeiError } from '../errors.js';
import { WireErrors } from './wire-errors.js';

export function wireError(code: 'WIRE_TRUNCATED' | 'WIRE_INVALID' | 'WIRE_TOO_LARGE', message: string): TokumeiError {
  return new TokumeiError('protocol', code, message);
}

export class Reader {
  private offset = 0;
  constructor(private readonly buf: Uint8Array) {}

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  private take(n: number, what: string): Uint8Array {
    if (!Number.isInteger(n) || n < 0 || n > this.remaining) {
      throw wireError('WIRE_TRUNCATED', `${what}: need ${n} bytes, ${this.remaining} left`);
    }
    const out = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  u8(what = 'u8'): number {
    return this.take(1, what)[0]!;
  }
  u16(what = 'u16'): number {
    const b = this.take(2, what);
    return (b[0]! << 8) | b[1]!;
  }
  u32(what = 'u32'): number {
    const b = this.take(4, what);
    return ((b[0]! << 24) >>> 0) + ((b[1]! << 16) | (b[2]! << 8) | b[3]!);
  }
  /** A u64 that must fit a JS safe integer (timestamps in ms). */
  u64(what = 'u64'): number {
    const hi = this.u32(what);
    const lo = this.u32(what);
    if (hi > 0x1fffff) throw wireError('WIRE_INVALID', `${what}: integer too large`);
    return hi * 0x1_0000_0000 + lo;
  }
  bytes(n: number, what = 'bytes'): Uint8Array {
    return this.take(n, what);
  }
  /** u8 length, then that many bytes. */
  bytes8(what = 'bytes8'): Uint8Array {
    return this.take(this.u8(what), what);
  }
  /** u16 length, then that many bytes. */
  bytes16(what = 'bytes16'): Uint8Array {
    return this.take(this.u16(what), what);
  }
  /**
   * u32 length, then that many bytes. `max` bounds the length before anything is taken, so a
   * hostile length is WIRE_TOO_LARGE even when the buffer happens to hold that much.
   */
  bytes32(what = 'bytes32', max = 0xffff_ffff): Uint8Array {
    const n = this.u32(what);
    if (n > max) throw wireError('WIRE_TOO_LARGE', `${what}: ${n} bytes, at most ${max} allowed`);
    return this.take(n, what);
  }
  /** u8-length UTF-8 string; refuses control characters. */
  string8(what = 'string'): string {
    const raw = this.bytes8(what);
    const s = new TextDecoder('utf-8', { fatal: false }).decode(raw);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(s) || s.includes('\ufffd')) throw wireError('WIRE_INVALID', `${what}: not printable UTF-8`);
    return s;
  }
  /** u16-length UTF-8 string (strict decoding); refuses control characters. */
  string16(what = 'string'): string {
    const raw = this.bytes16(what);
    let s: string;
    try {
      s = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw wireError('WIRE_INVALID', `${what}: not UTF-8`);
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(s)) throw wireError('WIRE_INVALID', `${what}: not printable UTF-8`);
    return s;
  }
  rest(): Uint8Array {
    return this.take(this.remaining, 'rest');
  }
  /** Fails unless every byte was consumed. */
  end(what = 'message'): void {
    if (this.remaining !== 0) throw wireError('WIRE_INVALID', `${what}: ${this.remaining} trailing bytes`);
  }
}

export class Writer {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): this {
    this.chunks.push(b);
    this.size += b.length;
    return this;
  }
  u8(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw WireErrors.WIRE_RANGE(`u8 out of range: ${v}`);
    return this.push(Uint8Array.of(v));
  }
  u16(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw WireErrors.WIRE_RANGE(`u16 out of range: ${v}`);
    return this.push(Uint8Array.of(v >>> 8, v & 0xff));
  }
  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) throw WireErrors.WIRE_RANGE(`u32 out of range: ${v}`);
    return this.push(Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff));
  }
  u64(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw WireErrors.WIRE_RANGE(`u64 out of range: ${v}`);
    return this.u32(Math.floor(v / 0x1_0000_0000)).u32(v % 0x1_0000_0000);
  }
  bytes(b: Uint8Array): this {
    return this.push(b);
  }
  bytes8(b: Uint8Array): this {
    return this.u8(b.length).push(b);
  }
  bytes16(b: Uint8Array): this {
    return this.u16(b.length).push(b);
  }
  /** u32 length, then the bytes. */
  bytes32(b: Uint8Array): this {
    return this.u32(b.length).push(b);
  }
  string8(s: string): this {
    return this.bytes8(new TextEncoder().encode(s));
  }
  string16(s: string): this {
    return this.bytes16(new TextEncoder().encode(s));
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

/**
 * The fixed-size cell (docs/protocol.md §3). After the link handshake every byte on a link is a
 * cell of CELL_SIZE bytes:
 *
 *   circ_id u32 | command u8 | flags u8 | length u16 | payload[length] | zero padding
 *
 * circ_id 0 is the link itself; other ids name circuits (routing layer). Length, type and routing
 * information sit inside the TLS record, so an observer sees only equal-sized records.
 */
import { wireError } from './codec.js';

export const CELL_SIZE = 1024;
export const CELL_HEADER_SIZE = 8;
export const CELL_PAYLOAD_SIZE = CELL_SIZE - CELL_HEADER_SIZE; // 1016

/** Flag: more fragments of the same link message follow (link messages only). */
export const FLAG_MORE = 0x01;

export const Command = {
  /** Keep-alive and idle padding; carries nothing and is ignored. */
  PADDING: 0x00,
  CHALLENGE: 0x01,
  AUTHENTICATE: 0x02,
  PING: 0x03,
  PONG: 0x04,
  CLOSE: 0x05,
  DESCRIPTOR: 0x10,
  PEERS_REQUEST: 0x11,
  PEERS: 0x12,
  CRL: 0x13,
  ROUTE_SEEK: 0x14,
  ROUTE_INFO: 0x15,
  MULTICAST: 0x16,
} as const;
export type CommandCode = (typeof Command)[keyof typeof Command];

/** Commands on a circuit (circ_id ≠ 0), docs/protocol.md §6.5–6.7. */
export const CircuitCommand = {
  CREATE: 0x20,
  RELAY: 0x21,
  DESTROY: 0x22,
  BACKTRACK: 0x23,
} as const;

const KNOWN_LINK_COMMANDS = new Set<number>(Object.values(Command));
const KNOWN_CIRCUIT_COMMANDS = new Set<number>(Object.values(CircuitCommand));

export interface Cell {
  circId: number;
  command: number;
  flags: number;
  payload: Uint8Array;
}

export function encodeCell(cell: Cell): Uint8Array {
  const { circId, command, flags, payload } = cell;
  if (payload.length > CELL_PAYLOAD_SIZE) throw wireError('WIRE_TOO_LARGE', `cell payload ${payload.length} > ${CELL_PAYLOAD_SIZE}`);
  const out = new Uint8Array(CELL_SIZE);
  const view = new DataView(out.buffer);
  view.setUint32(0, circId >>> 0);
  out[4] = command;
  out[5] = flags;
  view.setUint16(6, payload.length);
  out.set(payload, CELL_HEADER_SIZE);
  return out;
}

/** Decodes one CELL_SIZE-byte cell; the payload is a view into `bytes`. */
export function decodeCell(bytes: Uint8Array): Cell {
  if (bytes.length !== CELL_SIZE) throw wireError('WIRE_INVALID', `cell must be ${CELL_SIZE} bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const circId = view.getUint32(0);
  const command = bytes[4]!;
  const flags = bytes[5]!;
  const length = view.getUint16(6);
  if (length > CELL_PAYLOAD_SIZE) throw wireError('WIRE_INVALID', `cell length ${length} > ${CELL_PAYLOAD_SIZE}`);
  if (circId === 0 && !KNOWN_LINK_COMMANDS.has(command)) throw wireError('WIRE_INVALID', `unknown link command 0x${command.toString(16)}`);
  if (circId !== 0 && !KNOWN_CIRCUIT_COMMANDS.has(command)) throw wireError('WIRE_INVALID', `unknown circuit command 0x${command.toString(16)}`);
  if (circId !== 0 && flags !== 0) throw wireError('WIRE_INVALID', 'circuit cells are never fragmented');
  if ((flags & ~FLAG_MORE) !== 0) throw wireError('WIRE_INVALID', `unknown cell flags 0x${flags.toString(16)}`);
  return { circId, command, flags, payload: bytes.subarray(CELL_HEADER_SIZE, CELL_HEADER_SIZE + length) };
}

/**
 * Splits a byte stream into cells. The transport delivers chunks of any size; cells come out
 * whole. Holds at most one partial cell (BOUNDED(CELL_SIZE)).
 */
export class CellFramer {
  private partial = new Uint8Array(CELL_SIZE);
  private filled = 0;

  push(chunk: Uint8Array, onCell: (bytes: Uint8Array) => void): void {
    let o = 0;
    while (o < chunk.length) {
      if (this.filled === 0 && chunk.length - o >= CELL_SIZE) {
        onCell(chunk.subarray(o, o + CELL_SIZE));
        o += CELL_SIZE;
        continue;
      }
      const n = Math.min(CELL_SIZE - this.filled, chunk.length - o);
      this.partial.set(chunk.subarray(o, o + n), this.filled);
      this.filled += n;
      o += n;
      if (this.filled === CELL_SIZE) {
        const whole = this.partial;
        this.partial = new Uint8Array(CELL_SIZE);
        this.filled = 0;
        onCell(whole);
      }
    }
  }
}

/** Splits one link message into cells (FLAG_MORE on all but the last). */
export function fragmentMessage(command: number, body: Uint8Array): Cell[] {
  const cells: Cell[] = [];
  let o = 0;
  do {
    const n = Math.min(CELL_PAYLOAD_SIZE, body.length - o);
    const last = o + n >= body.length;
    cells.push({ circId: 0, command, flags: last ? 0 : FLAG_MORE, payload: body.subarray(o, o + n) });
    o += n;
  } while (o < body.length);
  return cells;
}

/** A link message as the encoded cells that carry it (encode once, send on many links). */
export function encodeMessage(command: number, body: Uint8Array): Uint8Array[] {
  return fragmentMessage(command, body).map(encodeCell);
}

/**
 * Reassembles fragmented link messages. A link carries one message at a time (the sender writes
 * a message's cells back to back), so one buffer suffices. BOUNDED(maxMessage).
 */
export class MessageAssembler {
  private command = -1;
  private parts: Uint8Array[] = [];
  private size = 0;

  constructor(private readonly maxMessage: number) {}

  /** Returns the whole message when `cell` completes one, else undefined. */
  push(cell: Cell): { command: number; body: Uint8Array } | undefined {
    if (this.command !== -1 && cell.command !== this.command) {
      throw wireError('WIRE_INVALID', `fragment of 0x${cell.command.toString(16)} inside 0x${this.command.toString(16)}`);
    }
    this.size += cell.payload.length;
    if (this.size > this.maxMessage) throw wireError('WIRE_TOO_LARGE', `link message over ${this.maxMessage} bytes`);
    if ((cell.flags & FLAG_MORE) === 0 && this.command === -1) {
      this.size = 0;
      return { command: cell.command, body: cell.payload.slice() };
    }
    this.command = cell.command;
    this.parts.push(cell.payload.slice());
    if ((cell.flags & FLAG_MORE) !== 0) return undefined;
    const body = new Uint8Array(this.size);
    let o = 0;
    for (const p of this.parts) {
      body.set(p, o);
      o += p.length;
    }
    this.command = -1;
    this.parts = [];
    this.size = 0;
    return { command: cell.command, body };
  }
}

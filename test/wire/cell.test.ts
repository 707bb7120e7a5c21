import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  CELL_PAYLOAD_SIZE,
  CELL_SIZE,
  CellFramer,
  Command,
  FLAG_MORE,
  MessageAssembler,
  decodeCell,
  encodeCell,
  fragmentMessage,
} from '../../src/wire/cell.js';
import { Reader, Writer } from '../../src/wire/codec.js';
import { TokumeiError } from '../../src/errors.js';

test('a cell is always CELL_SIZE bytes and round-trips', () => {
  for (const len of [0, 1, 100, CELL_PAYLOAD_SIZE]) {
    const payload = randomBytes(len);
    const bytes = encodeCell({ circId: 7, command: 0x20, flags: 0, payload });
    assert.equal(bytes.length, CELL_SIZE);
    const cell = decodeCell(bytes);
    assert.equal(cell.circId, 7);
    assert.equal(cell.command, 0x20);
    assert.deepEqual(Buffer.from(cell.payload), payload);
  }
});

test('oversized payloads are refused when encoding', () => {
  assert.throws(() => encodeCell({ circId: 0, command: Command.PING, flags: 0, payload: new Uint8Array(CELL_PAYLOAD_SIZE + 1) }), { code: 'WIRE_TOO_LARGE' });
});

test('decoder never trusts the length field, flags or command', () => {
  const bytes = encodeCell({ circId: 0, command: Command.PING, flags: 0, payload: new Uint8Array(8) });
  const badLength = bytes.slice();
  new DataView(badLength.buffer).setUint16(6, CELL_PAYLOAD_SIZE + 1);
  assert.throws(() => decodeCell(badLength), { code: 'WIRE_INVALID' });
  const badFlags = bytes.slice();
  badFlags[5] = 0x80;
  assert.throws(() => decodeCell(badFlags), { code: 'WIRE_INVALID' });
  const badCommand = bytes.slice();
  badCommand[4] = 0x7f;
  assert.throws(() => decodeCell(badCommand), { code: 'WIRE_INVALID' });
  assert.throws(() => decodeCell(bytes.subarray(0, 100)), { code: 'WIRE_INVALID' });
});

test('random cells decode or fail with a typed error, never anything else', () => {
  for (let i = 0; i < 2000; i++) {
    const bytes = randomBytes(CELL_SIZE);
    if (i % 2 === 0) bytes.writeUInt32BE(0, 0);
    try {
      decodeCell(bytes);
    } catch (e) {
      assert.ok(e instanceof TokumeiError, String(e));
    }
  }
});

test('the framer yields whole cells from chunks of any size', () => {
  const cells = Array.from({ length: 5 }, (_, i) => encodeCell({ circId: i + 1, command: 0x20, flags: 0, payload: randomBytes(i * 50) }));
  const stream = Buffer.concat(cells);
  for (const chunk of [1, 7, 1000, 1024, 1500, stream.length]) {
    const out: number[] = [];
    const framer = new CellFramer();
    for (let o = 0; o < stream.length; o += chunk) framer.push(stream.subarray(o, o + chunk), (b) => out.push(decodeCell(b).circId));
    assert.deepEqual(out, [1, 2, 3, 4, 5], `chunk ${chunk}`);
  }
});

test('link messages fragment and reassemble, bounded in size', () => {
  const body = randomBytes(5000);
  const cells = fragmentMessage(Command.PEERS, body);
  assert.equal(cells.length, Math.ceil(5000 / CELL_PAYLOAD_SIZE));
  assert.ok(cells.slice(0, -1).every((c) => c.flags === FLAG_MORE));
  const asm = new MessageAssembler(64 * 1024);
  let whole: { command: number; body: Uint8Array } | undefined;
  for (const c of cells) whole = asm.push(decodeCell(encodeCell(c)));
  assert.equal(whole?.command, Command.PEERS);
  assert.deepEqual(Buffer.from(whole!.body), body);
  const empty = fragmentMessage(Command.PEERS_REQUEST, new Uint8Array(0));
  assert.equal(empty.length, 1);
  assert.equal(new MessageAssembler(10).push(empty[0]!)?.body.length, 0);

  const small = new MessageAssembler(2000);
  assert.throws(() => {
    for (const c of cells) small.push(c);
  }, { code: 'WIRE_TOO_LARGE' });
  const mixed = new MessageAssembler(64 * 1024);
  mixed.push(cells[0]!);
  assert.throws(() => mixed.push({ ...cells[1]!, command: Command.CRL }), { code: 'WIRE_INVALID' });
});

test('reader checks every length', () => {
  const bytes = new Writer().u8(1).u16(513).u32(0xdeadbeef).u64(1_780_000_000_000).bytes16(new Uint8Array(3)).string8('node-1:7000').finish();
  const r = new Reader(bytes);
  assert.equal(r.u8(), 1);
  assert.equal(r.u16(), 513);
  assert.equal(r.u32(), 0xdeadbeef);
  assert.equal(r.u64(), 1_780_000_000_000);
  assert.equal(r.bytes16().length, 3);
  assert.equal(r.string8(), 'node-1:7000');
  r.end();
  assert.throws(() => new Reader(Uint8Array.of(0, 9, 1)).bytes16(), { code: 'WIRE_TRUNCATED' });
  assert.throws(() => new Reader(Uint8Array.of(2, 0x41, 0x0a)).string8(), { code: 'WIRE_INVALID' });
  assert.throws(() => new Reader(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0)).u64(), { code: 'WIRE_INVALID' });
});

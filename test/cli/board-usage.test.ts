/**
 * The board commands' command lines, in process (no node runs): mistakes are usage errors (exit
 * 2, one line, the board's code where there is one) found before any node is asked; a text the
 * board would refuse for its size is BOARD_TOO_LARGE (exit 1) without asking either; `board init`
 * makes a BOARDDIR once; durations and fields parse as documented.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/cli-io.js';
import { parseDuration, parseFields } from '../../src/cli/board-args.js';
import type { Values } from '../../src/cli/args.js';
import { generateBoardKeys } from '../../src/board/board-keys.js';
import { assertOneLine } from './helpers/one-line.js';
import { fakeAddress } from '../control/helpers/fake-routing.js';

const BOARD = generateBoardKeys().address;
const POST_ID = '0123456789abcdef0123456789abcdef';

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    env: { TOKUMEI_KDF_LOG_N: '14', ...env },
    stdin: { isTTY: false } as NodeJS.ReadStream,
    stdoutIsTty: false,
  };
  const code = await run(argv, io);
  return { code, out, err };
}

describe('board commands: command lines', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokumei-board-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const usage: Array<[string, (d: string) => string[], string, RegExp]> = [
    ['post without --board', (d) => ['post', '--dir', d, '--text', 'x'], 'CLI_USAGE', /missing --board/],
    ['post without text', (d) => ['post', '--dir', d, '--board', BOARD], 'CLI_USAGE', /--file and --text/],
    ['post with a bad board address', (d) => ['post', '--dir', d, '--board', BOARD.slice(0, -3), '--text', 'x'], 'BOARD_ADDRESS_INVALID', /--board/],
    ['post to a one-time address', (d) => ['post', '--dir', d, '--board', fakeAddress(2), '--text', 'x'], 'BOARD_ADDRESS_INVALID', /--board/],
    ['post with a field key in capitals', (d) => ['post', '--dir', d, '--board', BOARD, '--text', 'x', '--field', 'Topic=x'], 'BOARD_BAD_FIELD', /--field/],
    ['post with a field without =', (d) => ['post', '--dir', d, '--board', BOARD, '--text', 'x', '--field', 'topic'], 'CLI_USAGE', /key=value/],
    ['post with a repeated field', (d) => ['post', '--dir', d, '--board', BOARD, '--text', 'x', '--field', 'a=1', '--field', 'a=2'], 'BOARD_BAD_FIELD', /repeated/],
    ['post with a long field value', (d) => ['post', '--dir', d, '--board', BOARD, '--text', 'x', '--field', `a=${'v'.repeat(129)}`], 'BOARD_BAD_FIELD', /128/],
    ['post with a ttl over 30 days', (d) => ['post', '--dir', d, '--board', BOARD, '--text', 'x', '--ttl', '31d'], 'CLI_USAGE', /at most 30d/],
    ['post with a ttl of 0', (d) => ['post', '--dir', d, '--board', BOARD, '--text', 'x', '--ttl', '0s'], 'CLI_USAGE', /duration/],
    ['post with a ttl without unit', (d) => ['post', '--dir', d, '--board', BOARD, '--text', 'x', '--ttl', '60'], 'CLI_USAGE', /duration/],
    ['search with neither query nor field', (d) => ['search', '--dir', d, '--board', BOARD], 'CLI_USAGE', /--query, --field/],
    ['search with a reservation over 7 days', (d) => ['search', '--dir', d, '--board', BOARD, '--query', 'x', '--reserve', '8d'], 'CLI_USAGE', /at most 7d/],
    ['search with a limit of 51', (d) => ['search', '--dir', d, '--board', BOARD, '--query', 'x', '--limit', '51'], 'CLI_USAGE', /--limit/],
    ['board reply without --post', (d) => ['reply', '--dir', d, '--board', BOARD, '--text', 'x'], 'CLI_USAGE', /missing --post/],
    ['board reply to a bad post id', (d) => ['reply', '--dir', d, '--board', BOARD, '--post', POST_ID.toUpperCase(), '--text', 'x'], 'BOARD_POST_ID_INVALID', /--post/],
    ['board reply with a bad answer address', (d) => ['reply', '--dir', d, '--board', BOARD, '--post', POST_ID, '--text', 'x', '--answer-address', 'tk1no'], 'ADDRESS_INVALID', /--answer-address/],
    ['board reply with --to-message', (d) => ['reply', '--dir', d, '--board', BOARD, '--post', POST_ID, '--text', 'x', '--to-message', 'ab'], 'CLI_USAGE', /to-message/],
    ['replies with a bad post id', (d) => ['replies', '--dir', d, '--board', BOARD, '--post', 'xyz'], 'BOARD_POST_ID_INVALID', /--post/],
    ['notifications without --dir', () => ['notifications'], 'CLI_USAGE', /missing --dir/],
    ['unknown board subcommand', () => ['board', 'frob'], 'CLI_USAGE', /board frob/],
    ['board init without --out', () => ['board', 'init'], 'CLI_USAGE', /missing --out/],
    ['board status without --dir', () => ['board', 'status'], 'CLI_USAGE', /missing --dir/],
    ['node with an empty --board', (d) => ['node', '--dir', d, '--listen', '127.0.0.1:0', '--peers', join(d, 'prefs.txt'), '--board', ''], 'CLI_USAGE', /--board/],
  ];
  for (const [name, args, code, message] of usage) {
    test(`${name}: exit 2, ${code}`, async () => {
      await writeFile(join(dir, 'prefs.txt'), '127.0.0.1:9\n');
      const r = await cli(args(dir));
      assert.equal(r.code, 2, r.err);
      assertOneLine(r.err, code);
      assert.match(r.err, message);
      assert.equal(r.out, '');
    });
  }

  test('a text over 16,384 bytes is BOARD_TOO_LARGE (exit 1) before any node is asked; a good one goes to the node', async () => {
    const big = await cli(['post', '--dir', dir, '--board', BOARD, '--text', 'ü'.repeat(8_193)]);
    assert.equal(big.code, 1);
    assertOneLine(big.err, 'BOARD_TOO_LARGE');
    const file = join(dir, 'big.txt');
    await writeFile(file, 'x'.repeat(16_385));
    assertOneLine((await cli(['reply', '--dir', dir, '--board', BOARD, '--post', POST_ID, '--file', file])).err, 'BOARD_TOO_LARGE');
    await writeFile(file, Buffer.from([0x68, 0xff, 0x69]));
    assertOneLine((await cli(['post', '--dir', dir, '--board', BOARD, '--file', file])).err, 'BOARD_BAD_TEXT');
    const ok = await cli(['post', '--dir', dir, '--board', BOARD, '--text', 'ü'.repeat(8_192)]);
    assert.equal(ok.code, 1);
    assertOneLine(ok.err, 'CONTROL_NOT_RUNNING');
  });

  test('board init makes a BOARDDIR once; --board takes the BOARDDIR too; the passphrase is the board one', async () => {
    const boardDir = join(dir, 'board');
    const none = await cli(['board', 'init', '--out', boardDir]);
    assert.equal(none.code, 1);
    assertOneLine(none.err, 'PASSPHRASE_REQUIRED');
    const made = await cli(['board', 'init', '--out', boardDir, '--json'], { TOKUMEI_BOARD_PASSPHRASE: 'board secret', TOKUMEI_PASSPHRASE: 'member secret' });
    assert.equal(made.code, 0, made.err);
    const { address } = JSON.parse(made.out) as { address: string };
    assert.match(address, /^tkb1/);
    const again = await cli(['board', 'init', '--out', boardDir], { TOKUMEI_PASSPHRASE: 'x' });
    assert.equal(again.code, 1);
    assertOneLine(again.err, 'BOARD_DIR_EXISTS');
    const { loadBoardDir } = await import('../../src/board/board-keys.js');
    assert.equal((await loadBoardDir(boardDir, 'board secret')).address, address, 'sealed under TOKUMEI_BOARD_PASSPHRASE');
    const viaDir = await cli(['search', '--dir', dir, '--board', boardDir, '--query', 'x']);
    assertOneLine(viaDir.err, 'CONTROL_NOT_RUNNING');
    const human = await cli(['board', 'init', '--out', join(dir, 'board2')], { TOKUMEI_PASSPHRASE: 'p' });
    assert.match(human.out, /^created board in .*\naddress: tkb1/);
  });

  test('durations and fields', () => {
    assert.deepEqual(['30s', '10m', '1h', '7d', '30d'].map((d) => parseDuration(d, 'ttl', 'post', 30 * 86_400)), [30, 600, 3600, 604_800, 2_592_000]);
    for (const bad of ['', '1', '1.5h', '-1h', '1w', '1H', ' 1h', '01h', '99999999s']) assert.throws(() => parseDuration(bad, 'ttl', 'post', 30 * 86_400), /duration|at most/, bad);
    assert.deepEqual(parseFields({ field: ['topic=study', 'note=a=b', 'empty='] } as unknown as Values, 'post'), [
      { key: 'topic', value: 'study' },
      { key: 'note', value: 'a=b' },
      { key: 'empty', value: '' },
    ]);
    assert.deepEqual(parseFields({}, 'post'), []);
  });
});

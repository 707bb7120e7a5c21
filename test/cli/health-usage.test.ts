/**
 * The health commands' command lines, in process (no node runs): `tokumei health --help` lists
 * every operation of the dashboard's Health view, each has its own help, and mistakes are usage
 * errors (exit 2, one line) found before any node is asked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/cli-io.js';
import { helpText } from '../../src/cli/help.js';
import { assertOneLine } from './helpers/one-line.js';
import { generateBoardKeys } from '../../src/board/board-keys.js';

const COMMANDS = ['profile', 'set', 'disclose', 'measure', 'upload', 'stats', 'offers', 'answer', 'proposals', 'letter-request', 'letter-sign', 'letters', 'offer', 'answers', 'propose', 'clinic-letter', 'released', 'publish-stats'];
const ID = '0123456789abcdef0123456789abcdef';

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), env: {}, stdin: { isTTY: false } as NodeJS.ReadStream, stdoutIsTty: false };
  return { code: await run(argv, io), out, err };
}

test('`tokumei health --help` lists every health operation, and each has its own help', async () => {
  const r = await cli(['health', '--help']);
  assert.equal(r.code, 0);
  for (const c of COMMANDS) assert.match(r.out, new RegExp(`\\n  health ${c}\\s`), c);
  for (const c of COMMANDS) {
    const h = await cli(['health', c, '--help']);
    assert.equal(h.code, 0, c);
    assert.ok(h.out.startsWith(`Usage: tokumei health ${c} `), h.out.slice(0, 80));
    assert.equal(h.out, helpText(`health ${c}`));
  }
  assert.match((await cli(['--help'])).out, /\n  health profile\|set\|disclose\|measure/);
  const bare = await cli(['health']);
  assert.equal(bare.code, 2, 'bare `tokumei health` is a usage error, with the help on stderr');
  assert.match(bare.err, /^Usage: tokumei health /);
});

test('health command lines: mistakes are usage errors before any node is asked', async () => {
  const dir = '/nonexistent/tokumei-node'; // no node runs there: a usage error must come first
  const board = generateBoardKeys().address;
  const cases: [string[], RegExp][] = [
    [['health', 'nosuch'], /unknown command "health nosuch"/],
    [['health', 'profile'], /missing --dir/],
    [['health', 'set', '--dir', dir, '--name', 'sex'], /give --value VALUE or --clear/],
    [['health', 'set', '--dir', dir, '--name', 'sex', '--value', 'x', '--clear'], /give --value VALUE or --clear/],
    [['health', 'measure', '--dir', dir, '--kind', 'systolic', '--value', 'high'], /--value must be a number/],
    [['health', 'measure', '--dir', dir, '--kind', 'systolic', '--value', '120', '--at', 'yesterday'], /--at must be an ISO date/],
    [['health', 'upload', '--dir', dir, '--study', 's'], /missing --board/],
    [['health', 'answer', '--dir', dir, '--board', board, '--post', 'xyz', '--disclose', 'ageBand'], /--post must be a post id/],
    [['health', 'answer', '--dir', dir, '--board', board, '--post', ID, '--disclose', 'age band; drop'], /--disclose takes names separated by commas/],
    [['health', 'letter-request', '--dir', dir, '--proposal', 'zz'], /--proposal must be an id/],
    [['health', 'letter-sign', '--dir', dir, '--exchange', ID.toUpperCase()], /--exchange must be an id/],
    [['health', 'propose', '--dir', dir, '--answer', ID, '--text', 'hi', '--appointment', 'tomorrow'], /--appointment is ISO\/MINUTES\/PLACE/],
    [['health', 'clinic-letter', '--dir', dir, '--answer', ID, '--retention-days', '30', '--items', 'name'], /give at least one --purpose/],
    [['health', 'clinic-letter', '--dir', dir, '--answer', ID, '--purpose', 'p', '--retention-days', '9999', '--items', 'name'], /--retention-days must be between 1 and 3650/],
    [['health', 'publish-stats', '--dir', dir, '--board', board, '--study', 's'], /missing --min-cohort/],
    [['health', 'offer', '--dir', dir, '--board', board, '--file', 'x', '--ttl', 'forever'], /--ttl must be a duration/],
    [['health', 'profile', '--dir', dir, '--bogus'], /Unknown option '--bogus'/],
  ];
  for (const [argv, message] of cases) {
    const r = await cli(argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
    assertOneLine(r.err, argv.includes('xyz') ? 'BOARD_POST_ID_INVALID' : 'CLI_USAGE');
    assert.match(r.err, message, argv.join(' '));
  }
  // A well-formed command line reaches for the node, and says none runs there.
  const ok = await cli(['health', 'profile', '--dir', dir]);
  assert.equal(ok.code, 1);
  assert.match(ok.err, /^tokumei: CONTROL_NOT_RUNNING: /);
});

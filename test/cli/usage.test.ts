/**
 * Command-line mistakes: exit status 2 and exactly one clear line `tokumei: CODE: message` on
 * stderr, never a stack trace. Runtime failures (no node running) exit 1 the same way.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../e2e/helpers/cli-process.js';
import { assertOneLine } from './helpers/one-line.js';
import { fakeAddress } from '../control/helpers/fake-routing.js';

const ADDRESS = fakeAddress(3);

describe('usage errors', () => {
  let dir: string;
  let prefs: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokumei-cli-'));
    prefs = join(dir, 'prefs.txt');
    await writeFile(prefs, '127.0.0.1:9\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const cases: Array<[string, (d: string, p: string) => string[], string, RegExp?]> = [
    ['unknown command', () => ['frob'], 'CLI_USAGE', /unknown command "frob"/],
    ['unknown ca subcommand', () => ['ca', 'frob'], 'CLI_USAGE', /ca frob/],
    ['ca init without --dir', () => ['ca', 'init'], 'CLI_USAGE', /missing --dir/],
    ['threshold above trustees', (d) => ['ca', 'init', '--dir', join(d, 'ca'), '--trustees', '3', '--threshold', '4'], 'CLI_USAGE', /--threshold/],
    ['bad key type', (d) => ['ca', 'init', '--dir', join(d, 'ca'), '--key-type', 'dsa'], 'CLI_USAGE', /ed25519, rsa/],
    ['non-numeric trustees', (d) => ['ca', 'init', '--dir', join(d, 'ca'), '--trustees', 'many'], 'CLI_USAGE', /whole number/],
    ['unknown option', (d) => ['ca', 'init', '--dir', join(d, 'ca'), '--colour', 'red'], 'CLI_USAGE', /--colour/],
    ['--days with --not-after', (d) => ['ca', 'issue', '--ca', d, '--name', 'a', '--out', join(d, 'a'), '--days', '3', '--not-after', '2030-01-01'], 'CLI_USAGE', /not both/],
    ['bad date', (d) => ['ca', 'issue', '--ca', d, '--name', 'a', '--out', join(d, 'a'), '--not-after', 'yesterday'], 'CLI_USAGE', /ISO date/],
    ['not-after before not-before', (d) => ['ca', 'issue', '--ca', d, '--name', 'a', '--out', join(d, 'a'), '--not-before', '2030-01-02', '--not-after', '2030-01-01'], 'CLI_USAGE', /later/],
    ['ca revoke without --name', (d) => ['ca', 'revoke', '--ca', d], 'CLI_USAGE', /missing --name/],
    ['node without --peers', (d) => ['node', '--dir', d, '--listen', '127.0.0.1:0'], 'CLI_USAGE', /missing --peers/],
    ['node with a bad --listen', (d, p) => ['node', '--dir', d, '--listen', 'nohost', '--peers', p], 'CLI_USAGE', /--listen/],
    ['node with a port out of range', (d, p) => ['node', '--dir', d, '--listen', '127.0.0.1:70000', '--peers', p], 'CLI_USAGE', /--listen/],
    ['control API off loopback', (d, p) => ['node', '--dir', d, '--listen', '127.0.0.1:0', '--peers', p, '--control', '0.0.0.0:0'], 'CONTROL_NOT_LOOPBACK', /loopback/],
    ['status without --dir', () => ['status'], 'CLI_USAGE', /missing --dir/],
    ['status with a stray argument', (d) => ['status', '--dir', d, 'extra'], 'CLI_USAGE', /"extra"/],
    ['demo with one node', () => ['demo', '--nodes', '1'], 'CLI_USAGE', /--nodes/],
    ['address without --dir', () => ['address'], 'CLI_USAGE', /missing --dir/],
    ['send without --to', (d) => ['send', '--dir', d, '--text', 'hi'], 'CLI_USAGE', /missing --to/],
    ['send with a bad address', (d) => ['send', '--dir', d, '--to', 'tk1nope', '--text', 'hi'], 'ADDRESS_INVALID', /--to: not a tokumei address/],
    ['send with --file and --text', (d) => ['send', '--dir', d, '--to', ADDRESS, '--file', 'f', '--text', 'hi'], 'CLI_USAGE', /exactly one of --file and --text/],
    ['send with neither --file nor --text', (d) => ['send', '--dir', d, '--to', ADDRESS], 'CLI_USAGE', /exactly one of --file and --text/],
    ['send with an unknown option', (d) => ['send', '--dir', d, '--to', ADDRESS, '--text', 'x', '--cc', 'y'], 'CLI_USAGE', /--cc/],
    ['inbox --save without --out', (d) => ['inbox', '--dir', d, '--save', '0123456789abcdef'], 'CLI_USAGE', /missing --out/],
    ['inbox --out without --save', (d) => ['inbox', '--dir', d, '--out', join(d, 'x')], 'CLI_USAGE', /--save ID/],
    ['inbox --save with a bad id', (d) => ['inbox', '--dir', d, '--save', '../etc', '--out', join(d, 'x')], 'MESSAGE_ID_INVALID', /--save/],
    ['reply without --to-message', (d) => ['reply', '--dir', d, '--text', 'hi'], 'CLI_USAGE', /missing --to-message/],
    ['reply with --file and --text', (d) => ['reply', '--dir', d, '--to-message', 'ab', '--file', 'f', '--text', 'x'], 'CLI_USAGE', /exactly one/],
    ['reply with neither --file nor --text', (d) => ['reply', '--dir', d, '--to-message', 'ab'], 'CLI_USAGE', /exactly one/],
    ['routing without --dir', () => ['routing', '--json'], 'CLI_USAGE', /missing --dir/],
  ];
  for (const [name, args, code, message] of cases) {
    test(`${name}: exit 2, one line`, async () => {
      const r = await runCli(args(dir, prefs));
      assert.equal(r.code, 2, r.stderr);
      assertOneLine(r.stderr, code);
      if (message) assert.match(r.stderr, message);
    });
  }

  test('bare `tokumei` prints the help on stderr and exits 2', async () => {
    const r = await runCli([]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Usage: tokumei <command>/);
  });

  test('--help of every command exits 0 with its usage', async () => {
    for (const args of [['--help'], ['help'], ['ca', 'init', '--help'], ['ca', 'issue', '--help'], ['ca', 'revoke', '--help'], ['node', '--help'], ['status', '--help'], ['demo', '--help'], ['address', '--help'], ['send', '--help'], ['inbox', '--help'], ['reply', '--help'], ['routing', '--help']]) {
      const r = await runCli(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /Usage: tokumei/);
    }
    const issue = await runCli(['ca', 'issue', '--help']);
    assert.match(issue.stdout, /--wrong-onion-key[\s\S]*never use in a real community|Test aid/i);
  });

  test('a directory that is not a CA or node directory: exit 1, one clear line', async () => {
    const issue = await runCli(['ca', 'issue', '--ca', dir, '--name', 'a', '--out', join(dir, 'a')]);
    assert.equal(issue.code, 1);
    assertOneLine(issue.stderr, 'CA_DIR_INVALID');
    const revoke = await runCli(['ca', 'revoke', '--ca', join(dir, 'nothing'), '--name', 'a']);
    assert.equal(revoke.code, 1);
    assertOneLine(revoke.stderr, 'CA_DIR_INVALID');
    const node = await runCli(['node', '--dir', join(dir, 'nothing'), '--listen', '127.0.0.1:0', '--peers', prefs]);
    assert.equal(node.code, 1);
    assertOneLine(node.stderr, 'NODE_DIR_INVALID');
  });

  test('status with no running node: exit 1, CONTROL_NOT_RUNNING', async () => {
    const r = await runCli(['status', '--dir', dir, '--json']);
    assert.equal(r.code, 1);
    assertOneLine(r.stderr, 'CONTROL_NOT_RUNNING');
  });

  test('routing commands with no running node: exit 1, CONTROL_NOT_RUNNING', async () => {
    for (const args of [['address'], ['inbox'], ['routing', '--json'], ['send', '--to', ADDRESS, '--text', 'hi'], ['reply', '--to-message', 'ab', '--text', 'hi']]) {
      const r = await runCli([...args, '--dir', dir]);
      assert.equal(r.code, 1, args.join(' '));
      assertOneLine(r.stderr, 'CONTROL_NOT_RUNNING');
    }
  });

  test('send: a missing file and a file over 16 MiB are refused before any node is asked', async () => {
    const missing = await runCli(['send', '--dir', dir, '--to', ADDRESS, '--file', join(dir, 'no-such-file')]);
    assert.equal(missing.code, 1);
    assertOneLine(missing.stderr, 'FILE_MISSING');
    const big = join(dir, 'big.bin');
    await writeFile(big, '');
    await truncate(big, 16 * 1024 * 1024 + 1);
    const tooBig = await runCli(['send', '--dir', dir, '--to', ADDRESS, '--file', big]);
    assert.equal(tooBig.code, 1);
    assertOneLine(tooBig.stderr, 'MESSAGE_TOO_LARGE');
  });

  test('status with a stale control.json: exit 1, CONTROL_UNREACHABLE', async () => {
    const stale = join(dir, 'stale');
    await rm(stale, { recursive: true, force: true });
    await mkdir(stale);
    await writeFile(join(stale, 'control.json'), JSON.stringify({ url: 'http://127.0.0.1:9', token: 'ab'.repeat(32), pid: 1 }));
    const r = await runCli(['status', '--dir', stale]);
    assert.equal(r.code, 1);
    assertOneLine(r.stderr, 'CONTROL_UNREACHABLE');
  });
});

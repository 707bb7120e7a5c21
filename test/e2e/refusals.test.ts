/**
 * Acceptance (issue 2): a node whose passport is from another CA, expired, or revoked is refused by
 * every running node, with the reason logged; a node whose passport carries the wrong onion key
 * fails the challenge. `openssl s_client` without a client certificate cannot complete a link, and
 * with a valid passport it gets through TLS but still not onto the overlay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNodeIdentity } from '../../src/identity/node-store.js';
import { ChildSet, cliOk, removeTestDir, TEST_PASSPHRASE, waitFor } from './helpers/cli-process.js';
import { createCa, freeLoopbackPorts, issue, readNodeLog, startNode, status, writePreferences, type TestNode } from './helpers/community.js';
import { sClient } from './helpers/openssl.js';

const REFUSED = {
  other: 'LINK_OTHER_CA',
  expired: 'LINK_EXPIRED',
  revoked: 'LINK_REVOKED',
  wrongkey: 'LINK_CHALLENGE_FAILED',
} as const;
type Refused = keyof typeof REFUSED;

test('invalid passports are refused by every node, with the reason logged', { timeout: 90_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tokumei-e2e-refusals-'));
  const children = new ChildSet();
  t.after(async () => {
    await children.killAll();
    await removeTestDir(dir);
  });

  // Two communities: ours (A) and another (B).
  const caA = join(dir, 'ca-a');
  const caB = join(dir, 'ca-b');
  await Promise.all([createCa(caA), createCa(caB)]);
  const ports = await freeLoopbackPorts(7);
  const at = (i: number) => `127.0.0.1:${ports[i]}`;
  const good: TestNode[] = [0, 1, 2].map((i) => ({ name: `good${i + 1}`, dir: join(dir, `good${i + 1}`), listen: at(i) }));
  const bad: Record<Refused, TestNode> = {
    other: { name: 'other', dir: join(dir, 'other'), listen: at(3) },
    expired: { name: 'expired', dir: join(dir, 'expired'), listen: at(4) },
    revoked: { name: 'revoked', dir: join(dir, 'revoked'), listen: at(5) },
    wrongkey: { name: 'wrongkey', dir: join(dir, 'wrongkey'), listen: at(6) },
  };
  for (const g of good) await issue(caA, g.name, g.dir);
  await issue(caB, 'other', bad.other.dir);
  await issue(caA, 'expired', bad.expired.dir, ['--not-before', '2020-01-01T00:00:00Z', '--not-after', '2020-01-02T00:00:00Z']);
  await issue(caA, 'revoked', bad.revoked.dir);
  await issue(caA, 'wrongkey', bad.wrongkey.dir, ['--wrong-onion-key']);

  // Three running members of community A. Their preference file also names the stranger from
  // community B (a stale or hostile entry): in TLS 1.3 the dialler checks the listener's passport
  // before it shows its own, so a member learns a stranger's CA when it dials the stranger; when the
  // stranger dials, the member sees the dial fail and the stranger logs LINK_OTHER_CA.
  const prefsGood = join(dir, 'prefs-good.txt');
  const prefsAll = join(dir, 'prefs-all.txt');
  await writePreferences(prefsGood, [good[0]!.listen, good[1]!.listen, bad.other.listen]);
  await writePreferences(prefsAll, good.map((g) => g.listen));
  startNode(children, bad.other, prefsAll);
  await waitFor(async () => ((await status(bad.other.dir)) ? true : undefined), { timeoutMs: 15_000, intervalMs: 300, what: 'the stranger to start' });
  for (const g of good) startNode(children, g, prefsGood);
  const describeGood = () => good.map((g) => `${g.name}: ${g.proc?.isRunning() ? 'running' : 'exited ' + g.proc?.stderr().slice(-300)}`).join('; ');
  await waitFor(async () => ((await Promise.all(good.map((g) => status(g.dir)))).every((s) => s && s.neighbours.length >= 2) ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 500,
    what: 'the three good nodes to link up',
    describe: describeGood,
  });

  // Revoke, push the CRL to one node, and let the overlay spread it to the others.
  const revoke = await cliOk(['ca', 'revoke', '--ca', caA, '--name', 'revoked', '--push', good[0]!.dir]);
  const crlNumber = Number(/CRL #(\d+)/.exec(revoke.stdout)?.[1]);
  assert.ok(crlNumber >= 1, revoke.stdout);
  assert.match(revoke.stdout, /installed CRL/);
  await waitFor(async () => ((await Promise.all(good.map((g) => status(g.dir)))).every((s) => s && s.crlNumber >= crlNumber) ? true : undefined), {
    timeoutMs: 20_000,
    intervalMs: 500,
    what: `CRL #${crlNumber} to reach every good node`,
  });

  // The three other invalid nodes try to join, naming every good node.
  for (const b of [bad.expired, bad.revoked, bad.wrongkey]) startNode(children, b, prefsAll);
  const missing = async () => {
    const out: string[] = [];
    for (const g of good) {
      const log = await readNodeLog(g.dir);
      for (const [who, code] of Object.entries(REFUSED)) if (!log.includes(`code=${code}`)) out.push(`${g.name} lacks ${code} (${who})`);
    }
    return out;
  };
  let last: string[] = [];
  await waitFor(async () => ((last = await missing()).length === 0 ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 700,
    what: 'every good node to log every refusal',
    describe: () => last.join('; ') + ' | ' + Object.values(bad).filter((b) => !b.proc!.isRunning()).map((b) => `${b.name} exited: ${b.proc!.stderr().trim().split('\n').pop()}`).join('; '),
  });

  // The stranger, for its part, refused every good node for the same reason.
  const strangerLog = await readNodeLog(bad.other.dir);
  for (const g of good) assert.match(strangerLog, new RegExp(`peer=${g.listen.replace(/\./g, '\\.')} code=LINK_OTHER_CA`), `stranger refused ${g.name}`);

  // None of them got onto the overlay.
  const goodIds = new Set<string>();
  for (const g of good) {
    const s = (await status(g.dir))!;
    goodIds.add(s.id);
    assert.ok(s.refusals.length > 0, `${g.name} reports its refusals in status`);
  }
  for (const g of good) {
    const s = (await status(g.dir))!;
    for (const nb of s.neighbours) assert.ok(goodIds.has(nb.id), `${g.name} has a neighbour ${nb.id} that is not a good node`);
  }

  // An outsider with openssl and no client certificate cannot complete a link.
  const target = good[1]!;
  const before = await readNodeLog(target.dir);
  const noCert = await sClient(target.listen, [], 'hello\n');
  assert.equal(noCert.timedOut, false, 'the node closes the connection');
  assert.match(noCert.output, /alert|certificate required|errno|error/i, noCert.output);
  await waitFor(async () => ((await readNodeLog(target.dir)).slice(before.length).includes('code=LINK_NO_CERTIFICATE') ? true : undefined), {
    timeoutMs: 10_000,
    intervalMs: 300,
    what: 'LINK_NO_CERTIFICATE in the log',
  });

  // With a valid passport (exported here, in the test only) TLS completes, but garbage instead of the
  // challenge gets the link refused: the node closes it and never lists a new neighbour.
  const wrongKey = await loadNodeIdentity(bad.wrongkey.dir, TEST_PASSPHRASE);
  const certFile = join(dir, 'wrongkey-passport.pem');
  const keyFile = join(dir, 'wrongkey-key.pem');
  await writeFile(certFile, wrongKey.passport.pem);
  await writeFile(keyFile, wrongKey.signingKeyPem, { mode: 0o600 });
  const garbage = Buffer.alloc(2048, 0xff);
  const beforeGarbage = await readNodeLog(target.dir);
  const withCert = await sClient(target.listen, ['-cert', certFile, '-key', keyFile], garbage);
  assert.equal(withCert.timedOut, false, 'the node closes the connection');
  assert.match(withCert.output, /TLSv1\.3/, 'the TLS 1.3 handshake itself completed');
  const after = (await status(target.dir))!;
  assert.ok(!after.neighbours.some((nb) => nb.id === wrongKey.passport.serial), 'openssl never became a neighbour');
  await waitFor(async () => ((await readNodeLog(target.dir)).slice(beforeGarbage.length).includes('code=LINK_CHALLENGE_FAILED') ? true : undefined), {
    timeoutMs: 10_000,
    intervalMs: 300,
    what: 'LINK_CHALLENGE_FAILED in the log after the openssl session',
  });
});

/**
 * Every health operation of the dashboard, with the `tokumei health` commands alone, over 8 node
 * processes on loopback (helpers/board-community.ts: 3 board replicas, 5 members). One member
 * keeps its profile and uploads, a second uploads too, an intermediary publishes the study's
 * statistics, a clinic posts an offer from a file, the member answers it anonymously, the clinic
 * proposes, the two sign letters of intent, and the clinic receives the identifying items named —
 * and nothing else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, testEnv } from './helpers/cli-process.js';
import { boardCommunity, boardEnv, cliJson, refusal } from './helpers/board-community.js';
import { status, type TestNode } from './helpers/community.js';
import { eventually } from './helpers/health-demo.js';

const STUDY = 'bp-cli';
/** A network command: a route seek and tries on fresh routes. */
const NETWORK_MS = 150_000;

interface Attr {
  value: string | number | boolean | null;
  disclosed: boolean;
  locked: boolean;
}

test('health over 8 node processes, CLI only: profile, upload, statistics, offer, answer, proposal, letters of intent', { timeout: 480_000 }, async (t) => {
  const { board, members, dir } = await boardCommunity(t, 'health-cli');
  const [other, clinic, ana, intermediary] = [members[1], members[2], members[3], members[4]] as [TestNode, TestNode, TestNode, TestNode];
  const health = <T>(node: TestNode, args: string[]) => cliJson<T>(['health', args[0]!, '--dir', node.dir, ...args.slice(1), '--json'], NETWORK_MS);
  const refused = async (node: TestNode, args: string[], env = boardEnv) => {
    const r = await runCli(['health', args[0]!, '--dir', node.dir, ...args.slice(1)], { env, timeoutMs: NETWORK_MS });
    return `${r.code} ${/^tokumei: ([A-Z_]+):/.exec(r.stderr)?.[1] ?? r.stderr.trim()}`;
  };

  await t.test('the member keeps its profile on its own node: set, measure, disclose; identifying attributes are locked', async () => {
    for (const [name, value] of [['name', 'Ana Example'], ['phone', '+41 61 555 01 02'], ['birthDate', '1971-05-02'], ['sex', 'female'], ['postcodeArea', '4051'], ['smoker', 'false']]) {
      await health(ana, ['set', '--name', name!, '--value', value!]);
    }
    await health(ana, ['measure', '--kind', 'systolic', '--value', '131']);
    await health(ana, ['measure', '--kind', 'weightKg', '--value', '64.5']);
    await health(ana, ['disclose', '--name', 'systolic']);
    const p = await health<{ attributes: Record<string, Attr>; measurements: { kind: string; value: number }[] }>(ana, ['profile']);
    assert.equal(p.attributes.postcodeArea!.value, '4051', 'text that looks like a number stays text');
    assert.equal(p.attributes.smoker!.value, false);
    assert.equal(p.attributes.ageBand!.value !== null, true, 'the age band is derived from the birth date');
    assert.deepEqual([p.attributes.systolic!.disclosed, p.attributes.weightKg!.disclosed], [true, false]);
    assert.deepEqual(p.measurements.map((m) => [m.kind, m.value]).sort(), [['systolic', 131], ['weightKg', 64.5]]);
    for (const locked of ['name', 'phone', 'birthDate']) assert.equal(p.attributes[locked]!.locked, true);
    assert.equal(await refused(ana, ['disclose', '--name', 'name']), '1 HEALTH_LOCKED');
    assert.equal(await refused(ana, ['set', '--name', 'systolic', '--value', 'high']), '2 CLI_USAGE');
    assert.equal(await refused(ana, ['set', '--name', 'nosuch', '--value', '1']), '2 HEALTH_UNKNOWN_ATTRIBUTE');
    // The text form is for people; it names every attribute.
    const text = await runCli(['health', 'profile', '--dir', ana.dir], { env: boardEnv });
    assert.equal(text.code, 0, refusal(text));
    assert.match(text.stdout, /^ATTRIBUTE\s+VALUE\s+DISCLOSED/);
    assert.match(text.stdout, /\npostcodeArea\s+4051\s+no/);
  });

  await t.test('two members upload; the intermediary publishes; the member sees where it stands', async () => {
    for (const [name, value] of [['birthDate', '1969-11-20'], ['sex', 'female']]) await health(other, ['set', '--name', name!, '--value', value!]);
    await health(other, ['measure', '--kind', 'systolic', '--value', '118']);
    await health(other, ['disclose', '--name', 'systolic']);
    const up = await health<{ postId: string; study: string; included: number }>(ana, ['upload', '--board', board, '--study', STUDY]);
    assert.match(up.postId, /^[0-9a-f]{32}$/);
    assert.equal(up.study, STUDY);
    assert.ok(up.included >= 1);
    await health(other, ['upload', '--board', board, '--study', STUDY]);
    // Replicas pull from each other every 5 s: publish until both uploads are counted.
    const published = await eventually('statistics from both uploads', async () => {
      const p = await health<{ uploads: number; cohorts: number; posts: string[] }>(intermediary, ['publish-stats', '--board', board, '--study', STUDY, '--min-cohort', '2']);
      return p.uploads >= 2 && p.cohorts >= 1 ? p : undefined;
    }, NETWORK_MS);
    assert.ok(published.posts.length >= 1);
    const s = await eventually('the statistics and the member’s standing', async () => {
      const r = await health<{ stats: { study: string; cohorts: { members: number }[] } | null; standing: { kind: string; status: string; percentile: number | null }[] }>(ana, ['stats', '--board', board, '--study', STUDY]);
      return r.stats && r.standing.some((x) => x.kind === 'systolic' && x.status === 'ok') ? r : undefined;
    }, NETWORK_MS);
    assert.equal(s.stats!.study, STUDY);
    assert.ok(s.stats!.cohorts.every((c) => c.members >= 2), 'no cohort under the minimum');
    assert.equal(typeof s.standing.find((x) => x.kind === 'systolic')!.percentile, 'number');
  });

  await t.test('offer, anonymous answer, proposal, letters of intent: the clinic gets the items named and nothing else', async () => {
    const offerFile = join(dir, 'offer.json');
    await writeFile(offerFile, JSON.stringify({
      clinic: 'Riverside Heart Clinic',
      title: 'Blood-pressure review for women in their fifties',
      description: 'Thirty minutes with a nurse.',
      criteria: [{ attribute: 'sex', op: 'eq', value: 'female' }, { attribute: 'systolic', op: 'gte', value: 125 }],
      expires: Date.now() + 7 * 86_400_000,
    }));
    assert.equal(await refused(clinic, ['offer', '--board', board, '--file', join(dir, 'missing.json')]), '1 FILE_READ_FAILED');
    const offer = await health<{ postId: string; offerId: string }>(clinic, ['offer', '--board', board, '--file', offerFile, '--ttl', '1d']);
    const seen = await eventually('the offer at the member’s node', async () => {
      const o = await health<{ offers: { postId: string; match: { matches: boolean }; answerId: string | null }[] }>(ana, ['offers', '--board', board]);
      return o.offers.find((x) => x.postId === offer.postId);
    }, NETWORK_MS);
    assert.equal(seen.match.matches, true, 'matched on the member’s device');
    assert.equal(await refused(ana, ['answer', '--board', board, '--post', offer.postId, '--disclose', 'name']), '1 HEALTH_LOCKED');
    const message = `Mornings suit me (${Math.random().toString(36).slice(2, 8)}).`;
    const answered = await health<{ answerId: string; disclosed: Record<string, unknown> }>(ana, ['answer', '--board', board, '--post', offer.postId, '--disclose', 'ageBand,systolic', '--message', message]);
    assert.deepEqual(Object.keys(answered.disclosed).sort(), ['ageBand', 'systolic']);

    const answerAtClinic = await eventually('the answer at the clinic', async () => {
      const a = await health<{ answers: { answerId: string; message: string; disclosed: Record<string, unknown>; letter: { state: string } }[] }>(clinic, ['answers', '--board', board]);
      return a.answers.find((x) => x.message === message);
    }, NETWORK_MS);
    assert.deepEqual(Object.keys(answerAtClinic.disclosed).sort(), ['ageBand', 'systolic'], 'the clinic learns what was named');
    const proposed = await health<{ proposalId: string }>(clinic, ['propose', '--answer', answerAtClinic.answerId, '--text', 'Tuesday at 09:30?', '--appointment', '2027-01-05T09:30:00Z/30/Room 2', '--letter-of-intent']);
    const proposal = await eventually('the proposal at the member’s node', async () => {
      const p = await health<{ proposals: { proposalId: string; appointments: { minutes: number; place: string }[]; letterOfIntent: boolean }[] }>(ana, ['proposals']);
      return p.proposals.find((x) => x.proposalId === proposed.proposalId);
    }, NETWORK_MS);
    assert.deepEqual([proposal.letterOfIntent, proposal.appointments[0]?.minutes, proposal.appointments[0]?.place], [true, 30, 'Room 2']);

    const asked = await health<{ exchangeId: string; state: string }>(ana, ['letter-request', '--proposal', proposal.proposalId]);
    assert.equal(asked.state, 'requested');
    await eventually('the request at the clinic', async () => {
      const a = await health<{ answers: { answerId: string; letter: { state: string } }[] }>(clinic, ['answers', '--board', board]);
      return a.answers.find((x) => x.answerId === answerAtClinic.answerId && x.letter.state === 'requested');
    }, NETWORK_MS);
    await health(clinic, ['clinic-letter', '--answer', answerAtClinic.answerId, '--purpose', 'booking the review', '--retention-days', '90', '--items', 'name,phone']);
    const received = await eventually('the clinic’s letter at the member’s node', async () => {
      const l = await health<{ letters: { exchangeId: string; state: string; clinicLetter: { items: string[]; retentionDays: number } | null }[] }>(ana, ['letters']);
      return l.letters.find((x) => x.exchangeId === asked.exchangeId && x.state === 'received');
    }, NETWORK_MS);
    assert.deepEqual([received.clinicLetter!.items, received.clinicLetter!.retentionDays], [['name', 'phone'], 90]);

    // A wrong passphrase signs nothing and sends nothing.
    assert.equal(await refused(ana, ['letter-sign', '--exchange', asked.exchangeId], testEnv({ TOKUMEI_PASSPHRASE: 'not my passphrase' })), '1 KEYSTORE_BAD_PASSPHRASE');
    assert.deepEqual(await health(clinic, ['released']), { released: [] });
    const signed = await cliJson<{ state: string }>(['health', 'letter-sign', '--dir', ana.dir, '--exchange', asked.exchangeId, '--items', 'name', '--json'], NETWORK_MS);
    assert.equal(signed.state, 'released');
    const released = await eventually('the released data at the clinic', async () => {
      const r = await health<{ released: { memberSerial: string; items: Record<string, unknown>; retentionDays: number }[] }>(clinic, ['released']);
      return r.released[0];
    }, NETWORK_MS);
    assert.deepEqual(released.items, { name: 'Ana Example' }, 'only the item the member gave');
    assert.equal(released.memberSerial, (await status(ana.dir))!.id, 'named by the member’s own signed letter');
    assert.equal(released.retentionDays, 90);
  });
});

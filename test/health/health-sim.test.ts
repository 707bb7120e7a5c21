/**
 * Acceptance: "The intermediary's published statistics equal the statistics computed directly
 * from the generated data; cohorts under the minimum are absent." Twelve demo members, each on its
 * own node, upload what they chose to disclose through the board; an intermediary gathers the
 * uploads and publishes; a member fetches the statistics anonymously and sees where it stands.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ageBandOf } from '../../src/health/profile/attributes.js';
import { expectedCohortStats, generateDemoMembers, type DemoMember } from '../../src/health/demo/demo-data.js';
import { disclosedView } from '../../src/health/profile/profile.js';
import { boardNet, settle } from './sim-helpers.js';
import { boardClientOf } from '../../src/board/service/board-service.js';
import { healthOf } from '../../src/health/service/health-service.js';

const STUDY = 'bp-2025';
const MIN_COHORT = 3;

/** The cohort a member's uploads count in, or undefined when it discloses no age band or sex. */
function cohortOf(m: DemoMember, now: number): string | undefined {
  const p = m.profile;
  if (!p.disclosure.ageBand || !p.disclosure.sex) return undefined;
  return `${ageBandOf(p.attributes.birthDate!, now)}|${p.attributes.sex}`;
}

/**
 * Twelve members who have something to upload: four of the commonest cohort, three of the next,
 * and five of other cohorts or of none (under the minimum, so never published).
 */
function chooseMembers(all: DemoMember[], now: number): DemoMember[] {
  const uploading = all.filter((m) => disclosedView(m.profile, now).measurements.length > 0);
  const groups = new Map<string, DemoMember[]>();
  for (const m of uploading) {
    const key = cohortOf(m, now) ?? 'none';
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const ranked = [...groups.entries()].filter(([k]) => k !== 'none').sort((a, b) => b[1].length - a[1].length);
  const chosen = [...ranked[0]![1].slice(0, 4), ...ranked[1]![1].slice(0, 3)];
  const small = [...(groups.get('none') ?? []).slice(0, 1), ...ranked.slice(2).map(([, list]) => list[0]!)];
  return [...chosen, ...small.slice(0, 12 - chosen.length)];
}

test('12 members upload, the intermediary publishes: the statistics equal those computed from the generated data; small cohorts are absent', async () => {
  const members = 12;
  const { net, board, synced, close } = await boardNet(members + 3, 21);
  try {
    const memberNodes = net.nodes.slice(2, 2 + members);
    const intermediary = net.nodes[2 + members]!;
    const start = net.sim!.now();
    const chosen = chooseMembers(generateDemoMembers(300, { seed: 7, now: start }), start);
    assert.equal(chosen.length, members);
    for (let i = 0; i < members; i++) await healthOf(memberNodes[i]!).member.importProfile(chosen[i]!.profile);

    // Every member uploads once, anonymously; a stranger posts a malformed upload too.
    const uploads = [];
    for (const n of memberNodes) uploads.push(await settle(net, healthOf(n).member.upload(board, { study: STUDY })));
    for (const u of uploads) assert.match(u.postId, /^[0-9a-f]{32}$/);
    assert.ok(uploads.every((u) => u.omitted === 0), 'every series fits one upload');
    await settle(net, boardClientOf(intermediary).post(board, { text: '{"v":1,"not":"an upload"}', fields: [{ key: 'kind', value: 'health.upload' }, { key: 'study', value: STUDY }], ttlSeconds: 3600 }));
    await synced(members + 1);

    const published = await settle(net, healthOf(intermediary).intermediary.publishStats(board, { study: STUDY, minCohort: MIN_COHORT }));
    assert.equal(published.uploads, members);
    assert.equal(published.skipped, 1, 'the malformed upload is skipped and counted');
    await synced(members + 1 + published.posts.length);

    const reader = memberNodes[0]!;
    const { stats, standing } = await settle(net, healthOf(reader).member.stats(board, STUDY));
    assert.ok(stats, 'statistics found');
    assert.equal(stats.issued, published.issued);
    const expected = expectedCohortStats(
      chosen.map((m) => m.profile),
      { study: STUDY, minCohort: MIN_COHORT, now: stats.issued },
    );
    assert.deepEqual(stats, expected);
    assert.equal(published.cohorts, expected.cohorts.length);
    assert.ok(expected.cohorts.length >= 1, 'at least one cohort is large enough');

    // Cohorts with members but under the minimum are absent; the published ones are large enough.
    const sizes = new Map<string, number>();
    for (const m of chosen) {
      const key = cohortOf(m, stats.issued);
      if (key) sizes.set(key, (sizes.get(key) ?? 0) + 1);
    }
    const publishedKeys = new Set(stats.cohorts.map((c) => `${c.ageBand}|${c.sex}`));
    const small = [...sizes].filter(([, n]) => n < MIN_COHORT);
    assert.ok(small.length >= 3, 'several cohorts are under the minimum');
    for (const [key] of small) assert.ok(!publishedKeys.has(key), `cohort ${key} has fewer than ${MIN_COHORT} members and is absent`);
    for (const c of stats.cohorts) {
      assert.ok(c.members >= MIN_COHORT);
      for (const k of Object.values(c.kinds)) assert.ok(k!.members >= MIN_COHORT);
    }

    // Where the reader stands: computed on its device, against its own (published) cohort.
    assert.ok(standing.length > 0);
    const readerCohort = cohortOf(chosen[0]!, stats.issued);
    assert.ok(readerCohort && publishedKeys.has(readerCohort));
    assert.ok(standing.some((s) => s.status === 'ok' && s.percentile !== null));
    // A member of a small cohort learns that its cohort was not published.
    const lonely = memberNodes[chosen.findIndex((m) => { const k = cohortOf(m, stats.issued); return k !== undefined && (sizes.get(k) ?? 0) < MIN_COHORT; })]!;
    const mine = await settle(net, healthOf(lonely).member.stats(board, STUDY));
    assert.ok(mine.standing.every((s) => s.status === 'cohort-not-published'));
  } finally {
    await close();
  }
});

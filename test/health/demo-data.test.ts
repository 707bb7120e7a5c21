import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import { ageBandOf, DISCLOSABLE, IDENTIFYING_ATTRIBUTES, MEASUREMENT_KINDS } from '../../src/health/profile/attributes.js';
import { computeCohortStats } from '../../src/health/intermediary/cohort-stats.js';
import { expectedCohortStats, generateDemoMembers } from '../../src/health/demo/demo-data.js';
import { disclosedView, setDisclosed, type Profile } from '../../src/health/profile/profile.js';
import { decodeStats, encodeStats } from '../../src/health/formats/stats-codec.js';
import { buildUpload, parseUpload, type ParsedUpload } from '../../src/health/formats/upload.js';
import { DAY, is, NOW } from './helpers.js';

const STUDY = 'bp-2025';

test('the generator is seeded, plausible and correlated', () => {
  const a = generateDemoMembers(60, { seed: 5, now: NOW });
  assert.deepEqual(generateDemoMembers(61, { seed: 5, now: NOW }).slice(0, 60), a, 'member i does not depend on n');
  assert.notDeepEqual(generateDemoMembers(60, { seed: 6, now: NOW }), a);
  for (const { profile: p } of a) {
    for (const name of IDENTIFYING_ATTRIBUTES) assert.ok(p.attributes[name], name);
    assert.ok(p.measurements.length > 100 && p.measurements.every((m) => m.at < NOW && m.at > NOW - 200 * DAY && m.at % 60_000 === 0));
  }
  // Older members have higher blood pressure on average.
  const members = generateDemoMembers(300, { seed: 5, now: NOW });
  const mean = (band: (b: string) => boolean) => {
    const v = members
      .filter((m) => band(ageBandOf(m.profile.attributes.birthDate!, NOW)))
      .flatMap((m) => m.profile.measurements.filter((x) => x.kind === 'systolic').map((x) => x.value));
    return v.reduce((s, x) => s + x, 0) / v.length;
  };
  assert.ok(mean((b) => b === '70-79' || b === '80-89') > mean((b) => b === '20-29' || b === '30-39') + 15);
  const disclosing = members.filter((m) => m.profile.disclosure.systolic && m.profile.disclosure.sex).length;
  assert.ok(disclosing > 200 && disclosing < 290, `${disclosing} of 300 disclose blood pressure`);
});

function uploadAll(profiles: readonly Profile[], pseudonymous: boolean): ParsedUpload[] {
  const out: ParsedUpload[] = [];
  const r = new SeededRandom(9, 'uploads');
  const send = (p: Profile, options: Parameters<typeof buildUpload>[1]) => {
    try {
      const u = buildUpload(p, options);
      assert.equal(u.omitted, 0);
      out.push(parseUpload(u.text, u.fields));
    } catch (e) {
      if (!is('HEALTH_NOTHING_TO_UPLOAD')(e)) throw e;
    }
  };
  profiles.forEach((p, i) => {
    if (pseudonymous && i % 2 === 0) {
      // Two uploads under one pseudonym: an older one, then the rest since.
      const pseudonymSecret = r.bytes(32);
      const mid = NOW - 90 * DAY;
      send(p, { study: STUDY, now: mid, pseudonymous: true, pseudonymSecret });
      send(p, { study: STUDY, now: NOW, since: mid, pseudonymous: true, pseudonymSecret });
    } else {
      send(p, { study: STUDY, now: NOW });
    }
  });
  return out;
}

test('acceptance: published statistics equal the statistics computed directly from the generated data', () => {
  const profiles = generateDemoMembers(400, { seed: 42, now: NOW }).map((m) => m.profile);
  const minCohort = 10;
  const expected = expectedCohortStats(profiles, { study: STUDY, minCohort, now: NOW });
  for (const pseudonymous of [false, true]) {
    const uploads = uploadAll(profiles, pseudonymous);
    const published = computeCohortStats(uploads, { study: STUDY, minCohort, now: NOW });
    const posts = encodeStats(published, 4000); // several posts on the board
    assert.ok(posts.length > 1);
    const fetched = decodeStats(posts.map((p) => JSON.parse(JSON.stringify(p))));
    assert.deepEqual(fetched, expected);
  }
  assert.ok(expected.cohorts.length >= 10, `${expected.cohorts.length} cohorts`);
  // Cohorts under the minimum exist in the data and are absent from the statistics.
  const all = expectedCohortStats(profiles, { study: STUDY, minCohort: 1, now: NOW });
  const small = all.cohorts.filter((c) => c.members < minCohort);
  assert.ok(small.length > 0, 'the data has small cohorts (e.g. sex "other")');
  for (const c of small) assert.ok(!expected.cohorts.some((e) => e.ageBand === c.ageBand && e.sex === c.sex));
  for (const c of expected.cohorts) {
    assert.ok(c.members >= minCohort);
    for (const k of Object.values(c.kinds)) assert.ok(k.members >= minCohort);
  }
  // A window also agrees.
  const since = NOW - 60 * DAY;
  const windowed = computeCohortStats(uploadAll(profiles, false), { study: STUDY, minCohort, now: NOW, since });
  assert.deepEqual(windowed, expectedCohortStats(profiles, { study: STUDY, minCohort, now: NOW, since }));
});

test('property: undisclosed attributes never leave the device (uploads and fields searched for each value)', () => {
  const r = new SeededRandom(77, 'disclosure-choices');
  const members = generateDemoMembers(150, { seed: 77, now: NOW });
  let uploads = 0;
  for (const m of members) {
    let p = m.profile;
    for (const name of DISCLOSABLE) if (r.float() < 0.3) p = setDisclosed(p, name, r.float() < 0.5);
    for (const name of IDENTIFYING_ATTRIBUTES) assert.throws(() => setDisclosed(p, name, true), is('HEALTH_LOCKED'));
    const secret = r.bytes(32);
    let up;
    try {
      up = buildUpload(p, { study: STUDY, now: NOW, pseudonymous: r.float() < 0.5, pseudonymSecret: secret });
    } catch (e) {
      assert.ok(is('HEALTH_NOTHING_TO_UPLOAD')(e));
      assert.equal(disclosedView(p, NOW).measurements.length, 0);
      continue;
    }
    uploads++;
    const out = up.text + '\n' + JSON.stringify(up.fields) + '\n' + JSON.stringify(disclosedView(p, NOW));
    const a = p.attributes;
    const secrets = [a.name!, ...a.name!.split(' '), a.address!, a.address!.split(',')[0]!, a.phone!, a.phone!.replace(/\D/g, ''), a.email!, a.email!.split('@')[0]!, a.birthDate!];
    for (const s of secrets) assert.ok(!out.includes(s), `identifying ${JSON.stringify(s)} leaked`);
    if (!p.disclosure.postcodeArea) assert.ok(!out.includes(a.postcodeArea!), 'postcode area');
    if (!p.disclosure.smoker) assert.ok(!out.includes('smoker'));
    if (!p.disclosure.sex) assert.ok(!out.includes(`"${a.sex}"`) && !up.fields.some((f) => f.key === 'sex'));
    if (!p.disclosure.ageBand) assert.ok(!up.fields.some((f) => f.key === 'ageband') && !out.includes('ageBand'));
    const parsed = parseUpload(up.text, up.fields);
    for (const kind of MEASUREMENT_KINDS) {
      if (!p.disclosure[kind]) assert.ok(!out.includes(`"${kind}"`), `undisclosed ${kind}`);
      else {
        const sent = parsed.measurements.filter((x) => x.kind === kind);
        const mine = p.measurements.filter((x) => x.kind === kind);
        assert.deepEqual(sent.map((x) => [x.at, x.value]).reverse(), mine.map((x) => [x.at, x.value]));
      }
    }
    if (parsed.pseudonym) assert.ok(!out.includes(Buffer.from(secret).toString('hex')));
  }
  assert.ok(uploads > 100);
});

/**
 * The health roles against a fake board and router (no network): what each call hands to the
 * board, and the refusals that must happen before anything is sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BoardResult } from '../../src/board/client.js';
import { createCommunity } from '../../src/identity/community.js';
import type { HealthBoard, HealthRouter } from '../../src/health/context/health-context.js';
import { HealthNode } from '../../src/health/service/health-node.js';
import { encodeOffer } from '../../src/health/formats/offer.js';
import { buildUpload } from '../../src/health/formats/upload.js';
import { silentLogger } from '../../src/log.js';
import { createRealRuntime } from '../../src/runtime/real/real-runtime.js';
import { seededRandom } from '../identity/helpers.js';
import { fullProfile, is } from './helpers.js';

const BOARD = 'tkb1-fake';
const OFFER_ID = 'aa'.repeat(16);

class FakeBoard {
  posts: { text: string; fields: { key: string; value: string }[] }[] = [];
  replies: unknown[] = [];
  found: BoardResult[] = [];
  calls = 0;
  api(): HealthBoard {
    const self = this;
    return {
      async post(_b, p) {
        self.calls++;
        self.posts.push({ text: p.text, fields: p.fields ?? [] });
        return { postId: String(self.posts.length).padStart(32, '0'), anonymousId: '00', expires: Date.now() + 1000 };
      },
      async searchAll() {
        self.calls++;
        return self.found;
      },
      async search() {
        self.calls++;
        return self.found;
      },
      async get(_b, postId) {
        self.calls++;
        const r = self.found.find((x) => x.postId === postId);
        if (!r) throw new Error('no such post');
        return r;
      },
      async reply(_b, postId, r) {
        self.calls++;
        self.replies.push({ postId, ...r });
        return { replyId: 'ff'.repeat(16) };
      },
      async replies() {
        self.calls++;
        return [];
      },
    } as HealthBoard;
  }
}

const entry = (postId: string, text: string, fields: { key: string; value: string }[]): BoardResult => ({ postId, anonymousId: '00', created: Date.now(), expires: Date.now() + 60_000, text, fields });

async function setup() {
  const community = await createCommunity({ trustees: 1, threshold: 1, escrow: false, random: seededRandom('health-node') });
  const identity = community.issue().identity;
  const board = new FakeBoard();
  const served: unknown[] = [];
  const router: HealthRouter = {
    newAddress: () => {
      throw new Error('not in this test');
    },
    serve: (a) => void served.push(a),
    unserve: () => undefined,
    request: async () => {
      throw new Error('not in this test');
    },
  };
  const health = new HealthNode({ router, board: board.api(), runtime: createRealRuntime(), identity, logger: silentLogger });
  return { health, board, served };
}

test('profile changes: checked by the catalogue; identifying attributes cannot be disclosed; a bad import is refused', async () => {
  const { health } = await setup();
  const m = health.member;
  await assert.rejects(m.setAttribute('ageBand', '60-69'), is('HEALTH_DERIVED'));
  await assert.rejects(m.setAttribute('systolic', 120), is('HEALTH_NOT_ATTRIBUTE'));
  await assert.rejects(m.setAttribute('shoeSize', 42), is('HEALTH_UNKNOWN_ATTRIBUTE'));
  await assert.rejects(m.setAttribute('sex', 'yes'), is('HEALTH_BAD_VALUE'));
  await assert.rejects(m.setDisclosed('email', true), is('HEALTH_LOCKED'));
  await assert.rejects(m.recordMeasurement({ kind: 'systolic', value: 999 }), is('HEALTH_OUT_OF_RANGE'));
  await assert.rejects(m.recordMeasurement({ kind: 'mood', value: 3 }), is('HEALTH_UNKNOWN_MEASUREMENT'));
  const v = await m.setAttribute('phone', '+44 7700 900456');
  assert.deepEqual(v.attributes.phone, { value: '+44 7700 900456', disclosed: false, locked: true });
  assert.equal((await m.setAttribute('phone', null)).attributes.phone!.value, null);
  const after = await m.recordMeasurement({ kind: 'weightKg', value: 80.4 });
  assert.equal(after.attributes.weightKg!.value, 80.4);
  await assert.rejects(m.importProfile({ ...fullProfile(), attributes: { sex: 'x' as 'male' } }), is('HEALTH_BAD_PROFILE'));
});

test('upload: exactly the disclosed view goes to the board; nothing disclosed is refused before any request', async () => {
  const { health, board } = await setup();
  const m = health.member;
  await m.importProfile(fullProfile());
  await assert.rejects(m.upload(BOARD, { study: 'bp-2025' }), is('HEALTH_NOTHING_TO_UPLOAD'));
  await assert.rejects(m.upload(BOARD, { study: 'Bad Study' }), is('HEALTH_BAD_OPTION'));
  assert.equal(board.calls, 0);
  await m.setDisclosed('systolic', true);
  const r = await m.upload(BOARD, { study: 'bp-2025', pseudonymous: true });
  assert.equal(r.included, 1);
  const posted = board.posts[0]!;
  assert.ok(!posted.text.includes('Bram') && !posted.text.includes('91.2') && !posted.text.includes('6.1'));
  assert.deepEqual(posted.fields.map((f) => f.key), ['kind', 'study', 'ageband', 'sex', 'pseudonym']);
});

test('publishStats skips and counts malformed uploads; offers are matched here; a non-matching offer is not answered', async () => {
  const { health, board, served } = await setup();
  const profile = fullProfile();
  const upload = buildUpload({ ...profile, disclosure: { ...profile.disclosure, systolic: true } }, { study: 'bp', now: Date.now() });
  board.found = [entry('01'.repeat(16), upload.text, upload.fields), entry('02'.repeat(16), 'nonsense', upload.fields)];
  const pub = await health.intermediary.publishStats(BOARD, { study: 'bp', minCohort: 1 });
  assert.deepEqual([pub.uploads, pub.skipped, pub.cohorts, pub.posts.length], [1, 1, 1, 1]);
  assert.ok(board.posts[0]!.fields.some((f) => f.key === 'kind' && f.value === 'health.stats'));
  await assert.rejects(health.intermediary.publishStats(BOARD, { study: 'bp', minCohort: 0 }), is('HEALTH_BAD_OPTION'));

  await health.member.importProfile(profile);
  const offer = encodeOffer({ offerId: OFFER_ID, clinic: 'C', title: 'Young only', description: '', criteria: [{ attribute: 'age', op: 'lte', value: 30 }], expires: Date.now() + 86_400_000 });
  board.found = [entry('03'.repeat(16), offer.text, offer.fields), entry('04'.repeat(16), '{"not":"an offer"}', [{ key: 'kind', value: 'health.offer' }])];
  const { offers, skipped } = await health.member.offers(BOARD);
  assert.equal(skipped, 1);
  assert.equal(offers.length, 1);
  assert.equal(offers[0]!.match.matches, false);
  assert.equal(offers[0]!.answerId, null);
  const before = board.calls;
  await assert.rejects(health.member.answer(BOARD, '03'.repeat(16), { disclose: ['sex'] }), is('HEALTH_NO_MATCH'));
  assert.equal(board.calls, before, 'nothing asked of the board');
  assert.equal(board.replies.length, 0);
  assert.equal(served.length, 0, 'no answer address made');
});

test('letters and proposals: unknown ids are refused', async () => {
  const { health } = await setup();
  await assert.rejects(health.member.requestLetter('00'.repeat(16)), is('HEALTH_NO_SUCH_PROPOSAL'));
  await assert.rejects(health.member.signLetter('00'.repeat(16), 'x'), is('HEALTH_NO_SUCH_EXCHANGE'));
  await assert.rejects(health.clinic.propose('00'.repeat(16), { text: 'hi' }), is('HEALTH_NO_SUCH_ANSWER'));
  await assert.rejects(health.clinic.clinicLetter('00'.repeat(16), { purposes: ['x'], retentionDays: 1, items: ['name'] }), is('HEALTH_NO_SUCH_ANSWER'));
  await assert.rejects(health.clinic.postOffer(BOARD, { clinic: 'C', title: 'T', description: '', criteria: [], expires: Date.now() - 1 }), is('HEALTH_OFFER_EXPIRED'));
  await assert.rejects(health.clinic.postOffer(BOARD, { clinic: '', title: 'T', description: '', criteria: [], expires: Date.now() + 1000 }), is('HEALTH_BAD_OFFER'));
  assert.deepEqual(health.member.proposals(), []);
  assert.deepEqual(health.member.letters(), []);
  assert.deepEqual(health.clinic.released(), []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokumeiError } from '../../src/errors.js';
import { generateX25519 } from '../../src/crypto/x25519.js';
import { IDENTIFYING_ATTRIBUTES } from '../../src/health/profile/attributes.js';
import { buildAnswer, encodeAnswer, parseAnswer, type AnswerReply } from '../../src/health/formats/offer-answer.js';
import { emptyProfile, isDisclosed } from '../../src/health/profile/profile.js';
import { encodeAddress } from '../../src/routing/formats/one-time-address.js';
import { seededRandom } from '../identity/helpers.js';
import { DAY, fullProfile, is, NOW } from './helpers.js';
import { sampleOffer } from './offer-fixtures.js';

function answerAddress(seed = 'a'): string {
  const r = seededRandom(seed);
  return encodeAddress({ id: r.bytes(64), key: generateX25519(r).publicRaw });
}

test('an answer discloses only what the member picks, and round-trips as a board reply', () => {
  const p = fullProfile();
  const offer = sampleOffer();
  const address = answerAddress();
  const answer = buildAnswer(p, offer, { answerAddress: address, disclose: ['systolic', 'ageBand', 'smoker'], message: 'Tuesdays suit me.', now: NOW });
  // Catalogue order, latest measurement, derived age band; smoker and systolic are not disclosed
  // to the board, but the member picked them for this clinic.
  assert.equal(isDisclosed(p, 'smoker'), false);
  assert.deepEqual(answer, { offerId: offer.offerId, answerAddress: address, disclosed: { ageBand: '60-69', smoker: true, systolic: 141 }, message: 'Tuesdays suit me.' });
  const reply = encodeAnswer(answer);
  assert.equal(reply.answerAddress, address);
  assert.equal(reply.text, '{"format":"tokumei-health-answer/1","offerId":"0123456789abcdef0123456789abcdef","disclosed":{"ageBand":"60-69","smoker":true,"systolic":141},"message":"Tuesdays suit me."}');
  assert.ok(!reply.text.includes(address)); // the address rides in the reply's own slot
  assert.deepEqual(parseAnswer(reply, offer.offerId), answer);
  // Nothing picked, no message: still a valid answer.
  const bare = buildAnswer(p, offer, { answerAddress: address, disclose: [], now: NOW });
  assert.deepEqual(parseAnswer(encodeAnswer(bare)), bare);
});

test('buildAnswer refuses identifying and locked attributes (HEALTH_LOCKED), and nothing is built', () => {
  const p = fullProfile();
  const base = { answerAddress: answerAddress(), now: NOW };
  for (const name of [...IDENTIFYING_ATTRIBUTES, 'age']) {
    assert.throws(
      () => buildAnswer(p, sampleOffer(), { ...base, disclose: ['sex', name] }),
      (e: unknown) => is('HEALTH_LOCKED')(e) && (e as TokumeiError).kind === 'refused' && /letter of intent/.test((e as Error).message),
      name,
    );
  }
  assert.throws(() => buildAnswer(p, sampleOffer(), { ...base, disclose: ['diagnosis'] }), is('HEALTH_UNKNOWN_ATTRIBUTE'));
  assert.throws(() => buildAnswer(p, sampleOffer(), { ...base, disclose: ['__proto__'] }), is('HEALTH_UNKNOWN_ATTRIBUTE'));
  assert.throws(() => buildAnswer(emptyProfile(), sampleOffer(), { ...base, disclose: ['sex'] }), is('HEALTH_NO_VALUE'));
  assert.throws(() => buildAnswer(p, sampleOffer(), { ...base, disclose: ['cholesterol'] }), is('HEALTH_NO_VALUE'));
  assert.throws(() => buildAnswer(p, sampleOffer({ expires: NOW }), { ...base, disclose: [] }), is('HEALTH_OFFER_EXPIRED'));
  assert.throws(() => buildAnswer(p, sampleOffer(), { ...base, answerAddress: 'tk1nope', disclose: [] }), is('HEALTH_BAD_ANSWER'));
  assert.throws(() => buildAnswer(p, sampleOffer(), { ...base, disclose: [], message: 'x'.repeat(2049) }), is('HEALTH_BAD_ANSWER'));
  assert.throws(() => buildAnswer(p, sampleOffer(), { ...base, disclose: 'sex' as any }), is('HEALTH_BAD_ANSWER'));
  assert.throws(() => buildAnswer(p, sampleOffer(), { ...base, now: NaN, disclose: [] }), is('HEALTH_BAD_TIME'));
});

test('parseAnswer (the clinic side) refuses identifying data, bad values and non-canonical text', () => {
  const p = fullProfile();
  const good = encodeAnswer(buildAnswer(p, sampleOffer(), { answerAddress: answerAddress(), disclose: ['sex', 'weightKg'], now: NOW + DAY }));
  const j = JSON.parse(good.text);
  const variants: AnswerReply[] = [
    { ...good, text: JSON.stringify({ ...j, disclosed: { ...j.disclosed, name: 'Bram Kestrel' } }) },
    { ...good, text: JSON.stringify({ ...j, disclosed: { birthDate: '1961-08-09' } }) },
    { ...good, text: JSON.stringify({ ...j, disclosed: { age: 63 } }) },
    { ...good, text: JSON.stringify({ ...j, disclosed: { sex: 'robot' } }) },
    { ...good, text: JSON.stringify({ ...j, disclosed: { weightKg: 91.25 } }) },
    { ...good, text: JSON.stringify({ ...j, disclosed: { weightKg: 9000 } }) },
    { ...good, text: JSON.stringify({ ...j, disclosed: { ageBand: '45-50' } }) },
    { ...good, text: JSON.stringify({ ...j, disclosed: { weightKg: 91.2, sex: 'male' } }) }, // not catalogue order
    { ...good, text: JSON.stringify({ ...j, format: 'tokumei-health-answer/9' }) },
    { ...good, text: JSON.stringify({ ...j, extra: true }) },
    { ...good, text: JSON.stringify(j, null, 2) },
    { ...good, answerAddress: '' },
    { ...good, answerAddress: good.answerAddress.slice(0, -1) },
    { ...good, text: '[]' },
  ];
  for (const [i, v] of variants.entries()) {
    assert.throws(() => parseAnswer(v), (e: unknown) => is('HEALTH_BAD_ANSWER')(e) && (e as TokumeiError).kind === 'protocol', `variant ${i}`);
  }
  assert.throws(() => parseAnswer(good, 'ffffffffffffffffffffffffffffffff'), /answers offer/);
  // encodeAnswer refuses a hand-made answer carrying identifying data too.
  assert.throws(() => encodeAnswer({ offerId: j.offerId, answerAddress: good.answerAddress, disclosed: { name: 'x' } as any, message: '' }), is('HEALTH_BAD_ANSWER'));
});

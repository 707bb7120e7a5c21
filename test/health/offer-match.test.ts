import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exactAge } from '../../src/health/profile/attributes.js';
import { matchOffer } from '../../src/health/formats/offer-match.js';
import { isDisclosed, recordMeasurement, setAttribute } from '../../src/health/profile/profile.js';
import { DAY, fullProfile, is, NOW } from './helpers.js';
import { sampleOffer } from './offer-fixtures.js';

/** The helper profile, 47 years old at NOW, smoker, postcode area SM7, systolic 141. */
function profile47() {
  const p = setAttribute(fullProfile(), 'birthDate', '1978-01-15', NOW);
  assert.equal(exactAge('1978-01-15', NOW), 47);
  return p;
}

test('matching reads the full profile: exact age 47 matches "between 40 and 50" though never disclosed', () => {
  const p = profile47();
  // None of what the criteria read is disclosed to the board.
  for (const name of ['birthDate', 'smoker', 'postcodeArea', 'systolic'] as const) assert.equal(isDisclosed(p, name), false, name);
  const r = matchOffer(p, sampleOffer(), NOW);
  assert.equal(r.matches, true);
  assert.equal(r.expired, false);
  assert.deepEqual(
    r.reasons.map((x) => x.outcome),
    ['met', 'met', 'met', 'met'],
  );
  assert.match(r.reasons[0]!.reason, /your age is 47: between 40 and 50/);
  assert.match(r.reasons[3]!.reason, /your latest systolic is 141: at least 130/);
  // Boundaries are inclusive.
  for (const [low, high] of [
    [47, 50],
    [40, 47],
    [47, 47],
  ] as const) {
    assert.equal(matchOffer(p, sampleOffer({ criteria: [{ attribute: 'age', op: 'between', value: [low, high] }] }), NOW).matches, true);
  }
  const older = matchOffer(p, sampleOffer({ criteria: [{ attribute: 'age', op: 'between', value: [50, 60] }] }), NOW);
  assert.equal(older.matches, false);
  assert.equal(older.reasons[0]!.outcome, 'not-met');
  assert.match(older.reasons[0]!.reason, /not between 50 and 60/);
});

test('each operator, identifying attributes and the newest measurement', () => {
  let p = profile47();
  const one = (attribute: string, op: any, value: any) => matchOffer(p, sampleOffer({ criteria: [{ attribute, op, value }] }), NOW).reasons[0]!;
  assert.equal(one('sex', 'eq', 'male').outcome, 'met');
  assert.equal(one('sex', 'eq', 'female').outcome, 'not-met');
  assert.equal(one('sex', 'neq', 'female').outcome, 'met');
  assert.equal(one('ageBand', 'eq', '40-49').outcome, 'met');
  assert.equal(one('age', 'lte', 46).outcome, 'not-met');
  assert.equal(one('age', 'gte', 47).outcome, 'met');
  assert.equal(one('postcodeArea', 'in', ['SM8', 'EB1']).outcome, 'not-met');
  assert.equal(one('weightKg', 'in', [91.2, 80]).outcome, 'met');
  // Identifying attributes can be matched on the device (nothing is sent).
  assert.equal(one('name', 'eq', 'Bram Kestrel').outcome, 'met');
  // Type mismatches are never a match, not even for neq.
  assert.equal(one('sex', 'gte', 3).outcome, 'wrong-type');
  assert.equal(one('smoker', 'neq', 'yes').outcome, 'wrong-type');
  assert.equal(one('smoker', 'in', ['yes']).outcome, 'wrong-type');
  assert.match(one('sex', 'between', [1, 2]).reason, /cannot be compared/);
  // The newest measurement counts.
  p = recordMeasurement(p, { kind: 'systolic', value: 120, at: NOW - 1000 }, NOW);
  assert.equal(one('systolic', 'gte', 130).outcome, 'not-met');
  // Strings compare in NFC.
  p = setAttribute(p, 'name', 'Zoe\u0308', NOW);
  assert.equal(one('name', 'eq', 'Zo\u00eb').outcome, 'met');
});

test('an unknown or unset attribute is not matched, and the reason says so', () => {
  const p = profile47();
  const r = matchOffer(
    p,
    sampleOffer({
      criteria: [
        { attribute: 'diagnosis', op: 'eq', value: 'asthma' },
        { attribute: 'constructor', op: 'neq', value: 'x' },
        { attribute: 'cholesterol', op: 'lte', value: 5 },
      ],
    }),
    NOW,
  );
  assert.equal(r.matches, false);
  assert.deepEqual(
    r.reasons.map((x) => x.outcome),
    ['unknown-attribute', 'unknown-attribute', 'unknown-attribute'],
  );
  assert.match(r.reasons[0]!.reason, /your profile has no "diagnosis"/);
  // Without a birth date there is no age.
  const noBirth = { ...p, attributes: { ...p.attributes, birthDate: undefined } };
  assert.equal(matchOffer(noBirth, sampleOffer(), NOW).reasons[0]!.outcome, 'unknown-attribute');
});

test('expired offers never match; an offer without criteria matches until it expires', () => {
  const p = profile47();
  const offer = sampleOffer({ expires: NOW + DAY });
  assert.equal(matchOffer(p, offer, NOW + DAY - 1).matches, true);
  const late = matchOffer(p, offer, NOW + DAY);
  assert.equal(late.matches, false);
  assert.equal(late.expired, true);
  assert.ok(late.reasons.every((x) => x.matched)); // still explained
  const all = sampleOffer({ criteria: [] });
  assert.equal(matchOffer(p, all, NOW).matches, true);
  assert.equal(matchOffer(p, all, all.expires).matches, false);
  assert.throws(() => matchOffer(p, offer, NaN), is('HEALTH_BAD_TIME'));
  assert.throws(() => matchOffer(p, { ...offer, criteria: [{ attribute: 'age', op: 'like' } as any] }, NOW), is('HEALTH_BAD_OFFER'));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokumeiError } from '../../src/errors.js';
import { encodeOffer, newOfferId, OFFER_LIMITS, parseOffer, validateOffer, type OfferPayload } from '../../src/health/formats/offer.js';
import { seededRandom } from '../identity/helpers.js';
import { is } from './helpers.js';
import { sampleOffer } from './offer-fixtures.js';

test('an offer round-trips through a board post: canonical JSON text, kind field, hints', () => {
  const offer = sampleOffer();
  const payload = encodeOffer(offer);
  assert.deepEqual(payload.fields, [
    { key: 'kind', value: 'health.offer' },
    { key: 'region', value: 'saltmere' },
  ]);
  const j = JSON.parse(payload.text);
  assert.deepEqual(Object.keys(j), ['format', 'offerId', 'clinic', 'title', 'description', 'criteria', 'expires']);
  assert.equal(j.format, 'tokumei-health-offer/1');
  // Words of the title are in the text, so a board text search finds the offer.
  assert.ok(payload.text.includes('blood-pressure'));
  assert.deepEqual(parseOffer(payload), offer);
  // Hints are optional; an offer without criteria is allowed (it matches everyone).
  const bare = encodeOffer({ ...sampleOffer({ criteria: [] }), hints: undefined });
  assert.deepEqual(bare.fields, [{ key: 'kind', value: 'health.offer' }]);
  assert.deepEqual(parseOffer(bare).hints, []);
  assert.match(newOfferId(), /^[0-9a-f]{32}$/);
  assert.notEqual(newOfferId(), newOfferId());
});

test('validation refuses anything malformed or out of bounds (HEALTH_BAD_OFFER, bad-input)', () => {
  const bad: [string, (o: any) => void][] = [
    ['offerId not hex', (o) => (o.offerId = 'XYZ')],
    ['offerId upper case', (o) => (o.offerId = o.offerId.toUpperCase().replace(/^0/, 'A'))],
    ['empty clinic', (o) => (o.clinic = '')],
    ['clinic too long', (o) => (o.clinic = 'x'.repeat(129))],
    ['newline in title', (o) => (o.title = 'a\nb')],
    ['bidi override', (o) => (o.title = 'abc\u202edef')],
    ['control char in description', (o) => (o.description = 'a\u0007b')],
    ['lone surrogate', (o) => (o.description = 'a\ud800b')],
    ['extra field', (o) => (o.extra = 1)],
    ['missing field', (o) => delete o.title],
    ['expires negative', (o) => (o.expires = -1)],
    ['expires fractional', (o) => (o.expires = 1.5)],
    ['unknown op', (o) => (o.criteria[0].op = 'like')],
    ['bad attribute name', (o) => (o.criteria[0].attribute = 'Age')],
    ['attribute too long', (o) => (o.criteria[0].attribute = 'a'.repeat(33))],
    ['between reversed', (o) => (o.criteria[0].value = [50, 40])],
    ['between three', (o) => (o.criteria[0].value = [1, 2, 3])],
    ['between strings', (o) => (o.criteria[0].value = ['40', '50'])],
    ['gte string', (o) => (o.criteria[3].value = '130')],
    ['gte NaN', (o) => (o.criteria[3].value = NaN)],
    ['gte Infinity', (o) => (o.criteria[3].value = Infinity)],
    ['eq object', (o) => (o.criteria[1].value = { a: 1 })],
    ['eq null', (o) => (o.criteria[1].value = null)],
    ['in empty', (o) => (o.criteria[2].value = [])],
    ['in repeated', (o) => (o.criteria[2].value = ['SM7', 'SM7'])],
    ['in boolean', (o) => (o.criteria[2].value = [true])],
    ['in too many', (o) => (o.criteria[2].value = Array.from({ length: 33 }, (_, i) => i))],
    ['criterion extra key', (o) => (o.criteria[0].note = 'x')],
    ['too many criteria', (o) => (o.criteria = Array.from({ length: 33 }, () => ({ attribute: 'age', op: 'gte', value: 1 })))],
    ['hint key reserved', (o) => (o.hints = [{ key: 'kind', value: 'x' }])],
    ['hint key bad', (o) => (o.hints = [{ key: 'Region', value: 'x' }])],
    ['hint repeated', (o) => (o.hints = [{ key: 'a', value: 'x' }, { key: 'a', value: 'y' }])],
    ['hint value too long', (o) => (o.hints = [{ key: 'a', value: 'x'.repeat(129) }])],
    ['too many hints', (o) => (o.hints = Array.from({ length: 16 }, (_, i) => ({ key: `h${i}`, value: 'x' })))],
  ];
  for (const [name, mutate] of bad) {
    const o: any = structuredClone(sampleOffer());
    mutate(o);
    assert.throws(() => validateOffer(o), (e: unknown) => is('HEALTH_BAD_OFFER')(e) && (e as TokumeiError).kind === 'bad-input', name);
    assert.throws(() => encodeOffer(o), is('HEALTH_BAD_OFFER'), name);
  }
  for (const junk of [null, undefined, 1, 'x', [], {}]) assert.throws(() => validateOffer(junk), is('HEALTH_BAD_OFFER'));
  // Each part within bounds, the whole too large for a post.
  const huge = sampleOffer({
    description: 'd'.repeat(OFFER_LIMITS.maxDescriptionBytes),
    criteria: Array.from({ length: 32 }, (_, i) => ({ attribute: `a${i}`, op: 'in' as const, value: Array.from({ length: 32 }, (_, j) => `value-${j}-${'v'.repeat(20)}`) })),
  });
  assert.throws(() => encodeOffer(huge), /more than a post's 16384/);
  // -0 is normalised to 0 (JSON has no -0).
  assert.deepEqual(validateOffer(sampleOffer({ criteria: [{ attribute: 'x', op: 'gte', value: -0 }] })).criteria[0]!.value, 0);
});

test('parseOffer refuses non-canonical text, a wrong format or wrong fields (HEALTH_BAD_OFFER, protocol)', () => {
  const good = encodeOffer(sampleOffer());
  const j = JSON.parse(good.text);
  const variants: OfferPayload[] = [
    { ...good, text: JSON.stringify(j, null, 1) },
    { ...good, text: good.text.replace('{"format"', '{ "format"') },
    { ...good, text: good.text.replace('"offerId":', '"offerId":"00000000000000000000000000000000","offerId":') },
    { ...good, text: JSON.stringify({ ...j, format: 'tokumei-health-offer/2' }) },
    { ...good, text: JSON.stringify({ offerId: j.offerId, format: j.format, ...j }) },
    { ...good, text: JSON.stringify({ ...j, extra: 1 }) },
    { ...good, text: '' },
    { ...good, text: 'null' },
    { ...good, text: 'x'.repeat(20_000) },
    { ...good, fields: [] },
    { ...good, fields: [{ key: 'kind', value: 'health.upload' }] },
    { ...good, fields: [{ key: 'kind', value: 'health.offer' }, { key: 'kind', value: 'health.offer' }] },
    { ...good, fields: [{ key: 'kind', value: 'health.offer' }, { key: 'BAD', value: 'x' }] },
    { text: good.text } as OfferPayload,
    { ...good, text: 5 } as unknown as OfferPayload,
  ];
  for (const [i, v] of variants.entries()) {
    assert.throws(() => parseOffer(v), (e: unknown) => is('HEALTH_BAD_OFFER')(e) && (e as TokumeiError).kind === 'protocol', `variant ${i}`);
  }
  // The kind field may come anywhere among the fields.
  assert.equal(parseOffer({ ...good, fields: [...good.fields].reverse() }).offerId, j.offerId);
});

test('fuzz: mutated offer posts parse to a valid offer or fail with HEALTH_BAD_OFFER, never anything else', () => {
  const random = seededRandom('offer fuzz');
  const good = encodeOffer(sampleOffer());
  const bytes = new TextEncoder().encode(good.text);
  const pieces = ['"', '{', '}', '[', ']', ',', ':', '0', '-1', '1e999', 'null', 'true', '\\u0000', '\u202e', '"between"', '"in"'];
  let parsed = 0;
  for (let i = 0; i < 2_000; i++) {
    const r = random.bytes(4);
    const b = bytes.slice();
    let text: string;
    if (r[0]! % 3 === 0) {
      b[((r[1]! << 8) | r[2]!) % b.length] = r[3]!;
      text = new TextDecoder().decode(b);
    } else if (r[0]! % 3 === 1) {
      const at = ((r[1]! << 8) | r[2]!) % good.text.length;
      text = good.text.slice(0, at) + pieces[r[3]! % pieces.length] + good.text.slice(at + (r[3]! & 1));
    } else {
      text = good.text.slice(0, ((r[1]! << 8) | r[2]!) % good.text.length);
    }
    try {
      const offer = parseOffer({ text, fields: good.fields });
      parsed++;
      assert.deepEqual(parseOffer(encodeOffer(offer)), offer); // whatever parses is valid and canonical
    } catch (e) {
      assert.ok(is('HEALTH_BAD_OFFER')(e), `unexpected ${String(e)} for ${JSON.stringify(text).slice(0, 200)}`);
    }
  }
  assert.ok(parsed < 2_000);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokumeiError } from '../../src/errors.js';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import { emptyProfile, recordMeasurements, setAttribute, setDisclosed } from '../../src/health/profile/profile.js';
import { buildUpload, MAX_POST_TEXT_BYTES, parseUpload, studyPseudonym } from '../../src/health/formats/upload.js';
import { DAY, fullProfile, is, NOW } from './helpers.js';

const MIN = 60_000;

function sharing() {
  let p = fullProfile();
  for (const k of ['systolic', 'diastolic', 'weightKg', 'smoker'] as const) p = setDisclosed(p, k, true);
  return p;
}

test('an upload carries exactly the disclosed view, canonically, and parses back', () => {
  const up = buildUpload(sharing(), { study: 'bp-2025', now: NOW });
  assert.deepEqual(up.fields, [
    { key: 'kind', value: 'health.upload' },
    { key: 'study', value: 'bp-2025' },
    { key: 'ageband', value: '60-69' },
    { key: 'sex', value: 'male' },
  ]);
  const at = NOW / MIN;
  assert.equal(up.text, `{"v":1,"at":${at},"a":{"smoker":true},"m":{"systolic":[[${at - 2880},141]],"diastolic":[[${at - 2880},88]],"weightKg":[[${at - 1440},91.2]]}}`);
  assert.equal(up.included, 3);
  assert.equal(up.omitted, 0);
  assert.deepEqual(parseUpload(up.text, up.fields), {
    study: 'bp-2025',
    at: NOW,
    ageBand: '60-69',
    sex: 'male',
    attributes: { smoker: true },
    measurements: [
      { kind: 'systolic', value: 141, at: NOW - 2 * DAY },
      { kind: 'diastolic', value: 88, at: NOW - 2 * DAY },
      { kind: 'weightKg', value: 91.2, at: NOW - DAY },
    ],
  });
  // glucose is measured but not disclosed; nothing identifying is there.
  for (const s of ['glucose', '6.1', 'Bram', 'Kestrel', 'Heron', 'SM7', '1961', '900456', 'example.org']) assert.ok(!up.text.includes(s) && !JSON.stringify(up.fields).includes(s), s);
});

test('nothing to upload, since, the study tag and the pseudonym', () => {
  assert.throws(() => buildUpload(fullProfile(), { study: 'bp-2025', now: NOW }), is('HEALTH_NOTHING_TO_UPLOAD'));
  assert.throws(() => buildUpload(sharing(), { study: 'BP 2025', now: NOW }), is('HEALTH_BAD_OPTION'));
  assert.throws(() => buildUpload(sharing(), { study: 'bp', now: NOW, pseudonymous: true }), is('HEALTH_BAD_OPTION'));
  const recent = parseUpload(...payload(buildUpload(sharing(), { study: 'bp', now: NOW, since: NOW - DAY - 1 })));
  assert.deepEqual(recent.measurements.map((m) => m.kind), ['weightKg']);
  // A measurement after `now` is not uploaded.
  assert.throws(() => buildUpload(sharing(), { study: 'bp', now: NOW - 3 * DAY }), is('HEALTH_NOTHING_TO_UPLOAD'));

  const secret = new Uint8Array(32).fill(1);
  const a = buildUpload(sharing(), { study: 'bp', now: NOW, pseudonymous: true, pseudonymSecret: secret });
  const b = buildUpload(sharing(), { study: 'bp', now: NOW + DAY, pseudonymous: true, pseudonymSecret: secret });
  const c = buildUpload(sharing(), { study: 'other', now: NOW, pseudonymous: true, pseudonymSecret: secret });
  const pa = parseUpload(a.text, a.fields).pseudonym;
  assert.match(pa!, /^[0-9a-f]{32}$/);
  assert.equal(parseUpload(b.text, b.fields).pseudonym, pa, 'stable within a study');
  assert.notEqual(parseUpload(c.text, c.fields).pseudonym, pa, 'different across studies');
  assert.equal(studyPseudonym(secret, 'bp'), pa);
  assert.notEqual(studyPseudonym(new Uint8Array(32).fill(2), 'bp'), pa);
  // Without the option there is no pseudonym, even with a secret.
  assert.equal(parseUpload(...payload(buildUpload(sharing(), { study: 'bp', now: NOW, pseudonymSecret: secret }))).pseudonym, undefined);
});

const payload = (u: { text: string; fields: { key: string; value: string }[] }) => [u.text, u.fields] as const;

test('long series keep the newest points within 16,384 bytes', () => {
  let p = emptyProfile();
  p = setAttribute(p, 'birthDate', '1980-01-01', NOW);
  p = setAttribute(p, 'sex', 'female', NOW);
  p = setDisclosed(p, 'heartRate', true);
  p = setDisclosed(p, 'systolic', true);
  const list = [];
  for (let i = 1; i <= 1000; i++) {
    list.push({ kind: 'heartRate' as const, value: 60 + (i % 30), at: NOW - i * 3 * 3_600_000 });
    list.push({ kind: 'systolic' as const, value: 110 + (i % 30), at: NOW - i * 3 * 3_600_000 - MIN });
  }
  p = recordMeasurements(p, list, NOW);
  const up = buildUpload(p, { study: 'hr', now: NOW });
  assert.ok(Buffer.byteLength(up.text) <= MAX_POST_TEXT_BYTES);
  assert.ok(up.omitted > 0 && up.included + up.omitted === 2000);
  const parsed = parseUpload(up.text, up.fields);
  assert.equal(parsed.measurements.length, up.included);
  const oldestKept = Math.min(...parsed.measurements.map((m) => m.at));
  const kept = p.measurements.filter((m) => m.at >= oldestKept);
  assert.equal(kept.length, up.included, 'exactly the newest points');
  // One more point would not have fitted: with a smaller limit, fewer points.
  const small = buildUpload(p, { study: 'hr', now: NOW, maxTextBytes: 1000 });
  assert.ok(Buffer.byteLength(small.text) <= 1000 && small.included < up.included);
});

test('parsing is strict: malformed, out-of-range, unknown or non-canonical uploads are refused', () => {
  const up = buildUpload(sharing(), { study: 'bp-2025', now: NOW });
  const at = NOW / MIN;
  const f = up.fields;
  const badTexts = [
    '',
    'null',
    '[]',
    '{',
    up.text.replace('"v":1', '"v":2'),
    up.text.replace('"v":1', '"v":"1"'),
    up.text.replace('{"v":1,', '{"v":1,"x":0,'),
    up.text.replace(',141]', ',1410]'),
    up.text.replace(',141]', ',141.5]'),
    up.text.replace(',141]', ',"141"]'),
    up.text.replace(',91.2]', ',91.25]'),
    up.text.replace('"systolic"', '"steps"'),
    up.text.replace('"smoker":true', '"smoker":"yes"'),
    up.text.replace('"smoker":true', '"name":"Bram"'),
    up.text.replace(`"at":${at}`, `"at":${at - 10000}`),
    up.text.replace(`"at":${at}`, `"at":${at}.5`),
    up.text.replace(`[[${at - 2880},141]]`, `[[${at - 2880},141],[${at - 2880},140]]`),
    up.text.replace(`[[${at - 2880},141]]`, `[[${at - 2880},141],[${at - 2000},140]]`),
    up.text.replace(`[[${at - 2880},141]]`, '[]'),
    up.text.replace(`[[${at - 2880},141]]`, `[[${at - 2880},141,1]]`),
    up.text.replace(`"weightKg":[[${at - 1440},91.2]],`, '').replace(`,"weightKg":[[${at - 1440},91.2]]`, ''), // still fine? checked below
    up.text.replace('"m":{', '"m":{ '),
    up.text.replace(',141]', ',141.0]'),
    up.text.replace(',141]', ',1.41e2]'),
    '{"v":1,"at":1,"a":{},"m":{}}',
    ' ' + up.text,
    up.text.replace('"systolic":[[', '"systolic":[[-'),
    up.text.replace('"a":{"smoker":true}', '"a":{"smoker":true,"smoker":false}'),
    JSON.stringify({ ...JSON.parse(up.text), v: 1 }).replace('}}', '},"extra":1}'),
    'x'.repeat(MAX_POST_TEXT_BYTES + 1),
  ];
  for (const t of badTexts) {
    if (t === up.text) continue;
    let ok = false;
    try {
      parseUpload(t, f);
      ok = true;
    } catch (e) {
      assert.ok(is('HEALTH_BAD_UPLOAD')(e), `${t.slice(0, 80)}: ${String(e)}`);
      assert.equal((e as TokumeiError).kind, 'protocol');
    }
    // Dropping a whole series leaves a valid canonical upload; everything else must fail.
    if (ok) assert.ok(!t.includes('weightKg'), `accepted: ${t}`);
  }
  const badFields = [
    f.filter((x) => x.key !== 'kind'),
    f.filter((x) => x.key !== 'study'),
    [...f, { key: 'sex', value: 'female' }],
    [...f, { key: 'name', value: 'Bram' }],
    f.map((x) => (x.key === 'kind' ? { ...x, value: 'health.stats' } : x)),
    f.map((x) => (x.key === 'ageband' ? { ...x, value: '65' } : x)),
    f.map((x) => (x.key === 'sex' ? { ...x, value: 'M' } : x)),
    f.map((x) => (x.key === 'study' ? { ...x, value: 'Bad Study' } : x)),
    [...f, { key: 'pseudonym', value: 'not-hex' }],
    'fields',
    [null],
    Array.from({ length: 17 }, (_, i) => ({ key: `k${i}`, value: 'v' })),
  ];
  for (const bf of badFields) assert.throws(() => parseUpload(up.text, bf), is('HEALTH_BAD_UPLOAD'), JSON.stringify(bf).slice(0, 80));
  assert.throws(() => parseUpload(42, f), is('HEALTH_BAD_UPLOAD'));
  // Field order does not matter; the reverse parses the same.
  assert.deepEqual(parseUpload(up.text, [...f].reverse()), parseUpload(up.text, f));
});

test('fuzz: random mutations are refused with HEALTH_BAD_UPLOAD or parse to valid data', () => {
  const base = buildUpload(sharing(), { study: 'bp-2025', now: NOW });
  const r = new SeededRandom(2025, 'upload-fuzz');
  const alphabet = '{}[],:"0123456789.-eE truefalsnu\\\u00e9';
  let refused = 0;
  for (let i = 0; i < 3000; i++) {
    const chars = [...base.text];
    const n = 1 + r.int(3);
    for (let j = 0; j < n; j++) {
      const pos = r.int(chars.length);
      const op = r.int(3);
      const c = alphabet[r.int(alphabet.length)]!;
      if (op === 0) chars[pos] = c;
      else if (op === 1) chars.splice(pos, 1);
      else chars.splice(pos, 0, c);
    }
    const text = chars.join('');
    try {
      const u = parseUpload(text, base.fields);
      // Whatever parsed is in range and re-encodes to the same text.
      for (const m of u.measurements) assert.ok(m.value > 0 && m.at <= u.at);
    } catch (e) {
      assert.ok(is('HEALTH_BAD_UPLOAD')(e), `${text}: ${String(e)}`);
      refused++;
    }
  }
  assert.ok(refused > 2500);
});

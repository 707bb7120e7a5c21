import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokumeiError } from '../../src/errors.js';
import { decodeProposal, encodeProposal, newProposalId, type Proposal } from '../../src/health/formats/proposal.js';
import { DAY, is, NOW } from './helpers.js';

function sampleProposal(over: Partial<Proposal> = {}): Proposal {
  return {
    offerId: '0123456789abcdef0123456789abcdef',
    proposalId: newProposalId(),
    text: 'We can see you next week.\nBring your readings.',
    appointments: [
      { at: NOW + 7 * DAY, minutes: 30, place: 'Saltmere Heart Clinic, room 2' },
      { at: NOW + 8 * DAY, minutes: 45, place: '' },
    ],
    letterOfIntent: true,
    expires: NOW + 14 * DAY,
    ...over,
  };
}

test('a proposal round-trips as canonical UTF-8 JSON', () => {
  const p = sampleProposal();
  const bytes = encodeProposal(p);
  const text = new TextDecoder().decode(bytes);
  assert.deepEqual(Object.keys(JSON.parse(text)), ['format', 'offerId', 'proposalId', 'text', 'appointments', 'letterOfIntent', 'expires']);
  assert.deepEqual(decodeProposal(bytes), p);
  const none = sampleProposal({ appointments: [], letterOfIntent: false });
  assert.deepEqual(decodeProposal(encodeProposal(none)), none);
});

test('proposals out of bounds are refused on both sides (HEALTH_BAD_PROPOSAL)', () => {
  const bad: ((o: any) => void)[] = [
    (o) => (o.text = ''),
    (o) => (o.text = 'x'.repeat(4097)),
    (o) => (o.proposalId = 'short'),
    (o) => (o.letterOfIntent = 'yes'),
    (o) => (o.appointments[0].minutes = 0),
    (o) => (o.appointments[0].minutes = 1441),
    (o) => (o.appointments[0].place = 'a\nb'),
    (o) => (o.appointments[0].extra = 1),
    (o) => (o.appointments = Array.from({ length: 9 }, () => o.appointments[0])),
    (o) => (o.expires = 'soon'),
    (o) => (o.extra = 1),
  ];
  for (const [i, mutate] of bad.entries()) {
    const o: any = structuredClone(sampleProposal());
    mutate(o);
    assert.throws(() => encodeProposal(o), (e: unknown) => is('HEALTH_BAD_PROPOSAL')(e) && (e as TokumeiError).kind === 'bad-input', `encode ${i}`);
    const forged = new TextEncoder().encode(JSON.stringify({ format: 'tokumei-health-proposal/1', ...o }));
    assert.throws(() => decodeProposal(forged), (e: unknown) => is('HEALTH_BAD_PROPOSAL')(e) && (e as TokumeiError).kind === 'protocol', `decode ${i}`);
  }
  const good = new TextDecoder().decode(encodeProposal(sampleProposal()));
  for (const text of [good.replace(':', ': '), good.replace('tokumei-health-proposal/1', 'tokumei-health-proposal/2'), '', 'null', good.slice(0, -1)]) {
    assert.throws(() => decodeProposal(new TextEncoder().encode(text)), is('HEALTH_BAD_PROPOSAL'));
  }
  assert.throws(() => decodeProposal(Uint8Array.of(0xff, 0xfe)), /not valid UTF-8/);
  assert.throws(() => decodeProposal(new Uint8Array(20_000)), is('HEALTH_BAD_PROPOSAL'));
});

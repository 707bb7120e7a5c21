import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toBase64, toHex, utf8 } from '../../src/crypto/bytes.js';
import { basePointMul, randomScalar } from '../../src/crypto/ristretto.js';
import { generateSigningKeyPair, signBytes } from '../../src/crypto/signing.js';
import { createCommunity } from '../../src/identity/community.js';
import { createAnonymousId } from '../../src/anonymous-id/anonymous-id.js';
import { BadPartialError, combineOpening, type CombineOpeningOptions } from '../../src/trustees/opening-combiner.js';
import { createOpeningRequest, encodeOpeningRequest } from '../../src/trustees/opening-request.js';
import { approveOpening, decodeOpeningApproval, encodeOpeningApproval, type OpeningApproval } from '../../src/trustees/trustee-approval.js';
import { is, NOW, openingFixture } from './fixture.js';

const f = await openingFixture();
const target = f.members[3]!.passport.serial;
const combine = (approvals: readonly (OpeningApproval | string)[], over: Partial<CombineOpeningOptions> = {}) =>
  combineOpening({ request: f.request, approvals, escrowRecords: f.records, caCert: f.community.caPem, trusteePublics: f.community.trusteePublics, threshold: 3, ...over });
const pick = (...indices: number[]) => indices.map((i) => f.approvals[i - 1]!);

/** A dishonest trustee `index` signs whatever partials it likes (it holds its own key). */
function resign(a: OpeningApproval, partials: OpeningApproval['partials']): OpeningApproval {
  const unsigned = { format: a.format, requestId: a.requestId, requestHash: a.requestHash, trusteeIndex: a.trusteeIndex, partials };
  const key = f.community.trustees[a.trusteeIndex - 1]!.signingPrivateKey;
  return { ...unsigned, signature: toBase64(signBytes(key, utf8('tokumei-opening-approval/1\n' + JSON.stringify(unsigned)))) };
}

test('k = 3 approvals open member 4’s anonymous ID, whichever three; the result names only that member', () => {
  for (const set of [[1, 2, 3], [1, 3, 5], [2, 4, 5], [3, 4, 5]]) {
    const r = combine(pick(...set));
    assert.equal(r.memberSerial, target, `trustees ${set.join(',')}`);
    assert.deepEqual(r.approvingTrustees, set);
    assert.deepEqual(r.combinedTrustees, set);
    assert.deepEqual(r.rejected, []);
    assert.deepEqual(Object.keys(r).sort(), ['approvingTrustees', 'combinedTrustees', 'memberSerial', 'rejected', 'requestHash', 'requestId']);
  }
  // All five (as text, in any order): the lowest three are combined, all five approve.
  const all = combine([...f.approvals].reverse().map(encodeOpeningApproval));
  assert.equal(all.memberSerial, target);
  assert.deepEqual(all.approvingTrustees, [1, 2, 3, 4, 5]);
  assert.deepEqual(all.combinedTrustees, [1, 2, 3]);
  // Each approval holds one partial per member, sorted, and round-trips through its encoding.
  const a = f.approvals[0]!;
  assert.deepEqual(a.partials.map((p) => p.memberSerial), f.records.map((r) => r.memberSerial).sort());
  assert.deepEqual(decodeOpeningApproval(encodeOpeningApproval(a)), a);
});

test('two approvals are not enough, whichever two and however repeated', () => {
  for (const set of [[1, 2], [4, 5], [2, 5]]) {
    assert.throws(() => combine(pick(...set)), is('OPENING_TOO_FEW_APPROVALS'));
  }
  assert.throws(() => combine(pick(1, 1, 1, 2, 2)), is('OPENING_TOO_FEW_APPROVALS'));
  assert.throws(() => combine([]), is('OPENING_TOO_FEW_APPROVALS'));
  const r = combine(pick(1, 1, 2, 3));
  assert.equal(r.memberSerial, target);
  assert.deepEqual(r.rejected.map((x) => [x.trusteeIndex, x.code]), [[1, 'OPENING_DUPLICATE_TRUSTEE']]);
});

test('a lying trustee is caught and named; forged or misdirected approvals are not counted', () => {
  const liar = f.approvals[1]!; // trustee 2
  const randomPartial = liar.partials.map((p, i) => (i === 3 ? { ...p, partial: toHex(basePointMul(randomScalar())) } : p));
  assert.throws(() => combine([f.approvals[0]!, resign(liar, randomPartial), f.approvals[2]!]), (e: unknown) => e instanceof BadPartialError && e.code === 'OPENING_BAD_PARTIAL' && e.trusteeIndex === 2 && e.memberSerial === liar.partials[3]!.memberSerial);
  // Another member's (valid) partial under this member's name, or the partial for the identity.
  const swapped = liar.partials.map((p, i) => (i === 0 ? { ...p, partial: liar.partials[1]!.partial, proof: liar.partials[1]!.proof } : p));
  assert.throws(() => combine([resign(liar, swapped), ...pick(3, 4)]), is('OPENING_BAD_PARTIAL'));
  const identity = liar.partials.map((p) => ({ ...p, partial: '00'.repeat(32) }));
  assert.throws(() => combine([resign(liar, identity), ...pick(3, 4)]), is('OPENING_BAD_PARTIAL'));
  // Without trustee 2's key nobody can frame it: a forged approval is merely left out.
  const forged = { ...liar, partials: randomPartial };
  const r = combine([forged, ...pick(1, 3, 4)]);
  assert.equal(r.memberSerial, target);
  assert.deepEqual(r.rejected.map((x) => [x.trusteeIndex, x.code]), [[2, 'OPENING_BAD_APPROVAL_SIGNATURE']]);
  assert.throws(() => combine([forged, ...pick(1, 3)]), is('OPENING_TOO_FEW_APPROVALS'));
  // An approval that leaves a member out, or that is for another request.
  assert.deepEqual(combine([resign(liar, liar.partials.slice(1)), ...pick(1, 3, 4)]).rejected.map((x) => x.code), ['OPENING_MEMBER_SET_MISMATCH']);
  assert.deepEqual(combine([{ ...liar, requestId: '00'.repeat(16) }, ...pick(1, 3, 4)]).rejected.map((x) => x.code), ['OPENING_WRONG_REQUEST']);
  assert.deepEqual(combine(['{"junk":1}', ...pick(1, 3, 4)]).rejected.map((x) => x.code), ['OPENING_BAD_APPROVAL']);
});

test('trustees refuse unsigned, tampered, stale or unauthorised requests', async () => {
  const t = f.community.trustees[0]!;
  const base = { trusteeKeys: t, escrowRecords: f.records, caCert: f.community.caPem, authorities: f.authorities, now: NOW };
  const o = JSON.parse(encodeOpeningRequest(f.request)) as Record<string, unknown>;
  await assert.rejects(approveOpening({ ...base, request: JSON.stringify({ ...o, reason: 'just curious' }) }), is('OPENING_BAD_SIGNATURE'));
  await assert.rejects(approveOpening({ ...base, request: JSON.stringify({ ...o, anonId: toHex(f.anonId.slice(0, 32)) + toHex(basePointMul(randomScalar())) }) }), is('OPENING_BAD_SIGNATURE'));
  const { signature: _, ...unsigned } = o;
  await assert.rejects(approveOpening({ ...base, request: JSON.stringify(unsigned) }), is('OPENING_BAD_REQUEST'));
  await assert.rejects(approveOpening({ ...base, now: NOW + 30 * 86_400_000, request: f.request }), is('OPENING_REQUEST_STALE'));
  // A validly signed request from an authority this trustee does not list.
  const rogue = generateSigningKeyPair('ed25519').privateKey;
  const rogueRequest = createOpeningRequest({ anonId: f.anonId, authority: f.authorities[0]!.name, reason: 'trust me', authorityKey: rogue, now: NOW });
  await assert.rejects(approveOpening({ ...base, request: rogueRequest }), is('OPENING_AUTHORITY_REFUSED'));
  // Escrow records from another community's CA are refused; so is a record given twice.
  const other = await createCommunity({ trustees: 5, threshold: 3, now: NOW });
  await assert.rejects(approveOpening({ ...base, request: f.request, escrowRecords: [(await other.issue().escrow)!] }), is('ESCROW_BAD_SIGNATURE'));
  await assert.rejects(approveOpening({ ...base, request: f.request, escrowRecords: [f.records[0]!, f.records[0]!] }), is('OPENING_DUPLICATE_MEMBER'));
  // And the combiner checks the request too.
  assert.throws(() => combine(pick(1, 2, 3), { request: JSON.stringify({ ...o, reason: 'x' }) }), is('OPENING_BAD_SIGNATURE'));
});

test('an ID of nobody in the community opens to no one; records and trustee keys must match', async () => {
  const stranger = createAnonymousId(randomScalar());
  const request = createOpeningRequest({ anonId: stranger, authority: f.authorities[0]!.name, reason: 'unknown sender', authorityKey: f.authorityKey, now: NOW });
  const approvals = await Promise.all(
    f.community.trustees.slice(0, 3).map((t) => approveOpening({ request, trusteeKeys: t, escrowRecords: f.records, caCert: f.community.caPem, authorities: f.authorities, now: NOW })),
  );
  const r = combine(approvals, { request });
  assert.equal(r.memberSerial, undefined);
  assert.deepEqual(r.approvingTrustees, [1, 2, 3]);
  assert.throws(() => combine(pick(1, 2, 3), { threshold: 2 }), is('OPENING_ESCROW_MISMATCH'));
  assert.throws(() => combine(pick(1, 2, 3), { threshold: 6 }), is('OPENING_BAD_THRESHOLD'));
  const swappedKeys = [...f.community.trusteePublics];
  swappedKeys[0] = { ...swappedKeys[0]!, hpkePublicKey: swappedKeys[1]!.hpkePublicKey };
  assert.throws(() => combine(pick(1, 2, 3), { trusteePublics: swappedKeys }), is('OPENING_ESCROW_MISMATCH'));
  assert.throws(() => combine(pick(1, 2, 3), { escrowRecords: [...f.records, f.records[0]!] }), is('OPENING_DUPLICATE_MEMBER'));
  // Fewer members for the combiner than the trustees opened for: approvals do not match.
  assert.throws(() => combine(pick(1, 2, 3), { escrowRecords: f.records.slice(1) }), is('OPENING_TOO_FEW_APPROVALS'));
  assert.equal(fromHex(f.request.anonId).length, 64);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokumeiError } from '../../src/errors.js';
import { generateTrustee, trusteePublic } from '../../src/identity/trustee.js';
import {
  buildAuditRecord,
  countersignOpening,
  decodeAuditRecord,
  encodeAuditRecord,
  signAuditStatement,
  verifyAuditRecord,
} from '../../src/trustees/audit-record.js';
import { encodeOpeningRequest } from '../../src/trustees/opening-request.js';
import { is, openingFixture } from './fixture.js';

const f = await openingFixture('audit');
const target = f.members[3]!.passport.serial;
const approvals = [f.approvals[0]!, f.approvals[2]!, f.approvals[4]!]; // trustees 1, 3, 5
const publics = f.community.trusteePublics;
// Each approving trustee re-runs the combination itself before signing.
const signed = [0, 2, 4].map((i) =>
  countersignOpening({ request: f.request, approvals, escrowRecords: f.records, caCert: f.community.caPem, trusteePublics: publics, threshold: 3, trusteeKeys: f.community.trustees[i]! }),
);
const record = buildAuditRecord({ request: f.request, result: signed[0]!.result.memberSerial, trustees: signed[0]!.result.approvingTrustees, signatures: signed.map((s) => s.signature).reverse() });
const text = encodeAuditRecord(record);

test('the audit record names the member, lists the approving trustees and verifies', () => {
  assert.equal(record.result, target);
  assert.deepEqual(record.trustees, [1, 3, 5]);
  assert.deepEqual(record.signatures.map((s) => s.index), [1, 3, 5]);
  assert.deepEqual(verifyAuditRecord(text, publics, 3), record);
  assert.deepEqual(decodeAuditRecord(text), record);
  assert.ok(text.includes(encodeOpeningRequest(f.request)), 'the full signed request, canonical, inside');
  assert.ok(!/partial|proof/.test(text), 'no partials in the public record');
  // A trustee that did not approve cannot countersign.
  assert.throws(() => signAuditStatement(f.community.trustees[1]!, f.request, target, [1, 3, 5]), is('OPENING_NOT_APPROVER'));
});

test('any tampering with the audit record fails', () => {
  const o = JSON.parse(text) as Record<string, unknown>;
  const other = f.members[0]!.passport.serial;
  assert.throws(() => verifyAuditRecord(JSON.stringify({ ...o, result: other }), publics, 3), is('OPENING_BAD_AUDIT_SIGNATURE'));
  assert.throws(() => verifyAuditRecord(JSON.stringify({ ...o, result: null }), publics, 3), is('OPENING_BAD_AUDIT_SIGNATURE'));
  const sigs = record.signatures;
  assert.throws(() => verifyAuditRecord(JSON.stringify({ ...o, trustees: [1, 3, 4], signatures: [sigs[0], sigs[1], { index: 4, signature: sigs[2]!.signature }] }), publics, 3), is('OPENING_BAD_AUDIT_SIGNATURE'));
  assert.throws(() => verifyAuditRecord(JSON.stringify({ ...o, signatures: [sigs[0], sigs[2], sigs[1]] }), publics, 3), is('OPENING_BAD_AUDIT'));
  assert.throws(() => verifyAuditRecord(JSON.stringify({ ...o, trustees: [1, 3], signatures: sigs.slice(0, 2) }), publics, 3), is('OPENING_TOO_FEW_APPROVALS'));
  assert.throws(() => verifyAuditRecord(JSON.stringify({ ...o, signatures: sigs.slice(0, 2) }), publics, 3), is('OPENING_BAD_AUDIT'));
  assert.throws(() => verifyAuditRecord(JSON.stringify({ ...o, request: { ...(o.request as object), reason: 'routine check' } }), publics, 3), is('OPENING_BAD_SIGNATURE'));
  assert.throws(() => verifyAuditRecord(JSON.stringify(o, null, 2), publics, 3), is('OPENING_BAD_AUDIT'));
  assert.throws(() => verifyAuditRecord(JSON.stringify({ ...o, extra: true }), publics, 3), is('OPENING_BAD_AUDIT'));
  // Against another community's trustee keys.
  const strangers = [1, 2, 3, 4, 5].map((i) => trusteePublic(generateTrustee(i)));
  assert.throws(() => verifyAuditRecord(text, strangers, 3), is('OPENING_BAD_AUDIT_SIGNATURE'));
  // Every one-character change of the text is refused (no unsigned byte, one canonical form).
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const swap = c === 'a' ? 'b' : c === '0' ? '1' : c === '"' ? "'" : /[0-9]/.test(c) ? '0' : 'a';
    const bad = text.slice(0, i) + swap + text.slice(i + 1);
    assert.throws(() => verifyAuditRecord(bad, publics, 3), (e: unknown) => e instanceof TokumeiError, `position ${i}`);
  }
});

/**
 * The audit record of an emergency opening (DESIGN §4, docs/protocol.md §2.7), published on the
 * bulletin board: the full signed request, the result (the member serial, or null), the approving
 * trustees, and each one's Ed25519 signature over (request hash | result | approving set). It
 * holds no partial and no combined value, so it reveals nothing about any other member.
 */

import { fromBase64, fromHex, toBase64, toHex } from '../crypto/bytes.js';
import { ed25519PublicKeyFromRaw, signBytes, verifyBytes } from '../crypto/signing.js';
import { TRUSTEE_MAX, type TrusteeKeys, type TrusteePublic } from '../identity/trustee.js';
import { asObject, labelledJson, SERIAL_PATTERN } from './fields.js';
import { checkCanonical, exactKeys, failWith, intField, type Fail } from '../wire/json-fields.js';
import { combineOpening, type CombineOpeningOptions, type OpeningResult } from './opening-combiner.js';
import { decodeOpeningRequest, encodeOpeningRequest, openingRequestHash, verifyOpeningRequest, type OpeningRequest } from './opening-request.js';
import { TrusteeErrors } from './trustees-errors.js';

export const OPENING_AUDIT_FORMAT = 'tokumei-opening-audit/1';
const MAX_AUDIT_CHARS = 64 * 1024;
const STATEMENT_LABEL = `${OPENING_AUDIT_FORMAT}\n`;
const FIELDS = ['format', 'request', 'result', 'trustees', 'signatures'] as const;

export interface AuditSignature {
  readonly index: number;
  /** Ed25519 over the audit statement, base64. */
  readonly signature: string;
}

export interface AuditRecord {
  readonly format: typeof OPENING_AUDIT_FORMAT;
  readonly request: OpeningRequest;
  /** The member serial behind the ID, or null when no member matched. */
  readonly result: string | null;
  /** The approving trustees, ascending, at least k. */
  readonly trustees: readonly number[];
  /** One per listed trustee, in the same order. */
  readonly signatures: readonly AuditSignature[];
}

const failAudit: Fail = failWith('bad-input', 'OPENING_BAD_AUDIT', 'audit record');

/** What each approving trustee signs: "tokumei-opening-audit/1\n" | JSON {requestHash, result, trustees}. */
export function auditStatement(request: OpeningRequest, result: string | null, trustees: readonly number[]): Uint8Array {
  return labelledJson(STATEMENT_LABEL, { requestHash: toHex(openingRequestHash(request)), result, trustees });
}

function checkTrustees(v: unknown, fail: Fail): number[] {
  if (!Array.isArray(v) || v.length < 1 || v.length > TRUSTEE_MAX) fail(`trustees must list 1..${TRUSTEE_MAX} indices`);
  const list = (v as unknown[]).map((x) => intField(x, 1, TRUSTEE_MAX, 'trustee index', fail));
  list.forEach((x, i) => i > 0 && x <= list[i - 1]! && fail('trustees must be ascending, without repeats'));
  return list;
}

function checkResult(v: unknown, fail: Fail): string | null {
  if (v !== null && (typeof v !== 'string' || !SERIAL_PATTERN.test(v))) fail('result must be a member serial or null');
  return v as string | null;
}

/** Trustee `keys` signs the outcome. It should first have checked it (see countersignOpening). */
export function signAuditStatement(keys: TrusteeKeys, request: OpeningRequest, result: string | null, trustees: readonly number[]): AuditSignature {
  const list = checkTrustees(trustees, failAudit);
  if (!list.includes(keys.index)) throw TrusteeErrors.OPENING_NOT_APPROVER(`trustee ${keys.index} did not approve this opening`);
  return { index: keys.index, signature: toBase64(signBytes(keys.signingPrivateKey, auditStatement(request, checkResult(result, failAudit), list))) };
}

/**
 * A trustee's countersignature, not trusting the tool: it re-runs the combination on the same
 * inputs and signs what it finds (throws as combineOpening does).
 */
export function countersignOpening(o: CombineOpeningOptions & { trusteeKeys: TrusteeKeys }): { result: OpeningResult; signature: AuditSignature } {
  const result = combineOpening(o);
  const request = verifyOpeningRequest(o.request);
  return { result, signature: signAuditStatement(o.trusteeKeys, request, result.memberSerial ?? null, result.approvingTrustees) };
}

export interface BuildAuditRecordOptions {
  request: OpeningRequest;
  result: string | null | undefined;
  trustees: readonly number[];
  /** Any order; exactly one per listed trustee. */
  signatures: readonly AuditSignature[];
}

export function buildAuditRecord(o: BuildAuditRecordOptions): AuditRecord {
  const signatures = [...o.signatures].sort((a, b) => a.index - b.index);
  return decodeAuditRecord({ format: OPENING_AUDIT_FORMAT, request: o.request, result: o.result ?? null, trustees: [...o.trustees], signatures });
}

/** Canonical JSON (§2.7), the request nested in its own canonical form. */
export function encodeAuditRecord(r: AuditRecord): string {
  return JSON.stringify({
    format: r.format,
    request: JSON.parse(encodeOpeningRequest(r.request)) as unknown,
    result: r.result,
    trustees: r.trustees,
    signatures: r.signatures.map((s) => ({ index: s.index, signature: s.signature })),
  });
}

/** Strict shape check of an untrusted record (text must be canonical); no signature checked. */
export function decodeAuditRecord(input: unknown): AuditRecord {
  const o = asObject(input, MAX_AUDIT_CHARS, failAudit);
  exactKeys(o, FIELDS, 'the object', failAudit);
  if (o.format !== OPENING_AUDIT_FORMAT) failAudit(`format is not ${OPENING_AUDIT_FORMAT}`);
  if (typeof o.request !== 'object' || o.request === null) failAudit('request must be an object');
  const request = decodeOpeningRequest(o.request);
  const trustees = checkTrustees(o.trustees, failAudit);
  if (!Array.isArray(o.signatures) || o.signatures.length !== trustees.length) failAudit('need one signature per listed trustee');
  const signatures = (o.signatures as unknown[]).map((x, i): AuditSignature => {
    const s = asObject(x, 0, failAudit);
    exactKeys(s, ['index', 'signature'], 'the object', failAudit);
    if (s.index !== trustees[i]) failAudit('signatures must follow the trustee list');
    if (typeof s.signature !== 'string' || s.signature.length !== 88) failAudit('signature must be 64 bytes of base64');
    try {
      fromBase64(s.signature);
    } catch {
      failAudit('signature is not canonical base64');
    }
    return { index: trustees[i]!, signature: s.signature };
  });
  const r: AuditRecord = { format: OPENING_AUDIT_FORMAT, request, result: checkResult(o.result, failAudit), trustees, signatures };
  checkCanonical(input, encodeAuditRecord(r), failAudit);
  return r;
}

/**
 * Full check against the community's trustee keys: shape, the authority's signature on the
 * request, at least k trustees, and every listed trustee's signature (OPENING_BAD_AUDIT_SIGNATURE).
 */
export function verifyAuditRecord(input: unknown, trusteePublics: readonly TrusteePublic[], threshold: number): AuditRecord {
  const r = decodeAuditRecord(input);
  verifyOpeningRequest(r.request);
  if (r.trustees.length < threshold) throw TrusteeErrors.OPENING_TOO_FEW_APPROVALS(`audit record has ${r.trustees.length} trustees, need ${threshold}`);
  const statement = auditStatement(r.request, r.result, r.trustees);
  for (const s of r.signatures) {
    const t = trusteePublics[s.index - 1];
    if (!t || t.index !== s.index || !verifyBytes(ed25519PublicKeyFromRaw(fromHex(t.signingPublicKey, 32)), statement, fromBase64(s.signature))) {
      throw TrusteeErrors.OPENING_BAD_AUDIT_SIGNATURE(`audit record signature of trustee ${s.index} does not verify`);
    }
  }
  return r;
}

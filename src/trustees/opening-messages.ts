/**
 * The messages of an emergency opening that travel over onion routes (docs/protocol.md §2.8),
 * never on the board: approvals are sensitive (k of them give k_m·R for every member m).
 * Each is canonical JSON in UTF-8, one per end-to-end message:
 *
 *   delivery          trustee → the authority's approval address (answered by receipt | refusal)
 *     { "format": "tokumei-opening-delivery/1", "approval": <approval>, "countersignAddress": "tk1…",
 *       "signature": Sign_trustee("tokumei-opening-delivery/1\n" | JSON {requestHash, trusteeIndex, countersignAddress}) }
 *   receipt           { "format": "tokumei-opening-receipt/1", "requestId", "approvals", "threshold" }
 *   countersign       authority → the trustee's countersign address (answered by countersignature | refusal)
 *     { "format": "tokumei-opening-countersign/1", "request": <request>, "approvals": [<approval> … k] }
 *   countersignature  { "format": "tokumei-opening-countersignature/1", "requestHash", "result",
 *                       "trustees", "index", "signature" }      (the audit statement's signature, §2.7)
 *   refusal           { "format": "tokumei-opening-refusal/1", "code", "message" }
 */
import type { KeyObject } from 'node:crypto';
import { remoteRefusal, TokumeiError } from '../errors.js';
import { fromBase64, fromHex, toBase64, utf8 } from '../crypto/bytes.js';
import { ed25519PublicKeyFromRaw, signBytes, verifyBytes } from '../crypto/signing.js';
import { TRUSTEE_MAX, type TrusteePublic } from '../identity/trustee.js';
import { decodeAddress } from '../routing/formats/one-time-address.js';
import { asObject, labelledJson, SERIAL_PATTERN, textField } from './fields.js';
import { exactKeys, failWith, hexField, intField, type Fail } from '../wire/json-fields.js';
import { decodeOpeningRequest, encodeOpeningRequest, type OpeningRequest } from './opening-request.js';
import { decodeOpeningApproval, encodeOpeningApproval, type OpeningApproval } from './trustee-approval.js';
import { TrusteeErrors } from './trustees-errors.js';

export const DELIVERY_FORMAT = 'tokumei-opening-delivery/1';
export const RECEIPT_FORMAT = 'tokumei-opening-receipt/1';
export const COUNTERSIGN_FORMAT = 'tokumei-opening-countersign/1';
export const COUNTERSIGNATURE_FORMAT = 'tokumei-opening-countersignature/1';
export const REFUSAL_FORMAT = 'tokumei-opening-refusal/1';
const DELIVERY_LABEL = `${DELIVERY_FORMAT}\n`;
const CODE_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;

export interface Delivery {
  readonly format: typeof DELIVERY_FORMAT;
  readonly approval: OpeningApproval;
  /** The trustee's one-time address for the countersign round. */
  readonly countersignAddress: string;
  readonly signature: string;
}
export interface Receipt {
  readonly format: typeof RECEIPT_FORMAT;
  readonly requestId: string;
  /** Approvals the authority holds for this request, this one included. */
  readonly approvals: number;
  readonly threshold: number;
}
export interface Countersign {
  readonly format: typeof COUNTERSIGN_FORMAT;
  readonly request: OpeningRequest;
  readonly approvals: readonly OpeningApproval[];
}
export interface Countersignature {
  readonly format: typeof COUNTERSIGNATURE_FORMAT;
  readonly requestHash: string;
  readonly result: string | null;
  readonly trustees: readonly number[];
  readonly index: number;
  readonly signature: string;
}
export interface Refusal {
  readonly format: typeof REFUSAL_FORMAT;
  readonly code: string;
  readonly message: string;
}
export type OpeningMessage = Delivery | Receipt | Countersign | Countersignature | Refusal;

const fail: Fail = failWith('bad-input', 'OPENING_BAD_MESSAGE', 'opening message');

function deliveryStatement(a: OpeningApproval, countersignAddress: string): Uint8Array {
  return labelledJson(DELIVERY_LABEL, { requestHash: a.requestHash, trusteeIndex: a.trusteeIndex, countersignAddress });
}

export function createDelivery(approval: OpeningApproval, countersignAddress: string, trusteeSigningKey: KeyObject): Delivery {
  decodeAddress(countersignAddress);
  return { format: DELIVERY_FORMAT, approval, countersignAddress, signature: toBase64(signBytes(trusteeSigningKey, deliveryStatement(approval, countersignAddress))) };
}

/** True when trustee `t` signed both the approval's countersign address and (checked elsewhere) the approval. */
export function verifyDeliverySignature(d: Delivery, t: TrusteePublic): boolean {
  if (d.approval.trusteeIndex !== t.index) return false;
  return verifyBytes(ed25519PublicKeyFromRaw(fromHex(t.signingPublicKey, 32)), deliveryStatement(d.approval, d.countersignAddress), fromBase64(d.signature));
}

export function refusal(code: string, message: string): Refusal {
  return { format: REFUSAL_FORMAT, code: CODE_PATTERN.test(code) ? code : 'OPENING_REFUSED', message: message.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, 512).replace(/[\ud800-\udbff]$/, '') || '-' };
}

/** A refusal from an error (TokumeiError keeps its code). */
export function refusalOf(e: unknown): Refusal {
  return e instanceof TokumeiError ? refusal(e.code, e.message) : refusal('OPENING_INTERNAL', 'internal error');
}

/** The canonical JSON of any opening message, as UTF-8. */
export function encodeOpeningMessage(m: OpeningMessage): Uint8Array {
  return utf8(JSON.stringify(canonical(m)));
}

function canonical(m: OpeningMessage): object {
  switch (m.format) {
    case DELIVERY_FORMAT:
      return { format: m.format, approval: JSON.parse(encodeOpeningApproval(m.approval)) as unknown, countersignAddress: m.countersignAddress, signature: m.signature };
    case RECEIPT_FORMAT:
      return { format: m.format, requestId: m.requestId, approvals: m.approvals, threshold: m.threshold };
    case COUNTERSIGN_FORMAT:
      return { format: m.format, request: JSON.parse(encodeOpeningRequest(m.request)) as unknown, approvals: m.approvals.map((a) => JSON.parse(encodeOpeningApproval(a)) as unknown) };
    case COUNTERSIGNATURE_FORMAT:
      return { format: m.format, requestHash: m.requestHash, result: m.result, trustees: m.trustees, index: m.index, signature: m.signature };
    case REFUSAL_FORMAT:
      return { format: m.format, code: m.code, message: m.message };
  }
}

function signatureField(v: unknown): string {
  if (typeof v !== 'string' || v.length !== 88) fail('signature must be 64 bytes of base64');
  try {
    fromBase64(v as string);
  } catch {
    fail('signature is not canonical base64');
  }
  return v as string;
}

function addressField(v: unknown, what: string): string {
  try {
    decodeAddress(v as string);
  } catch {
    fail(`${what} is not a tk1 address`);
  }
  return v as string;
}

/**
 * Strict decode of untrusted bytes (at most `maxBytes`): canonical JSON of one of the formats,
 * exact fields (OPENING_BAD_MESSAGE; a nested approval or request keeps its own code). No
 * signature is checked here.
 */
export function decodeOpeningMessage(bytes: Uint8Array, maxBytes: number): OpeningMessage {
  if (!(bytes instanceof Uint8Array) || bytes.length > maxBytes) fail(`larger than ${maxBytes} bytes`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('not UTF-8');
  }
  const o = asObject(text, maxBytes, fail);
  let m: OpeningMessage;
  switch (o.format) {
    case DELIVERY_FORMAT:
      exactKeys(o, ['format', 'approval', 'countersignAddress', 'signature'], 'the object', fail);
      if (typeof o.approval !== 'object' || o.approval === null) fail('approval must be an object');
      m = { format: DELIVERY_FORMAT, approval: decodeOpeningApproval(o.approval), countersignAddress: addressField(o.countersignAddress, 'countersignAddress'), signature: signatureField(o.signature) };
      break;
    case RECEIPT_FORMAT:
      exactKeys(o, ['format', 'requestId', 'approvals', 'threshold'], 'the object', fail);
      m = { format: RECEIPT_FORMAT, requestId: hexField(o.requestId, 16, 'requestId', fail), approvals: intField(o.approvals, 0, 4 * TRUSTEE_MAX, 'approvals', fail), threshold: intField(o.threshold, 1, TRUSTEE_MAX, 'threshold', fail) };
      break;
    case COUNTERSIGN_FORMAT: {
      exactKeys(o, ['format', 'request', 'approvals'], 'the object', fail);
      if (typeof o.request !== 'object' || o.request === null) fail('request must be an object');
      if (!Array.isArray(o.approvals) || o.approvals.length < 1 || o.approvals.length > TRUSTEE_MAX) fail(`approvals must list 1..${TRUSTEE_MAX}`);
      const approvals = (o.approvals as unknown[]).map((a) => {
        if (typeof a !== 'object' || a === null) fail('each approval must be an object');
        return decodeOpeningApproval(a);
      });
      m = { format: COUNTERSIGN_FORMAT, request: decodeOpeningRequest(o.request), approvals };
      break;
    }
    case COUNTERSIGNATURE_FORMAT: {
      exactKeys(o, ['format', 'requestHash', 'result', 'trustees', 'index', 'signature'], 'the object', fail);
      if (o.result !== null && (typeof o.result !== 'string' || !SERIAL_PATTERN.test(o.result))) fail('result must be a member serial or null');
      if (!Array.isArray(o.trustees) || o.trustees.length < 1 || o.trustees.length > TRUSTEE_MAX) fail('trustees must be a list');
      const trustees = (o.trustees as unknown[]).map((t) => intField(t, 1, TRUSTEE_MAX, 'trustee index', fail));
      m = {
        format: COUNTERSIGNATURE_FORMAT,
        requestHash: hexField(o.requestHash, 32, 'requestHash', fail),
        result: o.result as string | null,
        trustees,
        index: intField(o.index, 1, TRUSTEE_MAX, 'index', fail),
        signature: signatureField(o.signature),
      };
      break;
    }
    case REFUSAL_FORMAT:
      exactKeys(o, ['format', 'code', 'message'], 'the object', fail);
      if (typeof o.code !== 'string' || !CODE_PATTERN.test(o.code)) fail('bad refusal code');
      m = { format: REFUSAL_FORMAT, code: o.code as string, message: textField(o.message, 1024, 'message', fail) };
      break;
    default:
      return fail('unknown format');
  }
  if (JSON.stringify(canonical(m)) !== text) fail('not in canonical form');
  return m;
}

/** The answer to a request we sent: the expected format, or the peer's refusal as a TokumeiError. */
export function expectAnswer<F extends OpeningMessage['format']>(bytes: Uint8Array, format: F, maxBytes: number): Extract<OpeningMessage, { format: F }> {
  const m = decodeOpeningMessage(bytes, maxBytes);
  if (m.format === REFUSAL_FORMAT) throw remoteRefusal(m.code, `the other side refused: ${m.message}`);
  if (m.format !== format) throw TrusteeErrors.OPENING_BAD_MESSAGE(`expected ${format}, got ${m.format}`);
  return m as Extract<OpeningMessage, { format: F }>;
}

/** Bytes of the largest approval for `members` escrowed members (trustee-approval.ts: ~300 per partial). */
export function approvalBytesBound(members: number): number {
  return 1024 + members * 320;
}

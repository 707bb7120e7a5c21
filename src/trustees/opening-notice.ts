/**
 * The opening notice (docs/protocol.md §2.8): how an authority tells the trustees about a signed
 * opening request. It goes on the bulletin board (§7) as a post with the fields
 * `kind=opening.request` and `request=<requestId>`, its text the canonical JSON
 *
 *   { "format": "tokumei-opening-notice/1", "request": <the signed request>,
 *     "approvalAddress": "tk1…", "signature": … }
 *
 * `approvalAddress` is the authority's one-time address where approvals go. The board post is
 * signed under a one-time anonymous ID, not by the authority, so the address is bound to the
 * request by the authority's own key: `signature = Sign_authority("tokumei-opening-notice/1\n" |
 * JSON {"requestHash", "approvalAddress"})`. Without it anyone could repost a real request with
 * their own address and collect approvals (whoever holds k of them learns k_m·R for every m).
 */

import { fromBase64, fromHex, toBase64, toHex } from '../crypto/bytes.js';
import type { KeyObject } from 'node:crypto';
import { ed25519PublicKeyFromRaw, ed25519RawPublicKey, signBytes, verifyBytes } from '../crypto/signing.js';
import { decodeAddress } from '../routing/formats/one-time-address.js';
import { asObject, labelledJson } from './fields.js';
import { checkCanonical, exactKeys, failWith, type Fail } from '../wire/json-fields.js';
import { decodeOpeningRequest, encodeOpeningRequest, openingRequestHash, verifyOpeningRequest, type OpeningRequest } from './opening-request.js';
import { TrusteeErrors } from './trustees-errors.js';

export const OPENING_NOTICE_FORMAT = 'tokumei-opening-notice/1';
/** Board fields of a notice and of an audit record (§2.8). */
export const NOTICE_KIND = 'opening.request';
export const AUDIT_KIND = 'audit.opening';
const MAX_NOTICE_CHARS = 16 * 1024;
const SIGNATURE_LABEL = `${OPENING_NOTICE_FORMAT}\n`;
const FIELDS = ['format', 'request', 'approvalAddress', 'signature'] as const;

export interface OpeningNotice {
  readonly format: typeof OPENING_NOTICE_FORMAT;
  readonly request: OpeningRequest;
  /** The authority's one-time address (tk1…) that approvals are sent to. */
  readonly approvalAddress: string;
  /** Ed25519 by the request's authority key, base64. */
  readonly signature: string;
}

const failNotice: Fail = failWith('bad-input', 'OPENING_BAD_NOTICE', 'opening notice');

function statement(request: OpeningRequest, approvalAddress: string): Uint8Array {
  return labelledJson(SIGNATURE_LABEL, { requestHash: toHex(openingRequestHash(request)), approvalAddress });
}

/** The authority signs the notice with the key that signed the request. */
export function createOpeningNotice(request: OpeningRequest, approvalAddress: string, authorityKey: KeyObject): OpeningNotice {
  if (toHex(ed25519RawPublicKey(authorityKey)) !== request.authorityKey) throw TrusteeErrors.OPENING_BAD_NOTICE('the notice must be signed by the key that signed the request');
  decodeAddress(approvalAddress);
  return { format: OPENING_NOTICE_FORMAT, request, approvalAddress, signature: toBase64(signBytes(authorityKey, statement(request, approvalAddress))) };
}

export function encodeOpeningNotice(n: OpeningNotice): string {
  return JSON.stringify({ format: n.format, request: JSON.parse(encodeOpeningRequest(n.request)) as unknown, approvalAddress: n.approvalAddress, signature: n.signature });
}

/**
 * Strict decode of a board post's text, checking both signatures: the request's
 * (OPENING_BAD_SIGNATURE) and the notice's (OPENING_BAD_NOTICE_SIGNATURE). Whether the authority
 * is one this trustee accepts is the caller's policy (checkAuthority).
 */
export function decodeOpeningNotice(text: string): OpeningNotice {
  const o = asObject(text, MAX_NOTICE_CHARS, failNotice);
  exactKeys(o, FIELDS, 'the object', failNotice);
  if (o.format !== OPENING_NOTICE_FORMAT) failNotice(`format is not ${OPENING_NOTICE_FORMAT}`);
  if (typeof o.request !== 'object' || o.request === null) failNotice('request must be an object');
  const request = decodeOpeningRequest(o.request);
  if (typeof o.approvalAddress !== 'string') failNotice('approvalAddress must be a string');
  try {
    decodeAddress(o.approvalAddress as string);
  } catch {
    failNotice('approvalAddress is not a tk1 address');
  }
  if (typeof o.signature !== 'string' || o.signature.length !== 88) failNotice('signature must be 64 bytes of base64');
  try {
    fromBase64(o.signature as string);
  } catch {
    failNotice('signature is not canonical base64');
  }
  const n: OpeningNotice = { format: OPENING_NOTICE_FORMAT, request, approvalAddress: o.approvalAddress as string, signature: o.signature as string };
  checkCanonical(text, encodeOpeningNotice(n), failNotice);
  verifyOpeningRequest(request);
  const key = ed25519PublicKeyFromRaw(fromHex(request.authorityKey, 32));
  if (!verifyBytes(key, statement(request, n.approvalAddress), fromBase64(n.signature))) {
    throw TrusteeErrors.OPENING_BAD_NOTICE_SIGNATURE(`the approval address of request ${request.requestId} is not signed by its authority`);
  }
  return n;
}

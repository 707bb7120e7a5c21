/**
 * A trustee's approval of an emergency opening (DESIGN §4, docs/protocol.md §2.7): threshold
 * exponentiation. For the anonymous ID (R, K) and every member m whose escrow record it holds,
 * trustee i opens its share s_{m,i} (§2.5), publishes the partial P_{m,i} = s_{m,i}·R with a DLEQ
 * proof (dleq.ts) that it used the share behind S_{m,i} = s_{m,i}·G = Σ_j C_{m,j}·i^j, and signs
 * the lot. The trustee never sees k_m, only its share, and wipes each share after use.
 */

import { concatBytes, fromBase64, fromHex, toBase64, toHex, utf8, wipe } from '../crypto/bytes.js';
import type { RandomSource } from '../crypto/random.js';
import { ed25519PublicKeyFromRaw, signBytes, verifyBytes } from '../crypto/signing.js';
import { openEscrowShare, verifyEscrowRecord, type EscrowRecord } from '../identity/escrow.js';
import { TRUSTEE_MAX, type TrusteeKeys, type TrusteePublic } from '../identity/trustee.js';
import { DLEQ_PROOF_LENGTH, proveDleq } from './dleq.js';
import { asObject, labelledJson, SERIAL_PATTERN } from './fields.js';
import { checkCanonical, exactKeys, failWith, hexField, intField, type Fail } from '../wire/json-fields.js';
import { checkAuthority, checkRequestTime, openingRequestHash, requestIdPoints, verifyOpeningRequest, type OpeningAuthority, type OpeningRequest } from './opening-request.js';
import { TrusteeErrors } from './trustees-errors.js';

export const OPENING_APPROVAL_FORMAT = 'tokumei-opening-approval/1';
/** BOUNDED(65,536) members per opening: one partial each (~300 characters). */
export const OPENING_MAX_MEMBERS = 65_536;
const MAX_APPROVAL_CHARS = 1024 + OPENING_MAX_MEMBERS * 320;
const SIGNATURE_LABEL = `${OPENING_APPROVAL_FORMAT}\n`;
const FIELDS = ['format', 'requestId', 'requestHash', 'trusteeIndex', 'partials', 'signature'] as const;

export interface OpeningPartial {
  readonly memberSerial: string;
  /** P_{m,i} = s_{m,i}·R, hex. */
  readonly partial: string;
  /** DLEQ proof c | s' (dleq.ts), hex. */
  readonly proof: string;
}

export interface OpeningApproval {
  readonly format: typeof OPENING_APPROVAL_FORMAT;
  readonly requestId: string;
  /** SHA-256 of the canonical request (opening-request.ts), hex. */
  readonly requestHash: string;
  readonly trusteeIndex: number;
  /** One per member, sorted by memberSerial, serials unique. */
  readonly partials: readonly OpeningPartial[];
  /** Ed25519 by the trustee over "tokumei-opening-approval/1\n" | JSON of the other fields, base64. */
  readonly signature: string;
}

const failApproval: Fail = failWith('bad-input', 'OPENING_BAD_APPROVAL', 'opening approval');

function unsignedBody(a: Omit<OpeningApproval, 'signature'>): object {
  return {
    format: a.format,
    requestId: a.requestId,
    requestHash: a.requestHash,
    trusteeIndex: a.trusteeIndex,
    partials: a.partials.map((p) => ({ memberSerial: p.memberSerial, partial: p.partial, proof: p.proof })),
  };
}

/** The DLEQ context of one partial: requestHash (32) | trusteeIndex u8 | memberSerial (ASCII). */
export function partialContext(requestHash: Uint8Array, trusteeIndex: number, memberSerial: string): Uint8Array {
  return concatBytes(requestHash, new Uint8Array([trusteeIndex]), utf8(memberSerial));
}

export function encodeOpeningApproval(a: OpeningApproval): string {
  return JSON.stringify({ ...unsignedBody(a), signature: a.signature });
}

/** Strict shape check of an untrusted approval (text must be canonical); not the signature. */
export function decodeOpeningApproval(input: unknown): OpeningApproval {
  const o = asObject(input, MAX_APPROVAL_CHARS, failApproval);
  exactKeys(o, FIELDS, 'the object', failApproval);
  if (o.format !== OPENING_APPROVAL_FORMAT) failApproval(`format is not ${OPENING_APPROVAL_FORMAT}`);
  if (!Array.isArray(o.partials) || o.partials.length > OPENING_MAX_MEMBERS) failApproval(`partials must be a list of at most ${OPENING_MAX_MEMBERS}`);
  let previous = '';
  const partials = (o.partials as unknown[]).map((x): OpeningPartial => {
    const p = asObject(x, 0, failApproval);
    exactKeys(p, ['memberSerial', 'partial', 'proof'], 'the object', failApproval);
    const memberSerial = p.memberSerial;
    if (typeof memberSerial !== 'string' || !SERIAL_PATTERN.test(memberSerial)) failApproval('bad memberSerial');
    if (memberSerial <= previous) failApproval('partials must be sorted by memberSerial, without repeats');
    previous = memberSerial;
    return { memberSerial, partial: hexField(p.partial, 32, 'partial', failApproval), proof: hexField(p.proof, DLEQ_PROOF_LENGTH, 'proof', failApproval) };
  });
  const signature = o.signature;
  if (typeof signature !== 'string' || signature.length !== 88) failApproval('signature must be 64 bytes of base64');
  try {
    fromBase64(signature);
  } catch {
    failApproval('signature is not canonical base64');
  }
  const a: OpeningApproval = {
    format: OPENING_APPROVAL_FORMAT,
    requestId: hexField(o.requestId, 16, 'requestId', failApproval),
    requestHash: hexField(o.requestHash, 32, 'requestHash', failApproval),
    trusteeIndex: intField(o.trusteeIndex, 1, TRUSTEE_MAX, 'trusteeIndex', failApproval),
    partials,
    signature,
  };
  checkCanonical(input, encodeOpeningApproval(a), failApproval);
  return a;
}

/** True when trustee `t` signed `a` (and `a` claims to be from t). */
export function verifyApprovalSignature(a: OpeningApproval, t: TrusteePublic): boolean {
  if (a.trusteeIndex !== t.index) return false;
  return verifyBytes(ed25519PublicKeyFromRaw(fromHex(t.signingPublicKey, 32)), labelledJson(SIGNATURE_LABEL, unsignedBody(a)), fromBase64(a.signature));
}

export interface ApproveOpeningOptions {
  /** The signed request, as the authority sent it. */
  request: OpeningRequest | string;
  trusteeKeys: TrusteeKeys;
  /** The escrow records of every member (escrow/<serial>.json); this trustee's share in each is opened. */
  escrowRecords: readonly (EscrowRecord | string)[];
  caCert: string | Uint8Array;
  /** The authorities this trustee accepts (its authorities.json). */
  authorities: readonly OpeningAuthority[];
  /** ms since the epoch. */
  now: number;
  random?: RandomSource;
  /**
   * TEST AID ONLY: sees every buffer of the trustee's working state (each opened share before it
   * is wiped, partials, proofs, contexts), for the memory inspection test.
   */
  inspect?: (what: string, bytes: Uint8Array) => void;
}

/**
 * Checks the request (signature: OPENING_BAD_SIGNATURE; authority: OPENING_AUTHORITY_REFUSED;
 * age: OPENING_REQUEST_STALE) and returns this trustee's signed partials for every member.
 */
export async function approveOpening(o: ApproveOpeningOptions): Promise<OpeningApproval> {
  const request = verifyOpeningRequest(o.request);
  checkAuthority(request, o.authorities);
  checkRequestTime(request, o.now);
  if (o.escrowRecords.length > OPENING_MAX_MEMBERS) throw TrusteeErrors.OPENING_TOO_MANY_MEMBERS(`at most ${OPENING_MAX_MEMBERS} escrow records per opening`);
  const requestHash = openingRequestHash(request);
  const { R } = requestIdPoints(request);
  const index = o.trusteeKeys.index;
  const partials: OpeningPartial[] = [];
  const seen = new Set<string>();
  // One share at a time, wiped before the next is opened.
  for (const input of o.escrowRecords) {
    const record = verifyEscrowRecord(input, o.caCert);
    const memberSerial = record.memberSerial;
    if (seen.has(memberSerial)) throw TrusteeErrors.OPENING_DUPLICATE_MEMBER(`two escrow records for member ${memberSerial}`);
    seen.add(memberSerial);
    const share = await openEscrowShare(record, index, o.trusteeKeys, o.caCert);
    try {
      o.inspect?.('share', share.value);
      const context = partialContext(requestHash, index, memberSerial);
      const { xH, proof } = proveDleq(share.value, R, context, o.random);
      o.inspect?.('context', context);
      o.inspect?.('partial', xH);
      o.inspect?.('proof', proof);
      partials.push({ memberSerial, partial: toHex(xH), proof: toHex(proof) });
    } finally {
      wipe(share.value);
    }
  }
  partials.sort((a, b) => (a.memberSerial < b.memberSerial ? -1 : 1));
  const unsigned = { format: OPENING_APPROVAL_FORMAT, requestId: request.requestId, requestHash: toHex(requestHash), trusteeIndex: index, partials } as const;
  const signed = labelledJson(SIGNATURE_LABEL, unsignedBody(unsigned));
  o.inspect?.('approval signed bytes', signed);
  return { ...unsigned, signature: toBase64(signBytes(o.trusteeKeys.signingPrivateKey, signed)) };
}

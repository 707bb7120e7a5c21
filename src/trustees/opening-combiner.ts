/**
 * Combining an emergency opening (DESIGN §4, docs/protocol.md §2.7). Anyone — in practice the
 * tool — takes the trustees' approvals, checks every partial's DLEQ proof against the public share
 * point S_{m,i} = Σ_j C_{m,j}·i^j (so a bad partial is caught and attributed), and for each member
 * m computes Σ λ_i·P_{m,i} = k_m·R over k trustees, compared with K. Only the comparison is kept:
 * the result names the matching member, every combined value is discarded. No k_m is ever formed.
 */
import { TokumeiError } from '../errors.js';
import { constantTimeEqual, fromHex, toHex, wipe } from '../crypto/bytes.js';
import { decodePoint, encodePoint, IDENTITY_POINT, modL, mulPoint, type RistrettoPoint } from '../crypto/ristretto.js';
import { lagrangeCoefficient } from '../crypto/shamir.js';
import { verifyEscrowRecord, type EscrowRecord } from '../identity/escrow.js';
import type { TrusteePublic } from '../identity/trustee.js';
import { verifyDleq } from './dleq.js';
import { openingRequestHash, requestIdPoints, verifyOpeningRequest, type OpeningRequest } from './opening-request.js';
import { decodeOpeningApproval, OPENING_MAX_MEMBERS, partialContext, verifyApprovalSignature, type OpeningApproval } from './trustee-approval.js';
import { TrusteeErrors } from './trustees-errors.js';

/** A trustee's signed approval held a partial whose proof fails: that trustee lied or broke. */
export class BadPartialError extends TokumeiError {
  constructor(
    readonly trusteeIndex: number,
    readonly memberSerial: string,
  ) {
    super('crypto', 'OPENING_BAD_PARTIAL', `trustee ${trusteeIndex} sent a partial for member ${memberSerial} whose proof does not verify; drop its approval`);
    this.name = 'BadPartialError';
  }
}

export interface CombineOpeningOptions {
  request: OpeningRequest | string;
  /** BOUNDED(4·n): more inputs than that are refused before any work. */
  approvals: readonly (OpeningApproval | string)[];
  /** Every member's escrow record: the member set each approval must cover exactly. */
  escrowRecords: readonly (EscrowRecord | string)[];
  caCert: string | Uint8Array;
  /** Trustee i at position i−1 (community.json). */
  trusteePublics: readonly TrusteePublic[];
  /** k. */
  threshold: number;
  /** TEST AID ONLY: sees the combiner's working buffers (each combined value before it is wiped). */
  inspect?: (what: string, bytes: Uint8Array) => void;
}

/** An approval left out, and why (not attributable: anyone can send junk in a trustee's name). */
export interface RejectedApproval {
  readonly trusteeIndex: number | undefined;
  readonly code: string;
  readonly message: string;
}

export interface OpeningResult {
  readonly requestId: string;
  readonly requestHash: string;
  /** The member behind the ID; undefined when no escrowed member's key matches. */
  readonly memberSerial: string | undefined;
  /** Every trustee whose approval was valid, ascending. */
  readonly approvingTrustees: readonly number[];
  /** The k of them whose partials were combined (the lowest indices). */
  readonly combinedTrustees: readonly number[];
  readonly rejected: readonly RejectedApproval[];
}

interface Member {
  readonly serial: string;
  readonly commitments: readonly RistrettoPoint[];
}

function fail(code: string, message: string): never {
  throw new TokumeiError('bad-input', code, message);
}

/** S_{m,i} = Σ_j C_{m,j}·i^j: trustee i's public share point for member m (Feldman, §2.5). */
function sharePoint(m: Member, index: number): Uint8Array {
  let acc = IDENTITY_POINT;
  let power = 1n;
  for (const c of m.commitments) {
    acc = acc.add(mulPoint(c, power));
    power = modL(power * BigInt(index));
  }
  return encodePoint(acc);
}

function checkMembers(o: CombineOpeningOptions): Member[] {
  const n = o.trusteePublics.length;
  if (!Number.isInteger(o.threshold) || o.threshold < 1 || o.threshold > n) fail('OPENING_BAD_THRESHOLD', `threshold must be 1..${n}`);
  o.trusteePublics.forEach((t, i) => t.index !== i + 1 && fail('OPENING_BAD_TRUSTEES', 'trustees must be listed by index 1..n'));
  if (o.escrowRecords.length > OPENING_MAX_MEMBERS) fail('OPENING_TOO_MANY_MEMBERS', `at most ${OPENING_MAX_MEMBERS} escrow records per opening`);
  const members = o.escrowRecords.map((input) => {
    const r = verifyEscrowRecord(input, o.caCert);
    if (r.threshold !== o.threshold || r.trustees !== n || r.shares.some((s, i) => s.trusteeKey !== o.trusteePublics[i]!.hpkePublicKey)) {
      fail('OPENING_ESCROW_MISMATCH', `escrow record of ${r.memberSerial} was not made for these trustees and threshold`);
    }
    return { serial: r.memberSerial, commitments: r.commitments.map((c) => decodePoint(fromHex(c, 32))) };
  });
  members.sort((a, b) => (a.serial < b.serial ? -1 : 1));
  members.forEach((m, i) => i > 0 && members[i - 1]!.serial === m.serial && fail('OPENING_DUPLICATE_MEMBER', `two escrow records for member ${m.serial}`));
  return members;
}

/**
 * Checks and combines. Throws OPENING_TOO_FEW_APPROVALS with fewer than k valid approvals and
 * BadPartialError (OPENING_BAD_PARTIAL) when a trustee's signed approval holds a bad partial.
 */
export function combineOpening(o: CombineOpeningOptions): OpeningResult {
  const request = verifyOpeningRequest(o.request);
  const members = checkMembers(o);
  const n = o.trusteePublics.length;
  if (o.approvals.length > 4 * n) fail('OPENING_TOO_MANY_APPROVALS', `at most ${4 * n} approvals`);
  const requestHash = openingRequestHash(request);
  const hashHex = toHex(requestHash);
  const { R, K } = requestIdPoints(request);

  const rejected: RejectedApproval[] = [];
  const valid = new Map<number, OpeningApproval>();
  for (const input of o.approvals) {
    let a: OpeningApproval;
    try {
      a = decodeOpeningApproval(input);
    } catch (e) {
      rejected.push({ trusteeIndex: undefined, code: (e as TokumeiError).code ?? 'OPENING_BAD_APPROVAL', message: (e as Error).message });
      continue;
    }
    const reject = (code: string, message: string) => rejected.push({ trusteeIndex: a.trusteeIndex, code, message });
    const trustee = o.trusteePublics[a.trusteeIndex - 1];
    if (a.requestId !== request.requestId || a.requestHash !== hashHex) reject('OPENING_WRONG_REQUEST', 'approval is for another request');
    else if (!trustee) reject('OPENING_UNKNOWN_TRUSTEE', `no trustee ${a.trusteeIndex}`);
    else if (valid.has(a.trusteeIndex)) reject('OPENING_DUPLICATE_TRUSTEE', 'a valid approval from this trustee was already counted');
    else if (!verifyApprovalSignature(a, trustee)) reject('OPENING_BAD_APPROVAL_SIGNATURE', 'approval is not signed by this trustee');
    else if (a.partials.length !== members.length || a.partials.some((p, i) => p.memberSerial !== members[i]!.serial)) {
      reject('OPENING_MEMBER_SET_MISMATCH', 'approval does not cover exactly the escrowed members');
    } else {
      // Signed by the trustee: from here a bad partial is its fault, and we say so.
      a.partials.forEach((p, i) => {
        const ctx = partialContext(requestHash, a.trusteeIndex, p.memberSerial);
        if (!verifyDleq(R, sharePoint(members[i]!, a.trusteeIndex), fromHex(p.partial, 32), fromHex(p.proof, 64), ctx)) {
          throw new BadPartialError(a.trusteeIndex, p.memberSerial);
        }
      });
      valid.set(a.trusteeIndex, a);
    }
  }

  const approvingTrustees = [...valid.keys()].sort((x, y) => x - y);
  if (approvingTrustees.length < o.threshold) {
    const why = rejected.length > 0 ? `; rejected: ${rejected.map((r) => `${r.trusteeIndex ?? '?'} ${r.code}`).join(', ')}` : '';
    throw TrusteeErrors.OPENING_TOO_FEW_APPROVALS(`${approvingTrustees.length} valid approvals, need ${o.threshold}${why}`);
  }
  const combinedTrustees = approvingTrustees.slice(0, o.threshold);
  const lambdas = combinedTrustees.map((i) => lagrangeCoefficient(combinedTrustees, i));
  const matches: string[] = [];
  members.forEach((m, mi) => {
    let acc = IDENTITY_POINT;
    combinedTrustees.forEach((t, j) => {
      acc = acc.add(mulPoint(decodePoint(fromHex(valid.get(t)!.partials[mi]!.partial, 32)), lambdas[j]!));
    });
    const combined = encodePoint(acc); // k_m·R: compared, never kept
    o.inspect?.('combined', combined);
    if (constantTimeEqual(combined, K)) matches.push(m.serial);
    wipe(combined);
  });
  if (matches.length > 1) throw TrusteeErrors.OPENING_AMBIGUOUS(`${matches.length} members share one anonymity key: the escrow records are bad`);
  return { requestId: request.requestId, requestHash: hashHex, memberSerial: matches[0], approvingTrustees, combinedTrustees, rejected };
}

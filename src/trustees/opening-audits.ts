/**
 * Audit records on the board (docs/protocol.md §2.7, §2.8): the posts with `kind=audit.opening`,
 * each checked against the community's trustee keys. Anyone holding community.json can run this;
 * a record that does not verify is listed as such, never silently dropped, so a forged audit
 * record is visible as a forgery.
 */
import { describeError, TokumeiError } from '../errors.js';
import type { BoardClient, BoardResult } from '../board/client.js';
import { decodeAuditRecord, verifyAuditRecord } from './audit-record.js';
import type { CommunityMaterial } from './community-material.js';
import { AUDIT_KIND } from './opening-notice.js';

/** BOUNDED: audit records read from one board per call. */
export const MAX_AUDITS_LISTED = 1_000;

export interface AuditView {
  postId: string;
  /** When the post was made (ms). */
  created: number;
  requestId: string;
  anonId: string;
  authority: string;
  authorityKey: string;
  reason: string;
  requestedAt: number;
  /** The member serial the opening named, or null when no member matched. */
  result: string | null;
  /** The approving trustees' indices. */
  trustees: number[];
  /** True when the authority's and every listed trustee's signature verify (and ≥ k trustees). */
  verified: boolean;
  error?: { code: string; message: string };
}

/** One post's audit record, checked; undefined when the text is not an audit record at all. */
export function auditView(r: BoardResult, community: Pick<CommunityMaterial, 'trusteePublics' | 'threshold'>): AuditView | undefined {
  let record;
  try {
    record = decodeAuditRecord(r.text);
  } catch {
    return undefined;
  }
  const q = record.request;
  const view: AuditView = {
    postId: r.postId,
    created: r.created,
    requestId: q.requestId,
    anonId: q.anonId,
    authority: q.authority,
    authorityKey: q.authorityKey,
    reason: q.reason,
    requestedAt: q.requestedAt,
    result: record.result,
    trustees: [...record.trustees],
    verified: false,
  };
  try {
    verifyAuditRecord(r.text, community.trusteePublics, community.threshold);
    view.verified = true;
  } catch (e) {
    view.error = e instanceof TokumeiError ? { code: e.code, message: e.message } : { code: 'OPENING_BAD_AUDIT', message: describeError(e) };
  }
  return view;
}

/** Every audit record on `board`, newest first. */
export async function readAudits(client: BoardClient, board: string, community: Pick<CommunityMaterial, 'trusteePublics' | 'threshold'>): Promise<AuditView[]> {
  const posts = await client.searchAll(board, { query: '', fields: [{ key: 'kind', value: AUDIT_KIND }] }, MAX_AUDITS_LISTED);
  return posts.map((p) => auditView(p, community)).filter((v): v is AuditView => v !== undefined);
}

/** Text output of the emergency-opening commands (`tokumei opening …`, `tokumei trustee …`). */
import type { AuditView } from '../trustees/opening-audits.js';
import type { OpeningStatus } from '../trustees/opening-state.js';
import type { TrusteeRequestView } from '../trustees/trustee-service.js';

const when = (ms: number) => new Date(ms).toISOString();

export function formatOpening(s: OpeningStatus): string {
  const lines = [
    `request  ${s.requestId}  ${s.status}${s.status === 'waiting' ? ` (${s.stage}: ${s.approvals} of ${s.threshold} approvals)` : ''}`,
    `  id       ${s.anonId.slice(0, 32)}…`,
    `  reason   ${s.reason}`,
    `  asked    ${when(s.requestedAt)} by ${s.authority} (notice ${s.postId})`,
  ];
  if (s.status === 'opened') {
    lines.push(`  result   ${s.result === null ? 'no member matched' : `member ${s.result}`}`);
    lines.push(`  audit    post ${s.auditPostId} on the board, signed by trustees ${s.trustees?.join(', ')}`);
  }
  for (const r of s.rejected) lines.push(`  rejected trustee ${r.trusteeIndex ?? '?'}: ${r.code}`);
  if (s.error) lines.push(`  error    ${s.error.code}: ${s.error.message}`);
  return lines.join('\n') + '\n';
}

export function formatOpenings(list: OpeningStatus[]): string {
  return list.length === 0 ? 'no opening requests\n' : list.map(formatOpening).join('');
}

export function formatTrusteeRequests(list: TrusteeRequestView[]): string {
  if (list.length === 0) return 'no opening requests on the board\n';
  return list
    .map((r) => {
      const lines = [`request  ${r.requestId}  ${r.status}`, `  id       ${r.anonId.slice(0, 32)}…`, `  by       ${r.authority} (${r.authorityKey.slice(0, 16)}…) at ${when(r.requestedAt)}`, `  reason   ${r.reason}`];
      if (r.result !== undefined) lines.push(`  result   ${r.result === null ? 'no member matched' : `member ${r.result}`}`);
      if (r.error) lines.push(`  error    ${r.error.code}: ${r.error.message}`);
      return lines.join('\n') + '\n';
    })
    .join('');
}

export function formatAudits(list: AuditView[]): string {
  if (list.length === 0) return 'no audit records on the board\n';
  return list
    .map((a) => {
      const lines = [
        `audit    ${a.postId}  ${a.verified ? 'verified' : `NOT VERIFIED (${a.error?.code})`}`,
        `  request  ${a.requestId} by ${a.authority} at ${when(a.requestedAt)}`,
        `  reason   ${a.reason}`,
        `  result   ${a.result === null ? 'no member matched' : `member ${a.result}`}`,
        `  trustees ${a.trustees.join(', ')}`,
      ];
      return lines.join('\n') + '\n';
    })
    .join('');
}

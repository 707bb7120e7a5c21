/** Human forms of the `tokumei health` answers; `--json` prints the answers themselves. */
import type { ProfileView } from '../health/profile/profile-keeper.js';
import type { ClinicAnswerView } from '../health/clinic/clinic.js';
import type { ReleasedRecord } from '../health/clinic/clinic-letters.js';
import type { PublishResult } from '../health/intermediary/intermediary.js';
import type { LetterExchangeView, ProposalView } from '../health/member/member-exchanges.js';
import type { AnswerResult, OfferView, StatsResult, UploadResult } from '../health/member/member-health.js';
import { table } from './status-format.js';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const shown = (v: unknown) => (v === null || v === undefined ? '—' : String(v));

export function formatProfile(p: ProfileView): string {
  const rows = p.catalogue.map((c) => {
    const a = p.attributes[c.name];
    return [c.name, shown(a?.value), a?.disclosed ? 'yes' : 'no', a?.locked ? 'locked' : '', c.unit ?? ''];
  });
  const byKind = new Map<string, { value: number; at: number }>();
  for (const m of p.measurements) byKind.set(m.kind, { value: m.value, at: m.at });
  const latest = [...byKind].map(([k, m]) => [k, String(m.value), iso(m.at)]);
  return (
    table(['ATTRIBUTE', 'VALUE', 'DISCLOSED', '', 'UNIT'], rows) +
    `${p.measurements.length} measurements${latest.length ? '; latest:' : ''}\n` +
    (latest.length ? table(['KIND', 'VALUE', 'AT'], latest) : '')
  );
}

export function formatUpload(u: UploadResult): string {
  return `uploaded ${u.included} points to study ${u.study} as post ${u.postId}${u.pseudonymous ? ' (under your pseudonym for the study)' : ''}; ${u.omitted} older points left out; expires ${iso(u.expires)}\n`;
}

export function formatStats(s: StatsResult): string {
  if (!s.stats) return 'no statistics published for this study yet\n';
  const head = `study ${s.stats.study}: ${s.stats.cohorts.length} cohorts of at least ${s.stats.minCohort}, issued ${iso(s.stats.issued)}\n`;
  const rows = s.standing.map((x) => [x.kind, String(x.value), x.cohort ? `${x.cohort.ageBand} ${x.cohort.sex}` : '—', x.status, x.percentile === null ? '—' : `${Math.round(x.percentile)}`]);
  return head + (rows.length ? table(['KIND', 'YOURS', 'COHORT', 'STATUS', 'PERCENTILE'], rows) : 'no measurements of yours to compare\n');
}

export function formatOffers(o: { offers: OfferView[]; skipped: number }): string {
  if (o.offers.length === 0) return `no offers on the board${o.skipped ? ` (${o.skipped} malformed skipped)` : ''}\n`;
  const rows = o.offers.map((x) => [x.postId, x.offer.clinic, x.offer.title, x.match.matches ? 'matches you' : 'no match', x.answerId ? 'answered' : '']);
  return table(['POST', 'CLINIC', 'TITLE', 'MATCH', ''], rows);
}

export function formatAnswer(a: AnswerResult): string {
  return `answered offer ${a.offerId} (post ${a.postId}) as ${a.answerId}; the clinic learns only: ${Object.keys(a.disclosed).join(', ') || 'nothing but your message'}\n`;
}

export function formatProposals(list: ProposalView[]): string {
  if (list.length === 0) return 'no proposals\n';
  return table(['PROPOSAL', 'CLINIC', 'TITLE', 'LETTER', 'EXCHANGE', 'EXPIRES'], list.map((p) => [p.proposalId, p.clinic, p.title, p.letterOfIntent ? 'offered' : 'no', p.exchangeId ?? '—', iso(p.expires)]));
}

export function formatLetter(l: LetterExchangeView): string {
  const c = l.clinicLetter;
  const letter = c ? `; ${c.clinic} asks for ${c.items.join(', ')} for ${c.purposes.join('; ')}, kept ${c.retentionDays} days` : '';
  const err = l.error ? `; ${l.error.code}: ${l.error.message}` : '';
  return `exchange ${l.exchangeId} (proposal ${l.proposalId}): ${l.state}${letter}${l.released ? `; released ${l.released.items.join(', ')}` : ''}${err}\n`;
}

export function formatLetters(list: LetterExchangeView[]): string {
  return list.length === 0 ? 'no letter exchanges\n' : list.map(formatLetter).join('');
}

export function formatOfferPosted(o: { postId: string; offerId: string; expires: number }): string {
  return `posted offer ${o.offerId} as post ${o.postId}; expires ${iso(o.expires)}\n`;
}

export function formatAnswers(a: { answers: ClinicAnswerView[]; skipped: number }): string {
  if (a.answers.length === 0) return `no answers yet${a.skipped ? ` (${a.skipped} unreadable skipped)` : ''}\n`;
  const rows = a.answers.map((x) => [x.answerId, x.title, Object.entries(x.disclosed).map(([k, v]) => `${k}=${shown(v)}`).join(' '), String(x.proposals.length), x.letter.state]);
  return table(['ANSWER', 'OFFER', 'DISCLOSED', 'PROPOSALS', 'LETTER'], rows);
}

export function formatClinicAnswer(a: ClinicAnswerView): string {
  return `answer ${a.answerId}: letter ${a.letter.state}${a.letter.items.length ? ` for ${a.letter.items.join(', ')}` : ''}\n`;
}

export function formatReleased(list: ReleasedRecord[]): string {
  if (list.length === 0) return 'nothing released\n';
  return list.map((r) => `answer ${r.answerId}, member ${r.memberSerial}: ${Object.entries(r.items).map(([k, v]) => `${k}=${shown(v)}`).join(', ')} (kept ${r.retentionDays} days)\n`).join('');
}

export function formatPublished(p: PublishResult): string {
  return `published ${p.cohorts} cohorts from ${p.uploads} uploads (${p.skipped} skipped) in ${p.posts.length} posts, issued ${iso(p.issued)}\n`;
}

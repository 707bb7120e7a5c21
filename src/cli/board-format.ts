/** Human forms of the board commands' answers; `--json` prints the answers themselves. */
import type { BoardNotification, BoardResult, ReadReply } from '../board/client.js';
import type { BoardReplicaStatus, PostResult, ReservationResult } from '../board/service/board-api.js';
import { table } from './status-format.js';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const indent = (text: string) => text.split('\n').map((l) => `    ${l}`).join('\n');

export function formatPost(p: PostResult): string {
  return `posted ${p.postId} under anonymous ID ${p.anonymousId.slice(0, 16)}…; expires ${iso(p.expires)}\n`;
}

function formatResult(r: BoardResult): string {
  const fields = r.fields.map((f) => `${f.key}=${f.value}`).join('  ');
  return `${r.postId}  ${iso(r.created)}  (expires ${iso(r.expires)})${fields ? '  ' + fields : ''}\n${indent(r.text)}\n`;
}

export function formatSearch(results: BoardResult[], reservation: ReservationResult | undefined): string {
  if (results.length > 0) return results.map(formatResult).join('\n');
  if (!reservation) return 'no posts found\n';
  return `no posts found; reservation ${reservation.reservationId} until ${iso(reservation.expires)}: a matching post will be notified (see \`tokumei notifications\`)\n`;
}

export function formatReplies(replies: ReadReply[]): string {
  if (replies.length === 0) return 'no replies\n';
  return replies
    .map((r) => `reply ${r.replyId} to ${r.postId}  ${iso(r.created)}${r.answerAddress ? `\n  answer to: ${r.answerAddress}` : ''}\n${indent(r.text)}\n`)
    .join('\n');
}

export function formatNotifications(notes: BoardNotification[]): string {
  if (notes.length === 0) return 'no notifications\n';
  return notes.map((n) => `reservation ${n.reservationId}, received ${iso(n.receivedAt)}:\n${formatResult(n.post)}`).join('\n');
}

export function formatBoardStatus(s: BoardReplicaStatus): string {
  const head =
    `board ${s.address}\n` +
    `replica ${s.replicaId}  integrity ${s.integrity ? 'ok' : 'FAILED'}\n` +
    `stored: ${s.stored.posts} posts, ${s.stored.replies} replies, ${s.stored.reservations} reservations\n` +
    `served: ${s.counters.requests} requests (${s.counters.posts} posts, ${s.counters.replies} replies, ${s.counters.searches} searches), ` +
    `${s.counters.synced} records synced, ${s.counters.notifications} notifications, ${s.counters.rateLimited} rate-limited\n`;
  const refused = Object.entries(s.counters.refused).map(([code, n]) => `${code} ${n}`).join(', ');
  const rows = s.peers.map((p) => [p.replicaId.slice(0, 16), p.lastPull === undefined ? '-' : iso(p.lastPull), String(p.cursor)]);
  return head + (refused ? `refused: ${refused}\n` : '') + '\n' + (rows.length ? table(['PEER REPLICA', 'LAST PULL', 'CURSOR'], rows) : 'no peer replicas known yet\n');
}

/** Human form of a NodeStatus: a header line and a short neighbour table. */
import type { NodeStatus } from '../node/status.js';

export function shortId(id: string): string {
  return id.length > 12 ? id.slice(0, 12) : id;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function formatRtt(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  return ms < 10 ? `${ms.toFixed(1)}ms` : `${Math.round(ms)}ms`;
}

/** Left-aligned columns, two spaces apart. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function formatStatus(s: NodeStatus): string {
  const head =
    `node ${s.id}  ${s.address}  up ${formatDuration(s.uptimeMs)}\n` +
    `degree ${s.degree.current} (target ${s.degree.min}-${s.degree.max})  known peers ${s.knownPeers}  CRL #${s.crlNumber}\n`;
  const rows = [...s.neighbours]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((n) => [shortId(n.id), n.address, n.direction, formatRtt(n.rttMs), formatDuration(n.linkUptimeMs), n.degree === null ? '-' : String(n.degree)]);
  const body = rows.length ? '\n' + table(['NEIGHBOUR', 'ADDRESS', 'DIR', 'RTT', 'LINK UP', 'DEGREE'], rows) : '\nno neighbours yet\n';
  const refusals = s.refusals.slice(-5).map((r) => `  ${new Date(r.at).toISOString()}  ${r.remoteAddress}  ${r.code}  ${r.message}`);
  return head + body + (refusals.length ? '\nrecent refusals:\n' + refusals.join('\n') + '\n' : '');
}

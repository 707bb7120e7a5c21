/** The demo's live view: one row per node with its degree and neighbours (by label) with RTT. */
import type { NodeStatus } from '../node/status.js';
import { formatRtt, shortId, table } from './status-format.js';

export interface NodeView {
  label: string;
  /** Latest status, or why there is none (starting, exited…). */
  status?: NodeStatus;
  state: string;
}

export function formatOverlay(views: NodeView[]): string {
  const labelOf = new Map<string, string>();
  for (const v of views) if (v.status) labelOf.set(v.status.id, v.label);
  const rows = views.map((v) => {
    const s = v.status;
    if (!s) return [v.label, '-', '-', '-', v.state];
    const neighbours = [...s.neighbours]
      .map((n) => ({ name: labelOf.get(n.id) ?? shortId(n.id), rtt: n.rttMs }))
      .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))
      .map((n) => `${n.name} ${formatRtt(n.rtt)}`);
    return [v.label, shortId(s.id), s.address, String(s.neighbours.length), neighbours.join(', ') || '(none yet)'];
  });
  const up = views.filter((v) => v.status);
  const degrees = up.map((v) => v.status!.neighbours.length);
  const links = degrees.reduce((a, b) => a + b, 0) / 2;
  const summary = up.length
    ? `${up.length}/${views.length} nodes up, ${Math.round(links)} links, degree min ${Math.min(...degrees)} max ${Math.max(...degrees)}`
    : `0/${views.length} nodes up`;
  return table(['NODE', 'ID', 'ADDRESS', 'DEG', 'NEIGHBOURS (RTT)'], rows) + summary + '\n';
}

/** The same view without RTTs, to tell whether the overlay's shape changed. */
export function overlayShape(views: NodeView[]): string {
  return views.map((v) => `${v.label}:${v.state}:${(v.status?.neighbours.map((n) => n.id) ?? []).sort().join(',')}`).join(';');
}

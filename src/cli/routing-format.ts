/**
 * Human form of a node's routing status: its counters, its circuits, each conversation it holds
 * as an onion proxy (the route relay by relay, with the alternatives each relay keeps), and the
 * last events. A relay's status holds only what that relay knows.
 */
import type { RoutingStatus } from '../routing/router.js';
import type { RoutingEvent } from '../routing/core/routing-events.js';
import { shortId, table } from './status-format.js';

/** Events shown by the human form (the JSON has them all). */
const EVENTS_SHOWN = 15;
/** Counters with a place of their own above; any counter added later goes on the "other" line. */
const SHOWN = new Set([
  'seeksSent', 'seeksForwarded', 'seeksAnswered', 'seeksDropped', 'routeInfoForwarded', 'routeInfoDropped',
  'circuitsCreated', 'onionsRejected', 'cellsRelayed', 'cellsDropped', 'backtracks', 'switches',
  'multicastSent', 'multicastForwarded', 'multicastDropped', 'messagesDelivered', 'messagesReceived',
]);

export function formatRouting(s: RoutingStatus): string {
  const c = s.counters;
  const lines = [
    `circuits ${s.circuits}  conversations ${s.conversations.length}`,
    `seeks       sent ${c.seeksSent}  forwarded ${c.seeksForwarded}  answered ${c.seeksAnswered}  dropped ${c.seeksDropped}`,
    `route info  forwarded ${c.routeInfoForwarded}  dropped ${c.routeInfoDropped}`,
    `circuits    created ${c.circuitsCreated}  onions rejected ${c.onionsRejected}  cells relayed ${c.cellsRelayed}  cells dropped ${c.cellsDropped}`,
    `repairs     backtracks ${c.backtracks}  switches ${c.switches}`,
    `multicast   sent ${c.multicastSent}  forwarded ${c.multicastForwarded}  dropped ${c.multicastDropped}`,
    `messages    delivered ${c.messagesDelivered}  received ${c.messagesReceived}`,
  ];
  const others = Object.entries(c).filter(([k]) => !SHOWN.has(k));
  if (others.length > 0) lines.push(`other       ${others.map(([k, v]) => `${k} ${String(v)}`).join('  ')}`);
  let out = lines.join('\n') + '\n';
  if (s.conversations.length > 0) {
    const rows = s.conversations.map((v) => [v.address, formatRoute(v.route, v.alternatives, v.multicast), String(v.repairs), String(v.localRepairs)]);
    out += '\n' + table(['TO', 'ROUTE (relay+alternatives)', 'REPAIRS', 'LOCAL'], rows);
  }
  const events = s.events.slice(-EVENTS_SHOWN);
  if (events.length > 0) out += '\nlast events:\n' + events.map((e) => `  ${formatEvent(e)}`).join('\n') + '\n';
  return out;
}

/** `me → a1b2c3d4+2 → … → destination`; multicast or nothing when no route is up. */
export function formatRoute(route: string[], alternatives: number[], multicast: boolean): string {
  if (route.length === 0) return multicast ? 'multicast' : '-';
  const hops = route.map((r, i) => shortId(r).slice(0, 8) + (alternatives[i] ? `+${alternatives[i]}` : ''));
  return ['me', ...hops, 'destination'].join(' → ');
}

export function formatEvent(e: RoutingEvent): string {
  const detail = Object.entries(e.detail)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join(' ');
  return `${new Date(e.at).toISOString()}  ${e.type}${detail ? '  ' + detail : ''}`;
}

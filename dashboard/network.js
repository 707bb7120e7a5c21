// Network view: this node and its neighbours as a graph, the routes this node built drawn as
// paths through their relays (member-serial prefixes), and a live timeline of route seeks,
// builds, backtracks, local repairs and multicast — refreshed every 2 s from /api/status and
// /api/routing. A relay sees only its own hops: that is all this view can show, by design.

import { get } from './api.js';
import { renderChart } from './charts.js';
import { card, errorBox, fill, fmtClock, fmtDuration, h, shortId, table } from './ui.js';

const POLL_MS = 2_000;
/** Past routes (from route-built events) drawn besides the open conversations. */
const PAST_ROUTES = 4;

/** Timeline rows: each event type's lane and colour group. */
const LANES = {
  'seek-sent': 'route seek',
  'seek-answered': 'route seek',
  'route-info': 'route seek',
  candidates: 'route seek',
  'route-built': 'route built',
  'route-failed': 'repair',
  backtrack: 'repair',
  switched: 'repair',
  'suffix-replaced': 'repair',
  'proxy-reroute': 'repair',
  'multicast-sent': 'multicast',
  'multicast-received': 'multicast',
  delivered: 'delivered',
  received: 'delivered',
};
const LANE_ORDER = ['route seek', 'route built', 'repair', 'multicast', 'delivered'];
const LANE_COLOURS = ['#8a94a6', '#2f6fdf', '#e07b00', '#b03ab0', '#1f9d55'];

/** How each kind of node is drawn (and the HTML legend). */
const NODE_LOOK = {
  'this node': { shape: 'circle', color: '#d6336c', size: 520 },
  neighbour: { shape: 'circle', color: '#2f6fdf', size: 260 },
  relay: { shape: 'square', color: '#7b8794', size: 160 },
  destination: { shape: 'diamond', color: '#1f9d55', size: 200 },
};

const key = (serial) => String(serial ?? '').slice(0, 8);

export function networkView(root) {
  const facts = h('div', { class: 'stats', id: 'net-counters' });
  const graph = h('div', { class: 'chart graph', id: 'net-graph', 'aria-label': 'this node, its neighbours and its routes' });
  const routes = h('div', { id: 'net-routes' });
  const legend = h(
    'div',
    { class: 'legend' },
    Object.entries(NODE_LOOK).map(([kind, look]) => h('span', { class: `key key-${look.shape}`, dataset: { kind } }, h('i', { class: `swatch ${kind.replace(/\s/g, '-')}` }), kind)),
    h('span', { class: 'key' }, h('i', { class: 'swatch route-open' }), 'open route'),
    h('span', { class: 'key' }, h('i', { class: 'swatch route-past' }), 'earlier route'),
  );
  const timeline = h('div', { class: 'chart', id: 'net-timeline', 'aria-label': 'routing events over time' });
  const recent = h('div', { id: 'net-events' });
  const neighbours = h('div', { id: 'net-neighbours' });
  const problem = h('div', { id: 'net-error' });
  fill(
    root,
    problem,
    h(
      'div',
      { class: 'cols' },
      card('Neighbours and routes', { hint: 'This node in the middle, its neighbours around it; coloured paths are the onion routes it built (relays by member-serial prefix, then the destination address).' }, graph, legend, routes),
      card('Counters', { hint: 'Since this node started.' }, facts, neighbours),
    ),
    card('Live routing events', { hint: 'Refreshed every 2 s. Repairs are backtracks and local switches to an alternative relay; multicast is the fallback when no route is left.' }, timeline, recent),
  );

  let timer;
  let lastGraph = '';
  let lastTimeline = '';
  const refresh = async () => {
    try {
      const [status, routing] = await Promise.all([get('/api/status'), get('/api/routing')]);
      fill(problem);
      drawCounters(facts, status, routing);
      drawNeighbours(neighbours, status);
      const g = buildGraph(status, routing);
      const gsig = JSON.stringify(g);
      if (gsig !== lastGraph) {
        lastGraph = gsig;
        await renderChart(graph, graphSpec(g));
      }
      drawRouteList(routes, routing);
      const tl = timelineRows(routing.events ?? []);
      const tsig = JSON.stringify(tl.length ? [tl.length, tl[tl.length - 1]] : []);
      if (tsig !== lastTimeline) {
        lastTimeline = tsig;
        if (tl.length === 0) fill(timeline, h('p', { class: 'empty' }, 'No routing events yet: they appear when this node seeks routes, relays, or receives.'));
        else await renderChart(timeline, timelineSpec(tl));
        drawRecent(recent, routing.events ?? []);
      }
    } catch (e) {
      fill(problem, errorBox(e));
    }
  };
  return {
    async show() {
      await refresh();
      timer = setInterval(refresh, POLL_MS);
    },
    hide() {
      clearInterval(timer);
    },
  };
}

/** @typedef {import('tokumei-control-routes').GetRoutes} GetRoutes */

/**
 * @param {HTMLElement} el
 * @param {GetRoutes['/api/status']} status
 * @param {GetRoutes['/api/routing']} routing
 */
function drawCounters(el, status, routing) {
  const c = /** @type {Partial<GetRoutes['/api/routing']['counters']>} */ (routing.counters ?? {});
  const stat = (label, v, title) => h('div', { class: 'stat', title }, h('span', { class: 'v' }, v ?? '—'), h('span', { class: 'k' }, label));
  fill(
    el,
    stat('neighbours', `${status.degree?.current ?? status.neighbours?.length ?? 0}`, `target degree ${status.degree?.min}–${status.degree?.max}`),
    stat('known peers', status.knownPeers),
    stat('open circuits', routing.circuits),
    stat('seeks sent', c.seeksSent),
    stat('seeks forwarded', c.seeksForwarded),
    stat('circuits built', c.circuitsCreated),
    stat('cells relayed', c.cellsRelayed),
    stat('backtracks', c.backtracks, 'a relay of someone else’s route tried an alternative'),
    stat('switches', c.switches, 'this node switched a route of its own to an alternative'),
    stat('multicast sent', c.multicastSent),
    stat('delivered', c.messagesDelivered),
    stat('received', c.messagesReceived),
  );
}

/**
 * @param {HTMLElement} el
 * @param {GetRoutes['/api/status']} status
 */
function drawNeighbours(el, status) {
  const rows = (status.neighbours ?? []).map((n) => [h('code', null, shortId(n.id, 12)), n.address, n.direction, n.rttMs === null ? '—' : `${n.rttMs.toFixed(1)} ms`, fmtDuration(n.linkUptimeMs), n.degree ?? '—']);
  fill(el, h('h3', null, 'Neighbours'), table(['member', 'address', 'link', 'RTT', 'link up', 'their degree'], rows, { empty: 'No neighbours yet.' }));
}

/** Nodes and edges with positions: self at the centre, neighbours on a ring, relays outside. */
/**
 * @param {GetRoutes['/api/status']} status
 * @param {GetRoutes['/api/routing']} routing
 */
export function buildGraph(status, routing) {
  const nodes = new Map();
  const me = key(status.id);
  nodes.set(me, { id: me, label: 'this node', kind: 'this node', x: 0, y: 0 });
  const ns = [...(status.neighbours ?? [])].sort((a, b) => (a.id < b.id ? -1 : 1));
  ns.forEach((n, i) => {
    const a = (2 * Math.PI * i) / Math.max(ns.length, 1) - Math.PI / 2;
    nodes.set(key(n.id), { id: key(n.id), label: key(n.id), kind: 'neighbour', x: Math.cos(a), y: Math.sin(a), rtt: n.rttMs });
  });
  const links = ns.map((n, i) => ({ edge: `n${i}`, from: me, to: key(n.id) }));

  // Routes: the open conversations, then the latest route-built events not already drawn.
  const routes = [];
  const seen = new Set();
  for (const c of routing.conversations ?? []) {
    if (!c.route?.length) continue;
    const relays = c.route.map(key);
    seen.add(relays.join('>'));
    routes.push({ name: `${String(c.address).slice(0, 10)}…${c.multicast ? ' (multicast)' : ''}`, relays, open: true, dest: String(c.address).slice(0, 10) + '…' });
  }
  const built = (routing.events ?? []).filter((e) => e.type === 'route-built' && Array.isArray(e.detail?.route));
  for (const e of built.reverse()) {
    if (routes.filter((r) => !r.open).length >= PAST_ROUTES) break;
    const relays = /** @type {string[]} */ (e.detail.route).map(key);
    if (seen.has(relays.join('>'))) continue;
    seen.add(relays.join('>'));
    routes.push({ name: `built ${fmtClock(e.at)}`, relays, open: false, dest: 'destination' });
  }

  const placed = (id, ring, angle, kind) => {
    let n = nodes.get(id);
    if (!n) {
      n = { id, label: id, kind, x: ring * Math.cos(angle), y: ring * Math.sin(angle) };
      nodes.set(id, n);
    }
    return n;
  };
  const paths = [];
  routes.forEach((r, ri) => {
    // Fan the routes out: each gets its own direction, starting at its first relay if that is a neighbour.
    const first = nodes.get(r.relays[0]);
    const base = first && first.kind === 'neighbour' ? Math.atan2(first.y, first.x) : (2 * Math.PI * ri) / Math.max(routes.length, 1);
    const spread = 0.35;
    const pts = [nodes.get(me)];
    r.relays.forEach((id, hop) => pts.push(placed(id, 1 + 0.75 * (hop + (first?.kind === 'neighbour' ? 0 : 1)), base + (hop % 2 ? spread : -spread) * 0.5 * (ri % 2 ? -1 : 1), 'relay')));
    const dest = placed(`dest${ri}`, 1 + 0.75 * (r.relays.length + 0.6), base + 0.22 * ((ri % 3) - 1), 'destination');
    dest.label = r.dest;
    pts.push(dest);
    pts.forEach((p, order) => paths.push({ route: r.name, order, x: p.x, y: p.y, opacity: r.open ? 0.95 : 0.45, dash: r.open ? [1, 0] : [6, 4] }));
  });
  const lines = [];
  for (const l of links) {
    const a = nodes.get(l.from);
    const b = nodes.get(l.to);
    lines.push({ edge: l.edge, order: 0, x: a.x, y: a.y }, { edge: l.edge, order: 1, x: b.x, y: b.y });
  }
  const list = [...nodes.values()].map((n) => ({ ...n, ...NODE_LOOK[n.kind] }));
  const extent = Math.max(1.3, ...list.map((n) => Math.max(Math.abs(n.x), Math.abs(n.y)) + 0.35));
  return { nodes: list, lines, paths, extent };
}

function graphSpec(g) {
  const scale = (e) => ({ domain: [-e, e], nice: false, zero: false });
  const x = { field: 'x', type: 'quantitative', axis: null, scale: scale(g.extent) };
  const y = { field: 'y', type: 'quantitative', axis: null, scale: scale(g.extent) };
  return {
    width: 460,
    height: 460,
    layer: [
      { data: { values: g.lines }, mark: { type: 'line', stroke: '#c5cad6', strokeWidth: 1.5 }, encoding: { x, y, detail: { field: 'edge' }, order: { field: 'order' } } },
      {
        data: { values: g.paths },
        mark: { type: 'line', strokeWidth: 3, strokeCap: 'round', point: false },
        encoding: {
          x,
          y,
          detail: { field: 'route' },
          order: { field: 'order' },
          color: { field: 'route', type: 'nominal', title: 'routes', legend: g.paths.length ? { orient: 'bottom', columns: 2 } : null },
          opacity: { field: 'opacity', type: 'quantitative', scale: null },
          strokeDash: { field: 'dash', type: 'nominal', scale: null },
        },
      },
      {
        data: { values: g.nodes },
        mark: { type: 'point', filled: true, stroke: 'white', strokeWidth: 1.5, opacity: 1 },
        encoding: {
          x,
          y,
          // Identity scales: each node carries its own look (the legend is drawn in HTML).
          shape: { field: 'shape', type: 'nominal', scale: null },
          color: { field: 'color', type: 'nominal', scale: null },
          size: { field: 'size', type: 'quantitative', scale: null },
          tooltip: [{ field: 'label', title: 'member' }, { field: 'kind' }, { field: 'rtt', title: 'RTT ms', format: '.1f' }],
        },
      },
      { data: { values: g.nodes }, mark: { type: 'text', dy: -16, fontSize: 10, fill: '#334' }, encoding: { x, y, text: { field: 'label' } } },
    ],
  };
}

function timelineRows(events) {
  return events.map((e, i) => ({ i, at: e.at, type: e.type, lane: LANES[e.type] ?? e.type, detail: describe(e) }));
}

function timelineSpec(rows) {
  return {
    width: 'container',
    height: 170,
    autosize: { type: 'fit-x', contains: 'padding' },
    data: { values: rows },
    mark: { type: 'tick', thickness: 3, size: 22 },
    encoding: {
      x: { field: 'at', type: 'temporal', title: null, axis: { format: '%H:%M:%S', labelOverlap: true } },
      y: { field: 'lane', type: 'nominal', title: null, sort: LANE_ORDER, scale: { domain: LANE_ORDER } },
      color: { field: 'lane', type: 'nominal', legend: null, scale: { domain: LANE_ORDER, range: LANE_COLOURS } },
      tooltip: [{ field: 'at', type: 'temporal', format: '%H:%M:%S.%L', title: 'time' }, { field: 'type' }, { field: 'detail' }],
    },
  };
}

function describe(e) {
  const d = e.detail ?? {};
  return Object.entries(d)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('→') : v}`)
    .join(' ');
}

function drawRecent(el, events) {
  const latest = events.slice(-12).reverse();
  fill(
    el,
    h('h3', null, 'Latest'),
    h(
      'ol',
      { class: 'events' },
      latest.map((e) => h('li', { class: `ev lane-${(LANES[e.type] ?? 'other').replace(/\s/g, '-')}` }, h('time', null, fmtClock(e.at)), ' ', h('b', null, e.type), ' ', h('span', { class: 'detail' }, describe(e)))),
    ),
  );
}

/**
 * @param {HTMLElement} el
 * @param {GetRoutes['/api/routing']} routing
 */
function drawRouteList(el, routing) {
  const rows = (routing.conversations ?? []).map((c) => [
    h('code', null, c.address),
    c.route?.length ? h('span', { class: 'route' }, ['you', ...c.route.map(key), 'destination'].join(' → ')) : c.multicast ? 'multicast' : '—',
    (c.alternatives ?? []).join(' · ') || '—',
    `${c.repairs ?? 0} (${c.localRepairs ?? 0} local)`,
  ]);
  fill(el, h('h3', null, 'Open conversations'), table(['to', 'route', 'alternatives per relay', 'repairs'], rows, { empty: 'No open conversation: board requests and messages build one on demand.' }));
}

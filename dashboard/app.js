// The dashboard's entry point: takes the token from the URL fragment, keeps the header (node id,
// degree, address, uptime) fresh, remembers the board address, and switches between the four
// views. Each view is built the first time it is shown and polls only while it is visible.

import { get, hasToken, takeFragment } from './api.js';
import { boardView } from './board.js';
import { healthView } from './health.js';
import { networkView } from './network.js';
import { trusteesView } from './trustees.js';
import { fmtDuration, shortId } from './ui.js';

const VIEWS = { network: networkView, board: boardView, health: healthView, trustees: trusteesView };
/** The service a view needs (from /api/status's `services`); the network view needs none. */
const NEEDS = { board: ['board'], health: ['health'], trustees: ['trustee', 'authority'] };
const BOARD_KEY = 'tokumei.board';
const VIEW_KEY = 'tokumei.view';

const built = new Map();
let current;

function $(id) {
  return document.getElementById(id);
}

async function show(name) {
  if (!VIEWS[name]) name = 'network';
  if (current === name) return;
  if (current) built.get(current)?.hide?.();
  for (const [v] of Object.entries(VIEWS)) {
    $(`view-${v}`).hidden = v !== name;
    $(`tab-${v}`).setAttribute('aria-selected', String(v === name));
  }
  current = name;
  sessionStorage.setItem(VIEW_KEY, name);
  let view = built.get(name);
  if (!view) {
    view = VIEWS[name]($(`view-${name}`));
    built.set(name, view);
  }
  await view.show?.();
}

async function refreshHeader() {
  const conn = $('conn-state');
  try {
    const s = await get('/api/status', { timeoutMs: 10_000 });
    $('fact-id').textContent = shortId(s.id, 16);
    $('fact-id').title = s.id;
    $('fact-degree').textContent = `${s.degree.current} (target ${s.degree.min}–${s.degree.max})`;
    $('fact-address').textContent = s.address;
    $('fact-uptime').textContent = fmtDuration(s.uptimeMs);
    showServices(s.services);
    conn.textContent = 'connected';
    conn.className = 'conn ok';
    conn.title = '';
    return s;
  } catch (e) {
    conn.textContent = e.code ?? 'error';
    conn.title = e.message;
    conn.className = 'conn bad';
    return undefined;
  }
}

/**
 * Shows the tab of every view whose service the node runs: a member without a trustee's or an
 * authority's role sees no Trustees tab.
 * @param {string[]} services
 */
function showServices(services) {
  for (const [view, needs] of Object.entries(NEEDS)) $(`tab-${view}`).hidden = !needs.some((s) => services.includes(s));
  if (current && $(`tab-${current}`).hidden) void show('network');
}

/** The board address: the URL's #board=, then what this browser remembered, then this node's own replica. */
async function initBoard(fromFragment) {
  const input = /** @type {HTMLInputElement} */ ($('board-address'));
  input.value = fromFragment ?? localStorage.getItem(BOARD_KEY) ?? '';
  input.addEventListener('change', () => {
    const v = input.value.trim();
    if (v) localStorage.setItem(BOARD_KEY, v);
    else localStorage.removeItem(BOARD_KEY);
    window.dispatchEvent(new CustomEvent('tokumei:board', { detail: v }));
  });
  if (fromFragment) localStorage.setItem(BOARD_KEY, fromFragment);
  if (!input.value) {
    try {
      const s = await get('/api/board/status', { timeoutMs: 5_000 });
      if (s?.address) input.value = s.address;
    } catch {
      // not a replica: the member types or pastes the address
    }
  }
}

async function main() {
  const { board, study } = takeFragment();
  if (study) localStorage.setItem('tokumei.study', study);
  for (const [v] of Object.entries(VIEWS)) $(`tab-${v}`).addEventListener('click', () => void show(v));
  if (!hasToken()) {
    $('token-missing').hidden = false;
    $('conn-state').textContent = 'no token';
    $('conn-state').className = 'conn bad';
    return;
  }
  await initBoard(board);
  await refreshHeader();
  setInterval(refreshHeader, 5_000);
  // Charts need the (deferred, classic) vega scripts; module scripts run after them.
  await show(sessionStorage.getItem(VIEW_KEY) ?? 'network');
}

void main();

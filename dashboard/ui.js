// Small DOM helpers. Everything that came from the network is put in the page as text
// (textContent), never as HTML: board posts and offers are written by strangers.

/**
 * h('div', {class: 'x', onclick: fn, dataset: {a: 1}}, 'text', child, [more]) → element.
 * Attributes: `class`, `for`, `on*` handlers, `dataset`, booleans (true → present), the rest set
 * as attributes. Children: strings/numbers become text nodes; null/false are skipped; arrays flatten.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') for (const [dk, dv] of Object.entries(v)) dv !== undefined && dv !== null && (el.dataset[dk] = String(dv));
    else if (k === 'value' && 'value' in el) el.value = v;
    else if (k === 'checked' || k === 'disabled' || k === 'selected' || k === 'hidden') el[k] = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A titled card (section of a view). */
export function card(title, options, ...body) {
  const { id, hint } = options ?? {};
  return h('article', { class: 'card', id }, h('h2', null, title), hint ? h('p', { class: 'hint' }, hint) : null, ...body);
}

/** An error as the server said it: its code, then its message. */
export function errorBox(err) {
  const code = err?.code ?? 'DASHBOARD_ERROR';
  const message = err?.message ?? String(err);
  return h('div', { class: 'error-box', role: 'alert', 'data-code': code }, h('code', { class: 'error-code' }, code), ' ', h('span', { class: 'error-message' }, message));
}

/**
 * Runs `fn(step)` while `slot` shows a spinner, the current step's text and the seconds elapsed;
 * `step('…')` moves to the next step. On success `slot` shows `done(result)` (a node or text);
 * on failure the server's code and message. Buttons in `lock` are disabled meanwhile.
 * Resolves to the result, or undefined after a failure.
 * @template T
 * @param {HTMLElement} slot
 * @param {string} firstStep
 * @param {(step: (text: string) => void) => Promise<T>} fn
 * @param {{ done?: (result: T) => unknown, lock?: { disabled: boolean }[] }} [options]
 * @returns {Promise<T | undefined>}
 */
export async function withProgress(slot, firstStep, fn, { done, lock = [] } = {}) {
  const text = h('span', { class: 'step' }, firstStep);
  const clock = h('span', { class: 'elapsed' }, '');
  fill(slot, h('div', { class: 'progress', role: 'status', 'aria-live': 'polite' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text, clock));
  const started = Date.now();
  const tick = setInterval(() => (clock.textContent = ` ${Math.floor((Date.now() - started) / 1000)} s`), 500);
  for (const b of lock) b.disabled = true;
  try {
    const result = await fn((s) => (text.textContent = s));
    const shown = done ? done(result) : null;
    fill(slot, shown === null || shown === undefined ? '' : h('div', { class: 'done', role: 'status' }, shown));
    return result;
  } catch (e) {
    fill(slot, errorBox(e));
    return undefined;
  } finally {
    clearInterval(tick);
    for (const b of lock) b.disabled = false;
  }
}

/** A short, stable-width form of a long hex id. */
export function shortId(id, n = 12) {
  if (typeof id !== 'string') return '';
  return id.length > n ? id.slice(0, n) + '…' : id;
}

export function fmtTime(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function fmtClock(ms) {
  if (typeof ms !== 'number') return '—';
  return new Date(ms).toLocaleTimeString(undefined, { hour12: false });
}

export function fmtDuration(ms) {
  if (typeof ms !== 'number' || ms < 0) return '—';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const hr = Math.floor(m / 60);
  if (hr < 48) return `${hr} h ${m % 60} min`;
  return `${Math.floor(hr / 24)} days`;
}

export function fmtNumber(v, decimals = 1) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  return Number.isInteger(v) ? String(v) : v.toFixed(decimals);
}

/**
 * A little table from rows of cells (cells may be nodes).
 * @param {unknown[]} headers
 * @param {unknown[][]} rows
 * @param {{ empty?: string, cls?: string }} [options]
 */
export function table(headers, rows, { empty = 'nothing yet', cls } = {}) {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h('table', { class: cls ?? 'grid' }, h('thead', null, h('tr', null, headers.map((x) => h('th', null, x)))), h('tbody', null, rows.map((r) => h('tr', null, r.map((c) => h('td', null, c))))));
}

/** A key=value text area's lines as [{key, value}] (blank lines skipped). Throws on a bad line. */
export function parseFields(text) {
  const out = [];
  for (const raw of String(text ?? '').split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw Object.assign(new Error(`"${line}" is not key=value`), { code: 'DASHBOARD_FIELD_INVALID' });
    out.push({ key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim() });
  }
  return out;
}

/** Asks for the member's passphrase in a modal (never shown in clear); resolves to it or null. */
export function askPassphrase(why) {
  const dialog = /** @type {HTMLDialogElement} */ (document.getElementById('passphrase-dialog'));
  const input = /** @type {HTMLInputElement} */ (document.getElementById('passphrase-input'));
  const form = document.getElementById('passphrase-form');
  const cancel = document.getElementById('passphrase-cancel');
  document.getElementById('passphrase-why').textContent = why;
  input.value = '';
  return new Promise((resolve) => {
    const finish = (v) => {
      form.removeEventListener('submit', onSubmit);
      cancel.removeEventListener('click', onCancel);
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
      input.value = '';
      resolve(v);
    };
    const onSubmit = (e) => {
      e.preventDefault();
      finish(input.value);
    };
    const onCancel = (e) => {
      e?.preventDefault?.();
      finish(null);
    };
    form.addEventListener('submit', onSubmit);
    cancel.addEventListener('click', onCancel);
    dialog.addEventListener('cancel', onCancel);
    dialog.showModal();
    input.focus();
  });
}

/** The board address the header's picker holds ('' when none). */
export function currentBoard() {
  return /** @type {HTMLInputElement | null} */ (document.getElementById('board-address'))?.value.trim() ?? '';
}

/** A refusal before any request: the board address is needed. */
export function needBoard() {
  const b = currentBoard();
  if (!b) throw Object.assign(new Error('enter the board address (tkb1…) at the top of the page first'), { code: 'DASHBOARD_NO_BOARD' });
  return b;
}

/** A small padlock (SVG, drawn here: no emoji font needed). */
export function lockIcon() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '12');
  svg.setAttribute('height', '12');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'lock-icon');
  const body = document.createElementNS(ns, 'rect');
  for (const [k, v] of Object.entries({ x: 2.5, y: 7, width: 11, height: 8, rx: 1.5, fill: 'currentColor' })) body.setAttribute(k, String(v));
  const shackle = document.createElementNS(ns, 'path');
  for (const [k, v] of Object.entries({ d: 'M5 7V5a3 3 0 0 1 6 0v2', fill: 'none', stroke: 'currentColor', 'stroke-width': 1.8 })) shackle.setAttribute(k, String(v));
  svg.append(body, shackle);
  return svg;
}

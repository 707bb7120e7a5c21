// Trustees view (docs/protocol.md §2.7–§2.8): for a trustee, the emergency opening requests on
// the board with approve buttons (k of n must approve before one anonymous ID is opened); for an
// authority, a form to request an opening and its progress; for everyone with either role, the
// audit records published on the board. A node without a role sees what the roles are.

import { get, post, withQuery } from './api.js';
import { card, currentBoard, errorBox, fill, fmtTime, h, needBoard, shortId, table, withProgress } from './ui.js';

const POLL_MS = 4_000;
const REQUEST_STATES = {
  pending: 'waiting for your decision',
  approving: 'approving…',
  approved: 'approved by you',
  countersigned: 'approved; audit signed',
  refused: 'refused',
  failed: 'failed',
};

export function trusteesView(root) {
  const role = h('div', { id: 'trustee-role' });
  const pending = h('div', { id: 'trustee-requests' });
  const audits = h('div', { id: 'trustee-audits' });
  const auditSlot = h('div', { class: 'slot' });
  const openings = h('div', { id: 'openings' });
  const openSlot = h('div', { class: 'slot' });
  const roles = { trustee: undefined, authority: undefined };
  const slots = new Map(); // BOUNDED by the requests the node lists: progress survives redraws

  const anon = h('input', { id: 'opening-anon', type: 'text', spellcheck: 'false', placeholder: 'anonymous ID (128 hex digits, a post’s anonymousId)' });
  const reason = h('textarea', { id: 'opening-reason', rows: 2, placeholder: 'why (goes into the signed request and the public audit record)' });
  const openBtn = h('button', { type: 'submit', id: 'opening-submit' }, 'Request opening');
  const openForm = h('form', { id: 'opening-form' }, h('label', null, 'Anonymous ID', anon), h('label', null, 'Reason', reason), openBtn);
  openForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void withProgress(openSlot, 'Signing the request and posting its notice to the board…', () => post('/api/opening/request', { board: needBoard(), anonymousId: anon.value.trim(), reason: reason.value }), {
      lock: [openBtn],
      done: (r) => {
        void loadOpenings();
        return `Request ${shortId(r.requestId)} posted; the trustees decide.`;
      },
    });
  });
  const authorityCard = card('Request an opening', { hint: 'Only an authority the trustees list can ask. The request is signed, says why, and ends up in a public audit record.' }, openForm, openSlot, openings);
  authorityCard.hidden = true;

  const loadRoles = async () => {
    // Which roles this node has: the services its status lists (a role's routes exist only then).
    const { services } = await get('/api/status');
    const none = Promise.resolve(null);
    const [t, a] = await Promise.allSettled([services.includes('trustee') ? get('/api/trustee') : none, services.includes('authority') ? get('/api/opening') : none]);
    roles.trustee = t.status === 'fulfilled' ? t.value : null;
    roles.authority = a.status === 'fulfilled' ? a.value : null;
    const lines = [];
    if (roles.trustee) lines.push(h('p', null, `This node is trustee ${roles.trustee.index} of ${roles.trustee.trustees}; any ${roles.trustee.threshold} of them can open one anonymous ID. Authorities it accepts: ${(roles.trustee.authorities ?? []).map((x) => x.name).join(', ') || 'none'}.`));
    if (roles.authority) lines.push(h('p', null, `This node is the authority “${roles.authority.authority?.name}”: it may ask the trustees for an opening.`));
    if (!roles.trustee && !roles.authority) lines.push(h('p', { class: 'empty' }, 'This node is neither a trustee nor an authority (start it with --trustee CADIR:INDEX or --authority AUTHDIR). Below: nothing to approve.'));
    for (const r of [t, a]) if (r.status === 'rejected' && r.reason?.status !== 404) lines.push(errorBox(r.reason));
    fill(role, lines);
    authorityCard.hidden = !roles.authority;
  };

  const loadRequests = async () => {
    if (!roles.trustee) return fill(pending, h('p', { class: 'empty' }, 'Only a trustee’s node lists opening requests.'));
    try {
      const r = await get(withQuery('/api/trustee/requests', { board: currentBoard() }), { timeoutMs: 120_000 });
      const list = r.requests ?? [];
      fill(pending, list.length === 0 ? h('p', { class: 'empty' }, 'No opening request on the board.') : list.map((q) => requestCard(q)));
    } catch (e) {
      fill(pending, errorBox(e));
    }
  };

  /** @param {import('tokumei-control-routes').GetRoutes['/api/trustee/requests']['requests'][number]} q */
  const requestCard = (q) => {
    let slot = slots.get(q.requestId);
    if (!slot) slots.set(q.requestId, (slot = h('div', { class: 'slot' })));
    const btn = q.status === 'pending' ? h('button', { type: 'button', class: 'approve', dataset: { requestId: q.requestId } }, 'Approve this opening') : null;
    btn?.addEventListener('click', () =>
      void withProgress(slot, 'Computing my share of the opening, with its proof, and sending it to the authority…', () => post('/api/trustee/approve', { requestId: q.requestId, board: q.board }), {
        lock: [btn],
        done: (x) => {
          void loadRequests();
          return `Approved (${REQUEST_STATES[x.status] ?? x.status}).`;
        },
      }),
    );
    return h(
      'div',
      { class: 'post request', dataset: { requestId: q.requestId, status: q.status } },
      h('div', { class: 'row' }, h('span', { class: 'badge state' }, REQUEST_STATES[q.status] ?? q.status), h('span', { class: 'meta' }, `request ${shortId(q.requestId)} · ${fmtTime(q.requestedAt)} · from `, h('b', null, q.authority))),
      h('p', { class: 'text' }, q.reason),
      h('p', { class: 'meta' }, 'anonymous ID ', h('code', null, shortId(q.anonId, 24)), q.result !== undefined ? [' · result: ', q.result === null ? 'no member' : h('code', null, q.result)] : null),
      q.error ? errorBox(q.error) : null,
      btn,
      slot,
    );
  };

  const loadAudits = async () => {
    const board = currentBoard();
    if (!roles.trustee && !roles.authority) return fill(audits, h('p', { class: 'empty' }, 'Audit records are read by a trustee’s or an authority’s node.'));
    if (!board) return fill(audits, h('p', { class: 'empty' }, 'Enter the board address at the top to read its audit records.'));
    await withProgress(auditSlot, 'Reading the audit records on the board…', async () => {
      const r = await get(withQuery('/api/trustee/audits', { board }), { timeoutMs: 120_000 });
      fill(
        audits,
        table(
          ['published', 'authority', 'reason', 'anonymous ID', 'result', 'trustees', 'signatures'],
          (r.audits ?? []).map((a) => [
            fmtTime(a.created),
            a.authority,
            h('span', { class: 'text' }, a.reason),
            h('code', null, shortId(a.anonId, 16)),
            a.result === null ? 'no member' : h('code', null, shortId(a.result, 16)),
            (a.trustees ?? []).join(', '),
            a.verified ? h('span', { class: 'badge match' }, 'verified') : h('span', { class: 'badge nomatch', title: a.error?.message ?? '' }, a.error?.code ?? 'not verified'),
          ]),
          { empty: 'No opening has been published on this board.' },
        ),
      );
    });
  };

  const loadOpenings = async () => {
    if (!roles.authority) return;
    try {
      const r = await get('/api/opening');
      fill(
        openings,
        h('h3', null, 'My requests'),
        table(
          ['request', 'asked', 'state', 'approvals', 'result'],
          (r.openings ?? []).map((o) => [
            h('code', null, shortId(o.requestId)),
            fmtTime(o.requestedAt),
            `${o.status} (${o.stage})`,
            // Once opened, the approving trustees are listed (their partials are gone).
            o.status === 'opened' && Array.isArray(o.trustees) ? `${o.trustees.length} of ${o.threshold} (trustees ${o.trustees.join(', ')})` : `${o.approvals} of ${o.threshold}`,
            o.status === 'opened' ? (o.result === null ? 'no member' : h('code', null, String(o.result))) : o.error ? errorBox(o.error) : '—',
          ]),
          { empty: 'None yet.' },
        ),
      );
    } catch (e) {
      fill(openings, errorBox(e));
    }
  };

  const refreshBtn = h('button', { type: 'button', class: 'secondary', id: 'audits-refresh', onclick: () => void loadAudits() }, 'Refresh audit records');
  fill(
    root,
    card('My role', null, role),
    card('Opening requests', { hint: 'An authority asks which member is behind one anonymous ID. Approve only what you find legitimate: k trustees must approve; the result names only that one member, and an audit record signed by the approving trustees is published.' }, pending),
    authorityCard,
    card('Audit records', { hint: 'Every opening, with the signed request and the approving trustees, published on the board for everyone to check.' }, refreshBtn, auditSlot, audits),
  );

  let timer;
  return {
    async show() {
      await loadRoles();
      await Promise.all([loadRequests(), loadOpenings(), loadAudits()]);
      timer = setInterval(() => void Promise.all([loadRequests(), loadOpenings()]), POLL_MS);
    },
    hide() {
      clearInterval(timer);
    },
  };
}

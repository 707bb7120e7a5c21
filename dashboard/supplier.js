// Supplier tools (docs/protocol.md §8.3–§8.5): any node may be an intermediary (compute and
// publish a study's statistics by cohort) or a clinic (post an offer, read the anonymous answers,
// propose, sign its letter of intent, see the identifying data members gave it).

import { get, post, withQuery } from './api.js';
import { errorBox, fill, fmtTime, h, needBoard, shortId, table, withProgress } from './ui.js';

const IDENTIFYING = ['name', 'address', 'phone', 'email', 'birthDate'];
const OPS = ['eq', 'neq', 'gte', 'lte', 'in', 'between'];

/** The clinic's and the intermediary's tools (any node may be a supplier). */
export function supplierTools({ label, needStudy }) {
  // Intermediary: publish statistics.
  const minCohort = h('input', { id: 'publish-min', type: 'number', min: 1, value: 3 });
  const publishBtn = h('button', { type: 'button', id: 'publish-submit' }, 'Compute and publish statistics');
  const publishSlot = h('div', { class: 'slot' });
  publishBtn.addEventListener('click', () =>
    void withProgress(publishSlot, 'Reading the study’s uploads from the board…', async (step) => {
      const body = { board: needBoard(), study: needStudy(), minCohort: Number(minCohort.value) };
      step('Computing statistics by cohort and publishing them…');
      return post('/api/health/publish-stats', body);
    }, { lock: [publishBtn], done: (r) => {
      const posts = Array.isArray(r.posts) ? r.posts.length : r.posts;
      return `Published ${r.cohorts} cohort${r.cohorts === 1 ? '' : 's'} from ${r.uploads} uploads (${r.skipped} skipped) in ${posts} post${posts === 1 ? '' : 's'}.`;
    } }),
  );

  // Clinic: post an offer.
  const clinic = h('input', { type: 'text', id: 'offer-clinic', placeholder: 'clinic name' });
  const title = h('input', { type: 'text', id: 'offer-title', placeholder: 'title' });
  const description = h('textarea', { id: 'offer-description', rows: 2, placeholder: 'what you offer' });
  const criteria = h('textarea', { id: 'offer-criteria', rows: 3, placeholder: 'criteria, one a line: age between 40 70 · systolic gte 140 · smoker eq false · sex in female,male' });
  const days = h('input', { type: 'number', id: 'offer-days', min: 1, max: 30, value: 7 });
  const offerBtn = h('button', { type: 'submit' }, 'Post offer');
  const offerSlot = h('div', { class: 'slot' });
  const offerForm = h('form', { id: 'offer-form' }, h('label', null, 'Clinic', clinic), h('label', null, 'Title', title), h('label', null, 'Description', description), h('label', null, 'Criteria', criteria), h('div', { class: 'row' }, h('label', { class: 'inline nowrap' }, 'valid for ', days, ' days'), offerBtn), offerSlot);
  offerForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void withProgress(offerSlot, 'Posting the offer to the board…', () => {
      const expires = Date.now() + Number(days.value) * 86_400_000;
      return post('/api/health/offer', { board: needBoard(), offer: { clinic: clinic.value.trim(), title: title.value.trim(), description: description.value.trim(), criteria: parseCriteria(criteria.value), expires }, ttlSeconds: Number(days.value) * 86_400 });
    }, { lock: [offerBtn], done: (r) => `Offer ${shortId(r.offerId)} posted (post ${shortId(r.postId)}).` });
  });

  // Clinic: answers, proposals, letters, released data.
  const answersBtn = h('button', { type: 'button', id: 'answers-fetch' }, 'Fetch answers to my offers');
  const answersSlot = h('div', { class: 'slot' });
  const answersList = h('div', { id: 'answers-list' });
  const releasedList = h('div', { id: 'released-list' });
  const loadReleased = async () => {
    try {
      const r = await get('/api/health/released');
      fill(
        releasedList,
        table(
          ['received', 'offer', 'member', 'items', 'kept for'],
          (r.released ?? []).map((x) => [fmtTime(x.receivedAt), h('code', null, shortId(x.offerId)), h('code', null, shortId(x.memberSerial, 16)), Object.entries(x.items ?? {}).map(([k, v]) => `${label(k)}: ${v}`).join(' · '), `${x.retentionDays} days`]),
          { empty: 'No identifying data was given to you.' },
        ),
      );
    } catch (e) {
      fill(releasedList, errorBox(e));
    }
  };
  answersBtn.addEventListener('click', () =>
    void withProgress(answersSlot, 'Reading the replies to your offers…', () => get(withQuery('/api/health/answers', { board: needBoard() })), {
      lock: [answersBtn],
      done: (r) => {
        fill(answersList, (r.answers ?? []).length === 0 ? h('p', { class: 'empty' }, 'No answers yet.') : r.answers.map((a) => answerCard(a, label, loadReleased)));
        void loadReleased();
        return `${r.answers.length} answer${r.answers.length === 1 ? '' : 's'}.`;
      },
    }),
  );

  const element = h(
    'details',
    { class: 'card supplier', id: 'supplier-tools' },
    h('summary', null, 'Supplier tools (clinic, intermediary)'),
    h('h3', null, 'Intermediary: statistics'),
    h('div', { class: 'row' }, h('label', { class: 'inline nowrap' }, 'smallest cohort ', minCohort), publishBtn),
    publishSlot,
    h('h3', null, 'Clinic: post an offer'),
    offerForm,
    h('h3', null, 'Clinic: answers'),
    answersBtn,
    answersSlot,
    answersList,
    h('h3', null, 'Clinic: identifying data given to me'),
    releasedList,
  );
  element.addEventListener('toggle', () => element.open && void loadReleased());
  return { element };
}

/**
 * @param {import('tokumei-control-routes').GetRoutes['/api/health/answers']['answers'][number]} a
 * @param {(name: string) => string} label
 * @param {() => void} reload
 */
function answerCard(a, label, reload) {
  const slot = h('div', { class: 'slot' });
  const text = h('input', { type: 'text', placeholder: 'proposal to this anonymous member', value: 'We can see you this week.' });
  const loi = h('input', { type: 'checkbox', checked: true });
  const proposeBtn = h('button', { type: 'submit' }, 'Propose');
  const propose = h('form', { class: 'row' }, text, h('label', { class: 'inline' }, loi, ' ready to sign a letter of intent'), proposeBtn);
  propose.addEventListener('submit', (e) => {
    e.preventDefault();
    void withProgress(slot, 'Sending the proposal to the member’s one-time address…', () => post('/api/health/propose', { answerId: a.answerId, proposal: { text: text.value, letterOfIntent: loi.checked } }), {
      lock: [proposeBtn],
      done: (r) => `Proposal ${shortId(r.proposalId)} sent.`,
    });
  });
  const items = IDENTIFYING.map((n) => h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'item', value: n, checked: n === 'name' || n === 'phone' }), label(n)));
  const purpose = h('input', { type: 'text', value: 'to book and hold your appointment' });
  const letterBtn = h('button', { type: 'submit' }, 'Sign our letter of intent');
  const letter = h('form', null, h('fieldset', null, h('legend', null, 'Items we ask for'), items), h('div', { class: 'row' }, purpose, letterBtn));
  letter.addEventListener('submit', (e) => {
    e.preventDefault();
    const chosen = [...letter.querySelectorAll('input[name=item]:checked')].map((x) => x.value);
    void withProgress(slot, 'Signing the clinic’s letter…', () => post('/api/health/clinic-letter', { answerId: a.answerId, purposes: [purpose.value], retentionDays: 365, items: chosen }), {
      lock: [letterBtn],
      done: (r) => {
        void reload();
        return `Letter ${r.letter?.state ?? 'prepared'}.`;
      },
    });
  });
  return h(
    'div',
    { class: 'post', dataset: { answerId: a.answerId } },
    h('div', { class: 'meta' }, `answer ${shortId(a.answerId)} to “${a.title}” · ${fmtTime(a.received)} · letter: ${a.letter?.state ?? 'none'}`),
    h('p', null, 'Disclosed: ', Object.entries(a.disclosed ?? {}).map(([k, v]) => `${label(k)} = ${v}`).join(', ') || 'nothing'),
    a.message ? h('p', { class: 'text' }, `“${a.message}”`) : null,
    (a.proposals ?? []).length ? h('p', { class: 'hint' }, `${a.proposals.length} proposal(s) sent.`) : null,
    // Propose once; sign the letter once a proposal offered it and until it is handed over.
    (a.proposals ?? []).length === 0 ? propose : null,
    (a.proposals ?? []).some((p) => p.letterOfIntent) && ['none', 'requested'].includes(a.letter?.state ?? 'none') ? letter : null,
    slot,
  );
}

/** "age between 40 70", "systolic gte 140", "smoker eq false", "sex in female,male" → criteria. */
function parseCriteria(text) {
  const out = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const [attribute, op, ...rest] = line.split(/\s+/);
    if (!attribute || !OPS.includes(op) || rest.length === 0) throw Object.assign(new Error(`"${line}": write "attribute op value" with op one of ${OPS.join(', ')}`), { code: 'DASHBOARD_BAD_CRITERION' });
    const scalar = (s) => (s === 'true' ? true : s === 'false' ? false : s !== '' && Number.isFinite(Number(s)) ? Number(s) : s);
    const joined = rest.join(' ');
    let value;
    if (op === 'between') value = joined.split(/[\s,–-]+/).filter(Boolean).slice(0, 2).map(Number);
    else if (op === 'in') value = joined.split(',').map((s) => scalar(s.trim()));
    else value = scalar(joined);
    out.push({ attribute, op, value });
  }
  return out;
}

// Health view (docs/protocol.md §8): my data with a disclosed/undisclosed switch per attribute
// (identifying ones locked), measurements, anonymous upload, where I stand in my cohort (charts),
// the offers inbox (matched on this device), proposals and letters of intent. Suppliers (a clinic,
// an intermediary) find their tools at the bottom.

import { get, post, withQuery } from './api.js';
import { renderChart } from './charts.js';
import { exchangesPanel } from './exchanges.js';
import { historySpec, standingSpec } from './health-charts.js';
import { supplierTools } from './supplier.js';
import { card, errorBox, fill, fmtNumber, fmtTime, h, lockIcon, needBoard, shortId, withProgress } from './ui.js';

const STUDY_KEY = 'tokumei.study';
/** Proposals and letters are local to the node: cheap to poll. */
const POLL_MS = 3_000;
const IDENTIFYING = ['name', 'address', 'phone', 'email', 'birthDate'];
const OPS = { eq: '=', neq: '≠', gte: '≥', lte: '≤', in: 'in', between: 'between' };

/** @typedef {import('tokumei-control-routes').GetRoutes} GetRoutes */

export function healthView(root) {
  /** @type {{ profile: GetRoutes['/api/health/profile'] | null, catalogue: GetRoutes['/api/health/profile']['catalogue'], offers: GetRoutes['/api/health/offers']['offers'] }} */
  const state = { profile: null, catalogue: [], offers: [] };
  const byName = () => new Map(state.catalogue.map((c) => [c.name, c]));
  const label = (name) => byName().get(name)?.label ?? name;
  const unit = (name) => byName().get(name)?.unit ?? '';

  // ── My data ────────────────────────────────────────────────────────────────────────────────
  const profileBox = h('div', { id: 'health-profile' });
  const profileSlot = h('div', { class: 'slot', id: 'profile-slot' });
  const attrName = h('select', { id: 'attr-name' });
  const attrValueSlot = h('span', { class: 'attr-value' });
  const attrBtn = h('button', { type: 'submit' }, 'Save');
  const attrForm = h('form', { id: 'attr-form', class: 'row' }, h('label', { class: 'inline' }, 'Set ', attrName), attrValueSlot, attrBtn);
  const kindSel = h('select', { id: 'measure-kind' });
  const measureValue = h('input', { id: 'measure-value', type: 'number', step: 'any', required: true, placeholder: 'value' });
  const measureUnit = h('span', { class: 'unit' });
  const measureBtn = h('button', { type: 'submit', id: 'measure-submit' }, 'Record');
  const measureForm = h('form', { id: 'measure-form', class: 'row' }, h('label', { class: 'inline' }, 'Record ', kindSel), measureValue, measureUnit, measureBtn);
  const historyChart = h('div', { class: 'chart', id: 'history-chart' });

  // ── Upload, statistics ─────────────────────────────────────────────────────────────────────
  const study = h('input', { id: 'study', type: 'text', spellcheck: 'false', placeholder: 'study tag, e.g. bp-2026', value: localStorage.getItem(STUDY_KEY) ?? '' });
  study.addEventListener('change', () => localStorage.setItem(STUDY_KEY, study.value.trim()));
  const pseudo = h('input', { id: 'upload-pseudonymous', type: 'checkbox' });
  const uploadBtn = h('button', { type: 'button', id: 'upload-submit' }, 'Upload my disclosed data anonymously');
  const uploadWhat = h('div', { id: 'upload-what', class: 'hint' });
  const uploadSlot = h('div', { class: 'slot', id: 'upload-slot' });
  const statsBtn = h('button', { type: 'button', id: 'stats-fetch' }, 'Fetch my cohort’s statistics');
  const statsSlot = h('div', { class: 'slot', id: 'stats-slot' });
  const statsInfo = h('div', { id: 'stats-info' });
  const charts = h('div', { class: 'charts', id: 'cohort-charts' });

  // ── Offers, proposals, letters ─────────────────────────────────────────────────────────────
  const offersBtn = h('button', { type: 'button', id: 'offers-check' }, 'Check the board for offers');
  const offersSlot = h('div', { class: 'slot', id: 'offers-slot' });
  const offersList = h('div', { id: 'offers-list' });
  const { proposalsList, lettersList, load: loadExchanges } = exchangesPanel({ label });

  const needStudy = () => {
    const s = study.value.trim();
    if (!s) throw Object.assign(new Error('enter the study tag first (the intermediary publishes statistics per study)'), { code: 'DASHBOARD_NO_STUDY' });
    localStorage.setItem(STUDY_KEY, s);
    return s;
  };

  // ── drawing ────────────────────────────────────────────────────────────────────────────────
  const drawProfile = () => {
    const p = state.profile;
    if (!p) return;
    const counts = new Map();
    for (const m of p.measurements ?? []) counts.set(m.kind, (counts.get(m.kind) ?? 0) + 1);
    const rows = state.catalogue.map((c) => {
      const a = p.attributes?.[c.name] ?? { value: null, disclosed: false, locked: c.locked };
      const shown = a.value === null || a.value === undefined ? h('span', { class: 'empty' }, 'not set') : `${String(a.value)}${c.unit ? ' ' + c.unit : ''}`;
      const extra = c.class === 'measurement' && counts.get(c.name) ? h('span', { class: 'hint' }, ` latest of ${counts.get(c.name)}`) : c.class === 'derived' ? h('span', { class: 'hint' }, ' from your date of birth') : null;
      const tr = h('tr', { class: a.locked ? 'locked' : '', dataset: { attribute: c.name } }, h('td', null, c.label), h('td', null, shown, extra), h('td', null, a.locked ? lockedCell() : switchCell(c.name, a.disclosed)));
      return tr;
    });
    fill(
      profileBox,
      h('table', { class: 'grid' }, h('thead', null, h('tr', null, h('th', null, 'Attribute'), h('th', null, 'My value'), h('th', null, 'Shared in uploads and statistics'))), h('tbody', null, rows)),
    );
    drawUploadWhat();
  };

  const lockedCell = () => h('span', { class: 'badge lock', title: 'identifying: never disclosed; only a letter of intent you sign gives it to one clinic' }, lockIcon(), 'locked · never shared');

  const switchCell = (name, on) => {
    const input = h('input', { type: 'checkbox', role: 'switch', checked: on, dataset: { disclose: name }, 'aria-label': `share ${label(name)}` });
    const text = h('span', { class: 'state-text' }, on ? 'disclosed' : 'undisclosed');
    input.addEventListener('change', () => {
      const want = input.checked;
      text.textContent = want ? 'disclosed' : 'undisclosed';
      void withProgress(profileSlot, `${want ? 'Disclosing' : 'Withholding'} ${label(name)}…`, () => post('/api/health/disclose', { name, on: want }), {
        lock: [input],
        done: (view) => {
          setProfile(view);
          return `${label(name)} is now ${want ? 'disclosed: it goes into your anonymous uploads' : 'undisclosed: it stays on this device'}.`;
        },
      }).then((r) => {
        if (r === undefined) {
          input.checked = !want;
          text.textContent = !want ? 'disclosed' : 'undisclosed';
        }
      });
    });
    return h('label', { class: 'switch' }, input, text);
  };

  const drawUploadWhat = () => {
    const p = state.profile;
    if (!p) return;
    const shared = state.catalogue.filter((c) => !c.locked && p.attributes?.[c.name]?.disclosed && p.attributes?.[c.name]?.value !== null);
    const counts = new Map();
    for (const m of p.measurements ?? []) counts.set(m.kind, (counts.get(m.kind) ?? 0) + 1);
    fill(
      uploadWhat,
      shared.length === 0
        ? 'Nothing is disclosed: an upload would carry nothing. Switch on what you are willing to share above.'
        : ['An upload carries only: ', shared.map((c) => (c.class === 'measurement' ? `${c.label} (${counts.get(c.name) ?? 0} readings)` : `${c.label} (${p.attributes[c.name].value})`)).join(', '), '. Never your name, address, phone, e-mail or date of birth.'],
    );
  };

  /** @param {GetRoutes['/api/health/profile']} view */
  const setProfile = (view) => {
    state.profile = view;
    if (Array.isArray(view.catalogue) && view.catalogue.length) state.catalogue = view.catalogue;
    drawProfile();
    drawForms();
    void drawHistory();
  };

  const drawForms = () => {
    const settable = state.catalogue.filter((c) => c.class === 'identifying' || c.class === 'plain');
    if (attrName.options.length === 0) {
      fill(attrName, settable.map((c) => h('option', { value: c.name }, c.label)));
      attrName.addEventListener('change', drawAttrInput);
      drawAttrInput();
    }
    const kinds = state.catalogue.filter((c) => c.class === 'measurement');
    if (kindSel.options.length === 0) {
      fill(kindSel, kinds.map((c) => h('option', { value: c.name }, c.label)));
      kindSel.addEventListener('change', drawMeasureUnit);
      drawMeasureUnit();
    }
  };
  const drawAttrInput = () => {
    const c = byName().get(attrName.value);
    if (!c) return;
    const cur = state.profile?.attributes?.[c.name]?.value;
    let input;
    if (c.type === 'enum') input = h('select', { id: 'attr-value' }, (c.values ?? []).map((v) => h('option', { value: v, selected: v === cur }, v)));
    else if (c.type === 'boolean') input = h('select', { id: 'attr-value' }, h('option', { value: 'true', selected: cur === true }, 'yes'), h('option', { value: 'false', selected: cur === false }, 'no'));
    else input = h('input', { id: 'attr-value', type: c.type === 'date' ? 'date' : 'text', value: cur ?? '', maxlength: c.maxLength });
    fill(attrValueSlot, input);
  };
  const drawMeasureUnit = () => {
    const c = byName().get(kindSel.value);
    measureUnit.textContent = c?.unit ?? '';
    measureValue.step = c?.decimals ? String(10 ** -c.decimals) : '1';
    measureValue.min = c?.min ?? '';
    measureValue.max = c?.max ?? '';
  };
  attrForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const c = byName().get(attrName.value);
    const raw = /** @type {HTMLInputElement | null} */ (document.getElementById('attr-value'))?.value ?? '';
    const value = c?.type === 'boolean' ? raw === 'true' : raw.trim() === '' ? null : raw.trim();
    void withProgress(profileSlot, `Saving ${c?.label ?? attrName.value}…`, () => post('/api/health/attribute', { name: attrName.value, value }), {
      lock: [attrBtn],
      done: (view) => {
        setProfile(view);
        return `${c?.label ?? attrName.value} saved on this device.`;
      },
    });
  });
  measureForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const kind = kindSel.value;
    const value = Number(measureValue.value);
    void withProgress(profileSlot, `Recording ${label(kind)}…`, () => post('/api/health/measurement', { kind, value }), {
      lock: [measureBtn],
      done: (view) => {
        setProfile(view);
        measureValue.value = '';
        return `${label(kind)} ${fmtNumber(value)} ${unit(kind)} recorded on this device.`;
      },
    });
  });

  const drawHistory = async () => {
    const all = state.profile?.measurements ?? [];
    const perKind = new Map();
    for (const m of all) perKind.set(m.kind, (perKind.get(m.kind) ?? 0) + 1);
    // A series needs two readings to be a line; single readings are in the table.
    const ms = all.filter((m) => perKind.get(m.kind) > 1);
    if (ms.length === 0) return fill(historyChart, h('p', { class: 'empty' }, 'No series yet: record a kind twice to see it over time.'));
    const values = ms.map((m) => ({ kind: `${label(m.kind)}${unit(m.kind) ? ` (${unit(m.kind)})` : ''}`, at: m.at, value: m.value }));
    await renderChart(historyChart, historySpec(values)).catch((e) => fill(historyChart, errorBox(e)));
  };

  // ── actions ────────────────────────────────────────────────────────────────────────────────
  uploadBtn.addEventListener('click', () =>
    void withProgress(
      uploadSlot,
      'Collecting what you disclose…',
      async (step) => {
        const body = { board: needBoard(), study: needStudy(), pseudonymous: pseudo.checked };
        step('Posting it to the board under a one-time anonymous ID, over an onion route…');
        return post('/api/health/upload', body);
      },
      {
        lock: [uploadBtn],
        done: (r) => `Uploaded ${r.included} reading${r.included === 1 ? '' : 's'}${r.omitted ? ` (${r.omitted} older left out to fit)` : ''} to study ${r.study}${r.pseudonymous ? ' under your study pseudonym' : ''}: post ${shortId(r.postId)}, kept until ${fmtTime(r.expires)}.`,
      },
    ),
  );

  statsBtn.addEventListener('click', () => void fetchStats());
  const fetchStats = () =>
    withProgress(
      statsSlot,
      'Fetching the intermediary’s statistics anonymously…',
      async (step) => {
        const r = await get(withQuery('/api/health/stats', { board: needBoard(), study: needStudy() }));
        step('Comparing your values with your cohort, on this device…');
        await drawStats(r);
        return r;
      },
      {
        lock: [statsBtn],
        done: (r) => (r.stats ? `Statistics of ${fmtTime(r.stats.issued)} (cohorts of at least ${r.stats.minCohort}).` : 'No statistics are published for this study yet.'),
      },
    );

  const drawStats = async (r) => {
    const s = r.stats;
    if (!s) {
      fill(statsInfo, h('p', { class: 'empty' }, 'The intermediary has not published statistics for this study yet. Upload, and check again later.'));
      return fill(charts);
    }
    const standing = r.standing ?? [];
    const cohort = standing.find((x) => x.cohort)?.cohort;
    const mine = cohort ? s.cohorts.find((c) => c.ageBand === cohort.ageBand && c.sex === cohort.sex) : undefined;
    fill(
      statsInfo,
      h(
        'p',
        null,
        cohort ? ['Your cohort: ', h('b', null, `${cohort.ageBand}, ${cohort.sex}`), mine ? ` — ${mine.members} member${mine.members === 1 ? '' : 's'}` : ' — not published (too few members)'] : 'Your profile has no date of birth or sex, so no cohort.',
        ` · ${s.cohorts.length} cohort${s.cohorts.length === 1 ? '' : 's'} published in study ${s.study}.`,
      ),
    );
    const ok = standing.filter((x) => x.status === 'ok' && x.stats);
    const notes = standing.filter((x) => x.status !== 'ok').map((x) => `${label(x.kind)}: ${x.status.replace(/-/g, ' ')}`);
    fill(charts);
    for (const st of ok) {
      const box = h('div', { class: 'chart' });
      const pct = st.percentile === null || st.percentile === undefined ? '' : `about the ${ordinal(Math.round(st.percentile))} percentile`;
      charts.append(
        h(
          'div',
          { class: 'chart-box', dataset: { kind: st.kind } },
          h('h4', null, label(st.kind)),
          h('p', null, `You: ${st.value} ${unit(st.kind)} ${pct ? `· ${pct}` : ''}${st.z !== null && st.z !== undefined ? ` · z ${st.z >= 0 ? '+' : ''}${st.z.toFixed(2)}` : ''}${st.disclosed ? '' : ' · (you do not disclose it: computed here only)'}`),
          box,
        ),
      );
      await renderChart(box, standingSpec(st, unit(st.kind)));
    }
    if (notes.length) charts.append(h('p', { class: 'hint' }, notes.join(' · ')));
  };

  offersBtn.addEventListener('click', () => void checkOffers());
  const checkOffers = () =>
    withProgress(
      offersSlot,
      'Searching the board for offers, anonymously…',
      async (step) => {
        const r = await get(withQuery('/api/health/offers', { board: needBoard() }));
        step('Matching them against your full profile, on this device…');
        state.offers = r.offers ?? [];
        drawOffers();
        return r;
      },
      { lock: [offersBtn], done: (r) => `${r.offers.length} offer${r.offers.length === 1 ? '' : 's'} on the board; ${r.offers.filter((o) => o.match?.matches).length} match${r.offers.filter((o) => o.match?.matches).length === 1 ? 'es' : ''} you.${r.skipped ? ` (${r.skipped} unreadable posts skipped)` : ''}` },
    );

  const drawOffers = () => {
    const sorted = [...state.offers].sort((a, b) => Number(b.match?.matches) - Number(a.match?.matches));
    fill(offersList, sorted.length === 0 ? h('p', { class: 'empty' }, 'No offers on the board.') : sorted.map(offerCard));
  };

  /** @param {GetRoutes['/api/health/offers']['offers'][number]} o */
  const offerCard = (o) => {
    const offer = /** @type {Partial<typeof o.offer>} */ (o.offer ?? {});
    const m = o.match ?? { matches: false, expired: false, reasons: [] };
    const slot = h('div', { class: 'slot' });
    const disclosable = state.catalogue.filter((c) => !c.locked && !IDENTIFYING.includes(c.name));
    const mentioned = new Set((offer.criteria ?? []).map((c) => (c.attribute === 'age' ? 'ageBand' : c.attribute)));
    const checks = disclosable.map((c) =>
      h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'disclose', value: c.name, checked: mentioned.has(c.name) && state.profile?.attributes?.[c.name]?.value !== null }), c.label),
    );
    const message = h('textarea', { rows: 2, class: 'answer-message', placeholder: 'a message to the clinic (optional)' });
    const btn = h('button', { type: 'submit', class: 'answer-submit' }, 'Answer anonymously');
    const answered = o.answerId ? h('p', { class: 'done answered' }, `You answered (answer ${shortId(o.answerId)}). Proposals come to a one-time address only you recognise.`) : null;
    const form = h(
      'form',
      { class: 'answer-form' },
      h('fieldset', null, h('legend', null, 'Disclose to this clinic only what you tick (identifying data never goes with an answer)'), checks),
      message,
      h('div', { class: 'row' }, btn),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const disclose = [...form.querySelectorAll('input[name=disclose]:checked')].map((x) => x.value);
      void withProgress(slot, 'Sealing your answer to the clinic and replying over an onion route…', () => post('/api/health/answer', { board: needBoard(), postId: o.postId, disclose, message: message.value }), {
        lock: [btn],
        done: (r) => {
          o.answerId = r.answerId;
          form.hidden = true;
          form.closest('.offer')?.setAttribute('data-answer-id', r.answerId);
          const told = Object.entries(r.disclosed ?? {}).map(([k, v]) => `${label(k)} = ${v}`);
          return `Answered anonymously. The clinic learns only: ${told.length ? told.join(', ') : 'that someone matching answered'}.`;
        },
      });
    });
    if (o.answerId) form.hidden = true;
    return h(
      'div',
      { class: 'post offer', dataset: { postId: o.postId, offerId: offer.offerId, answerId: o.answerId ?? undefined, matches: String(Boolean(m.matches)) } },
      h('div', { class: 'row' }, h('h3', { class: 'offer-title' }, offer.title ?? 'offer'), m.matches ? h('span', { class: 'badge match' }, '✓ matches you') : h('span', { class: 'badge nomatch' }, m.expired ? 'expired' : 'does not match you')),
      h('div', { class: 'meta' }, 'from ', h('b', null, offer.clinic ?? '?'), ` · until ${fmtTime(offer.expires)}`, (offer.hints ?? []).map((x) => h('span', { class: 'tag' }, `${x.key}=${x.value}`))),
      h('p', { class: 'text' }, offer.description ?? ''),
      h(
        'ul',
        { class: 'reasons', title: 'checked on this device against your full profile; nothing of it was sent' },
        (m.reasons ?? []).map((r) => h('li', { class: r.matched ? 'met' : 'unmet' }, `${r.matched ? '✓' : '✗'} ${criterionText(r.criterion)} — ${r.reason}`)),
      ),
      answered,
      form,
      slot,
    );
  };

  // ── supplier tools ─────────────────────────────────────────────────────────────────────────
  const supplier = supplierTools({ label, needStudy });

  fill(
    root,
    h(
      'div',
      { class: 'cols' },
      card('My data', { hint: 'Kept encrypted on this device. Switch on what you are willing to share in anonymous uploads; identifying attributes are locked.' }, profileBox, profileSlot, h('h3', null, 'Change'), attrForm, measureForm),
      h(
        'div',
        null,
        card('Upload', { hint: 'Your disclosed data goes to the board under a one-time anonymous ID; intermediaries compute statistics by cohort from everyone’s uploads.' }, h('label', null, 'Study', study), h('label', { class: 'inline' }, pseudo, ' use my stable pseudonym for this study (lets the intermediary merge my uploads)'), uploadWhat, h('div', { class: 'row' }, uploadBtn), uploadSlot),
        card('My readings', null, historyChart),
      ),
    ),
    card('Where I stand in my cohort', { hint: 'Box: the middle half of your cohort (quartiles), line: minimum to maximum, tick: median, circle: mean; the red diamond is you. Computed on this device.' }, h('div', { class: 'row' }, statsBtn), statsSlot, statsInfo, charts),
    card('Offers', { hint: 'Clinics post offers with criteria. Each is matched on this device against your full profile; nobody learns whether it matched unless you answer, and your answer does not say who you are.' }, h('div', { class: 'row' }, offersBtn), offersSlot, offersList),
    h('div', { class: 'cols' }, card('Proposals', { hint: 'What clinics you answered propose to you, at your one-time address.' }, proposalsList), card('Letters of intent', { hint: 'Identifying data moves only under two signed letters: the clinic’s (to protect it) and yours (to give it).' }, lettersList)),
    supplier.element,
  );

  let timer;
  return {
    async show() {
      try {
        setProfile(await get('/api/health/profile'));
      } catch (e) {
        fill(profileBox, errorBox(e));
      }
      await loadExchanges();
      timer = setInterval(() => void loadExchanges(), POLL_MS);
    },
    hide() {
      clearInterval(timer);
    },
  };
}

function ordinal(n) {
  const s = ['th', 'st', 'nd', 'rd'];
  const v = n % 100;
  return n + (s[(v - 20) % 10] || s[v] || s[0]);
}

function criterionText(c) {
  if (!c) return '';
  const v = Array.isArray(c.value) ? (c.op === 'between' ? `${c.value[0]}–${c.value[1]}` : c.value.join(', ')) : String(c.value);
  return `${c.attribute} ${OPS[c.op] ?? c.op} ${v}`;
}

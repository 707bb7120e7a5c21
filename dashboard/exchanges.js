// Proposals and letters of intent (docs/protocol.md §8.4–§8.5), as the member sees them: what
// clinics it answered propose, at its one-time address; asking a clinic for its signed letter;
// reading that letter; signing the member's own letter with the passphrase, which gives the
// items asked for (and only those) to that one clinic. Both lists are polled (they are local).

import { get, post } from './api.js';
import { askPassphrase, errorBox, fill, fmtTime, h, shortId, withProgress } from './ui.js';

const STATES = { requested: 'waiting for the clinic’s letter', received: 'letter received: read and sign', released: 'signed: data given', failed: 'failed' };

/** The two lists and their loader; `label(name)` names an attribute for people. */
export function exchangesPanel({ label }) {
  const proposalsList = h('div', { id: 'proposals-list' });
  const lettersList = h('div', { id: 'letters-list' });
  /** @type {{ sig: string, proposals: import('tokumei-control-routes').GetRoutes['/api/health/proposals']['proposals'], letters: import('tokumei-control-routes').GetRoutes['/api/health/letters']['letters'] }} */
  const seen = { sig: '', proposals: [], letters: [] };
  // Progress and errors of an action survive the lists being redrawn.
  const slots = new Map(); // BOUNDED by the proposals and letters the node keeps
  const slotFor = (id) => {
    let slot = slots.get(id);
    if (!slot) slots.set(id, (slot = h('div', { class: 'slot' })));
    return slot;
  };

  const load = async () => {
    try {
      const [p, l] = await Promise.all([get('/api/health/proposals'), get('/api/health/letters')]);
      const ps = p.proposals ?? [];
      const ls = l.letters ?? [];
      const sig = JSON.stringify([ps, ls]);
      if (sig === seen.sig) return;
      seen.sig = sig;
      seen.proposals = ps;
      seen.letters = ls;
      drawProposals();
      drawLetters();
    } catch (e) {
      fill(proposalsList, errorBox(e));
    }
  };

  const drawProposals = () => {
    fill(
      proposalsList,
      seen.proposals.length === 0
        ? h('p', { class: 'empty' }, 'No proposals yet. A clinic you answered sends them to your one-time address.')
        : seen.proposals.map((p) => {
            const slot = slotFor(`p${p.proposalId}`);
            // "Asked…" is old news once the letter is in (it is shown under Letters of intent).
            if (p.exchangeId && seen.letters.some((x) => x.exchangeId === p.exchangeId && x.state !== 'requested')) fill(slot);
            const btn = p.letterOfIntent && !p.exchangeId ? h('button', { type: 'button', class: 'letter-request', dataset: { proposalId: p.proposalId } }, 'Ask for the clinic’s letter of intent') : null;
            btn?.addEventListener('click', () =>
              void withProgress(slot, 'Asking the clinic for its signed letter, anonymously…', () => post('/api/health/letter/request', { proposalId: p.proposalId }), {
                lock: [btn],
                done: (x) => {
                  void load();
                  return `Asked (exchange ${shortId(x.exchangeId)}): ${x.state === 'received' ? 'the letter is here, read it below.' : 'waiting for the clinic’s letter.'}`;
                },
              }),
            );
            return h(
              'div',
              { class: 'post proposal', dataset: { proposalId: p.proposalId } },
              h('div', { class: 'meta' }, 'from ', h('b', null, p.clinic), ` · about “${p.title}” · received ${fmtTime(p.receivedAt)} · valid until ${fmtTime(p.expires)}`),
              h('p', { class: 'text' }, p.text),
              (p.appointments ?? []).length ? h('ul', null, p.appointments.map((a) => h('li', null, `${fmtTime(a.at)}, ${a.minutes} min${a.place ? `, ${a.place}` : ''}`))) : null,
              p.letterOfIntent ? h('p', { class: 'hint' }, p.exchangeId ? 'Letter of intent requested: see Letters of intent.' : 'The clinic is ready to sign a letter of intent: only then would you give it identifying data.') : null,
              btn,
              slot,
            );
          }),
    );
  };

  const drawLetters = () => {
    fill(
      lettersList,
      seen.letters.length === 0
        ? h('p', { class: 'empty' }, 'No letter of intent.')
        : seen.letters.map((x) => {
            const slot = slotFor(`x${x.exchangeId}`);
            const L = x.clinicLetter;
            const sign = x.state === 'received' ? h('button', { type: 'button', class: 'letter-sign', dataset: { exchangeId: x.exchangeId } }, 'Sign my letter and give these items') : null;
            sign?.addEventListener('click', async () => {
              const pass = await askPassphrase(`Signing gives ${L.clinic} your ${L.items.map(label).join(', ')}, under both letters. Your passphrase confirms it is you.`);
              if (pass === null) return;
              void withProgress(slot, 'Checking your passphrase and signing your letter…', async (step) => {
                const p = post('/api/health/letter/sign', { exchangeId: x.exchangeId, passphrase: pass });
                step('Sending your letter and the items, sealed to the clinic only…');
                return p;
              }, {
                lock: [sign],
                done: (r) => {
                  void load();
                  return r.state === 'released' ? `Signed and sent: ${(r.released?.items ?? []).map(label).join(', ')}.` : `Signed (${r.state}).`;
                },
              });
            });
            return h(
              'div',
              { class: 'post exchange', dataset: { exchangeId: x.exchangeId, state: x.state } },
              h('div', { class: 'row' }, h('span', { class: 'badge state' }, STATES[x.state] ?? x.state), h('span', { class: 'meta' }, `exchange ${shortId(x.exchangeId)} · updated ${fmtTime(x.updatedAt)}`)),
              L
                ? h(
                    'div',
                    { class: 'letter' },
                    h('h4', null, `Letter of intent from ${L.clinic}: “to protect your data”`),
                    h(
                      'dl',
                      null,
                      h('dt', null, 'signed by'),
                      h('dd', null, `${L.clinic}, passport serial `, h('code', null, shortId(L.clinicSerial, 16)), ' (verified against the community CA)'),
                      h('dt', null, 'purposes'),
                      h('dd', null, h('ul', null, L.purposes.map((p) => h('li', null, p)))),
                      h('dt', null, 'keeps it for'),
                      h('dd', null, `${L.retentionDays} days`),
                      h('dt', null, 'asks for'),
                      h('dd', null, L.items.map(label).join(', ')),
                      h('dt', null, 'dated'),
                      h('dd', null, fmtTime(L.date)),
                      h('dt', null, 'letter hash'),
                      h('dd', null, h('code', null, shortId(L.hash, 24))),
                    ),
                  )
                : h('p', { class: 'hint' }, 'Waiting for the clinic’s signed letter…'),
              x.released ? h('p', { class: 'done' }, `You gave ${x.released.items.map(label).join(', ')} on ${fmtTime(x.released.at)}${x.released.missing?.length ? ` (not set, so not given: ${x.released.missing.map(label).join(', ')})` : ''}.`) : null,
              x.error ? errorBox(x.error) : null,
              sign,
              slot,
            );
          }),
    );
  };

  return { proposalsList, lettersList, load };
}

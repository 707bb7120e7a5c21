/**
 * Issue 6 item 7, acceptance: a member's dashboard in Chromium (playwright-core), on the demo
 * community with its scenario running (src/demo/: real `tokumei node` processes over TLS on
 * loopback; the intermediary publishes statistics, the clinic posts an offer and answers answers
 * with proposals and letters by itself). As the player member: mark an attribute disclosed,
 * upload, see the cohort chart, receive the clinic's offer, answer it anonymously, and exchange
 * letters of intent (request the clinic's letter, read it, sign with the passphrase). Each step
 * leaves a screenshot in test-output/screenshots/dashboard/.
 *
 * Steps run in order on one page; each is its own test so that a slow network step has its own
 * time budget.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DEMO_MIN_COHORT, DEMO_PASSPHRASE, DEMO_PLAYER, DEMO_STUDY } from '../../src/demo/demo-layout.js';
import { launchChromium, screenshot, SCREENSHOT_DIR, watchPage, type PageProblems } from './helpers/browser.js';
import { eventually, startHealthDemo, type HealthDemo } from './helpers/health-demo.js';

const SHOTS = join(SCREENSHOT_DIR, 'dashboard');
/** A board request goes over a fresh onion route, with retries: allow for a slow one. */
const NETWORK_MS = 150_000;
const MEMBER = DEMO_PLAYER;

interface Attr {
  value: string | number | boolean | null;
  disclosed: boolean;
  locked: boolean;
}
interface ProfileView {
  attributes: Record<string, Attr>;
  measurements: { kind: string }[];
  catalogue: { name: string; label: string; class: string }[];
}

describe('dashboard in a browser: a member from disclosure to letters of intent', { timeout: 900_000 }, () => {
  let h: HealthDemo;
  let browser: Browser;
  let page: Page;
  let problems: PageProblems;
  let profile: ProfileView;
  let offerPostId = '';
  /** The member's id for its answer, and the clinic's (a board reply id: the two sides share none). */
  let answerId = '';
  let clinicAnswerId = '';
  const message = `Mornings suit me best (${Math.random().toString(36).slice(2, 8)}).`;
  const shots: string[] = [];
  const shot = async (name: string) => shots.push(await screenshot(page, SHOTS, name));
  const labelOf = (name: string) => profile.catalogue.find((c) => c.name === name)?.label ?? name;

  before(async () => {
    h = await startHealthDemo('dashboard');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    problems = watchPage(page);
  });
  after(async () => {
    await browser?.close();
    await h?.stop();
  });

  test('the dashboard opens with the token from the URL fragment, which it then removes', { timeout: 120_000 }, async () => {
    const url = await h.demo.dashboardUrl(MEMBER);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}(&|$)/);
    // The fragment may also name the board and the study (the page remembers them).
    await page.goto(`${url}${url.includes('board=') ? '' : `&board=${h.board}`}${url.includes('study=') ? '' : `&study=${DEMO_STUDY}`}`);
    await page.locator('#conn-state.ok').waitFor({ timeout: 30_000 });
    assert.equal(new URL(page.url()).hash, '', 'the token does not stay in the address bar');
    const status = await h.call<{ id: string }>(MEMBER, 'GET', '/api/status');
    assert.equal(await page.locator('#fact-id').getAttribute('title'), status.id);
    // The network view is a picture: the node and its neighbours drawn as SVG.
    await page.locator('#net-graph svg').waitFor({ timeout: 30_000 });
    await eventually('a neighbour in the table', async () => ((await page.locator('#net-neighbours table tbody tr').count()) > 0 ? true : undefined), 60_000);
    await shot('00-network');
  });

  test('mark an attribute disclosed', { timeout: 300_000 }, async () => {
    await h.step('health records');
    profile = await h.call<ProfileView>(MEMBER, 'GET', '/api/health/profile');
    // The first measurement kind the member has readings of but does not disclose yet.
    const kinds = new Set(profile.measurements.map((m) => m.kind));
    const name = profile.catalogue.find((c) => c.class === 'measurement' && kinds.has(c.name) && !profile.attributes[c.name]!.disclosed)?.name;
    assert.ok(name, 'the player has an undisclosed measurement to disclose');
    await page.click('#tab-health');
    const toggle = page.locator(`input[data-disclose="${name}"]`);
    await toggle.waitFor();
    assert.equal(await toggle.isChecked(), false, `${name} starts undisclosed`);
    // Identifying attributes are shown locked, without a switch.
    for (const locked of ['name', 'phone', 'birthDate']) {
      const row = page.locator(`tr[data-attribute="${locked}"]`);
      assert.equal(await row.locator('.badge.lock').count(), 1, `${locked} is locked`);
      assert.equal(await row.locator('input[type=checkbox]').count(), 0, `${locked} has no switch`);
    }
    await page.click(`label.switch:has(input[data-disclose="${name}"])`);
    await page.locator('#profile-slot .done').waitFor({ timeout: 30_000 });
    assert.equal(await toggle.isChecked(), true);
    assert.ok((await page.locator('#profile-slot').innerText()).includes(`${labelOf(name)} is now disclosed`));
    profile = await h.call<ProfileView>(MEMBER, 'GET', '/api/health/profile');
    assert.equal(profile.attributes[name]!.disclosed, true, 'the node has it disclosed');
    assert.ok((await page.locator('#upload-what').innerText()).includes(labelOf(name)));
    await shot('01-disclosed');
  });

  test('upload, with progress', { timeout: NETWORK_MS + 30_000 }, async () => {
    assert.equal(await page.inputValue('#study'), DEMO_STUDY);
    await page.click('#upload-submit');
    await page.locator('#upload-slot .progress .spinner').waitFor({ timeout: 5_000 });
    assert.match(await page.locator('#upload-slot .step').innerText(), /\S/, 'the progress says what it is doing');
    await shot('02-uploading');
    await page.locator('#upload-slot .done, #upload-slot .error-box').first().waitFor({ timeout: NETWORK_MS });
    const text = await page.locator('#upload-slot').innerText();
    assert.match(text, new RegExp(`Uploaded \\d+ readings? .*study ${DEMO_STUDY}`), text);
    await shot('02-uploaded');
  });

  test('see the cohort chart', { timeout: 600_000 }, async () => {
    await h.step('statistics', 300_000);
    // Replicas catch up by pulling, so a publication may miss recent uploads (and the intermediary
    // also publishes every 30 s by itself): publish until every upload, this one included, is
    // counted, then look until the member's cohort shows.
    const expected = h.scenario.facts.uploads.length + 1;
    const cohort = `${profile.attributes.ageBand!.value}, ${profile.attributes.sex!.value}`;
    const info = await eventually(`statistics with ${expected} uploads and the cohort ${cohort}`, async () => {
      const published = await h.call<{ uploads: number; cohorts: number }>('intermediary', 'POST', '/api/health/publish-stats', { board: h.board, study: DEMO_STUDY, minCohort: DEMO_MIN_COHORT });
      if (published.uploads < expected) return undefined;
      await page.click('#stats-fetch');
      await page.locator('#stats-slot .done, #stats-slot .error-box').first().waitFor({ timeout: NETWORK_MS });
      const text = await page.locator('#stats-info').innerText();
      return /— \d+ members/.test(text) ? text : undefined;
    }, 240_000);
    assert.match(await page.locator('#stats-slot').innerText(), /Statistics of/);
    assert.ok(info.includes(cohort), `${cohort} in: ${info}`);
    const members = Number(/— (\d+) members/.exec(info)?.[1]);
    assert.ok(members >= DEMO_MIN_COHORT, `a published cohort: ${info}`);
    // One chart per published kind, each drawn as SVG, with the member's own marker.
    const boxes = page.locator('#cohort-charts .chart-box');
    await boxes.first().locator('svg').waitFor({ timeout: 10_000 });
    const n = await boxes.count();
    assert.ok(n >= 1);
    for (let i = 0; i < n; i++) {
      const box = boxes.nth(i);
      assert.match(await box.innerText(), /You: [\d.]+ \S+ · about the \d+(st|nd|rd|th) percentile/);
      assert.ok((await box.locator('svg path').count()) >= 4, 'the chart has its marks');
      assert.equal(await box.locator('svg text', { hasText: /^you$/ }).count(), 1, 'the member is marked');
    }
    await page.locator('#cohort-charts').scrollIntoViewIfNeeded();
    await shot('03-cohort-chart');
  });

  test('receive the clinic’s offer', { timeout: 2 * NETWORK_MS }, async () => {
    await h.step('clinic offer', 120_000);
    offerPostId = h.scenario.facts.offerPostId ?? '';
    assert.match(offerPostId, /^[0-9a-f]{32}$/);
    // Replicas catch up with each other by pulling: look again until the offer is there.
    const card = page.locator(`.offer[data-post-id="${offerPostId}"]`);
    await eventually('the offer on the member’s dashboard', async () => {
      await page.click('#offers-check');
      await page.locator('#offers-slot .done, #offers-slot .error-box').first().waitFor({ timeout: NETWORK_MS });
      return (await card.count()) > 0 ? true : undefined;
    }, NETWORK_MS).catch(async (e) => {
      await shot('04-offer-missing');
      throw e;
    });
    assert.equal(await card.getAttribute('data-matches'), 'true', await card.innerText());
    assert.match(await card.locator('.badge').innerText(), /matches you/);
    // The match is explained criterion by criterion, computed on the device.
    const reasons = card.locator('ul.reasons li');
    assert.ok((await reasons.count()) >= 1);
    assert.equal(await card.locator('ul.reasons li.unmet').count(), 0);
    await card.scrollIntoViewIfNeeded();
    await shot('04-offer');
  });

  test('answer it anonymously', { timeout: NETWORK_MS + 120_000 }, async () => {
    const card = page.locator(`.offer[data-post-id="${offerPostId}"]`);
    // Disclose the age band only; nothing identifying can even be picked.
    const picks = card.locator('input[name=disclose]');
    const names = await picks.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    for (const locked of ['name', 'address', 'phone', 'email', 'birthDate']) assert.ok(!names.includes(locked), `${locked} cannot be disclosed in an answer`);
    for (const n of names) await card.locator(`input[name=disclose][value="${n}"]`).setChecked(n === 'ageBand');
    await card.locator('textarea.answer-message').fill(message);
    await card.locator('button.answer-submit').click();
    await card.locator('.slot .done, .slot .error-box').first().waitFor({ timeout: NETWORK_MS });
    const done = await card.locator('.slot').innerText();
    assert.ok(done.includes(`Answered anonymously. The clinic learns only: Age band = ${profile.attributes.ageBand!.value}.`), done);
    answerId = (await card.getAttribute('data-answer-id')) ?? '';
    assert.match(answerId, /^[0-9a-f]{32}$/);
    await shot('05-answered');

    // The clinic reads the answer: the age band and the message, nothing that names the member.
    const answer = await eventually('the clinic to read the answer', async () => {
      const r = await h.call<{ answers: { answerId: string; message: string; disclosed: Record<string, unknown> }[] }>('clinic', 'GET', `/api/health/answers?board=${encodeURIComponent(h.board)}`);
      return r.answers.find((a) => a.message === message);
    });
    clinicAnswerId = answer.answerId;
    assert.deepEqual(answer.disclosed, { ageBand: profile.attributes.ageBand!.value });
    const seen = JSON.stringify(answer);
    for (const k of ['name', 'phone', 'email', 'address', 'birthDate']) assert.ok(!seen.includes(String(profile.attributes[k]!.value)), `the answer does not carry the ${k}`);
  });

  test('exchange letters of intent: request the clinic’s letter, read it, sign with the passphrase', { timeout: 2 * NETWORK_MS }, async () => {
    // The clinic proposes by itself; the proposal reaches the member's one-time address.
    const proposals = await eventually('the clinic’s proposal', async () => {
      const r = await h.call<{ proposals: { proposalId: string; answerId: string; letterOfIntent: boolean }[] }>(MEMBER, 'GET', '/api/health/proposals');
      return r.proposals.find((p) => p.answerId === answerId);
    });
    assert.equal(proposals.letterOfIntent, true);
    const proposal = page.locator(`.proposal[data-proposal-id="${proposals.proposalId}"]`);
    await proposal.waitFor({ timeout: 30_000 });
    await proposal.scrollIntoViewIfNeeded();
    await shot('06-proposal');

    await proposal.locator('button.letter-request').click();
    const exchange = page.locator('.exchange[data-state="received"]');
    await exchange.waitFor({ timeout: NETWORK_MS });
    const { letters } = await h.call<{ letters: { state: string; clinicLetter: { clinic: string; purposes: string[]; retentionDays: number; items: string[] } }[] }>(MEMBER, 'GET', '/api/health/letters');
    const L = letters.find((l) => l.state === 'received')!.clinicLetter;
    const letter = await exchange.locator('.letter').innerText();
    assert.ok(letter.includes(`Letter of intent from ${L.clinic}`), letter);
    for (const p of L.purposes) assert.ok(letter.includes(p), p);
    assert.ok(letter.includes(`${L.retentionDays} days`));
    const items = L.items.map(labelOf).join(', ');
    assert.ok(letter.includes(items), items);
    await exchange.scrollIntoViewIfNeeded();
    await shot('07-clinic-letter');

    // A wrong passphrase signs nothing; the server's code is shown.
    await exchange.locator('button.letter-sign').click();
    await page.fill('#passphrase-input', 'not the passphrase');
    await page.click('#passphrase-ok');
    await exchange.locator('.error-box[data-code="KEYSTORE_BAD_PASSPHRASE"]').waitFor({ timeout: 30_000 });
    await shot('08-wrong-passphrase');

    await exchange.locator('button.letter-sign').click();
    await page.locator('#passphrase-dialog[open]').waitFor();
    await page.fill('#passphrase-input', DEMO_PASSPHRASE);
    await shot('09-passphrase');
    await page.click('#passphrase-ok');
    const released = page.locator('.exchange[data-state="released"]');
    await released.waitFor({ timeout: NETWORK_MS });
    assert.ok((await released.innerText()).includes(`You gave ${items}`));
    await released.scrollIntoViewIfNeeded();
    await shot('10-letters-exchanged');

    // The clinic now holds exactly the items its letter asked for, from this member.
    const status = await h.call<{ id: string }>(MEMBER, 'GET', '/api/status');
    const record = await eventually('the clinic to receive the data', async () => {
      const r = await h.call<{ released: { answerId: string; memberSerial: string; items: Record<string, string> }[] }>('clinic', 'GET', '/api/health/released');
      return r.released.find((x) => x.answerId === clinicAnswerId);
    });
    assert.deepEqual(record.items, Object.fromEntries(L.items.map((k) => [k, profile.attributes[k]!.value])));
    assert.equal(record.memberSerial, status.id);
  });

  test('the demo scenario ran end to end by itself: statistics, offer, letters, an emergency opening', { timeout: 300_000 }, async () => {
    for (const step of h.scenario.steps.map((s) => s.name)) await h.step(step);
    // The opening named the member behind the upload the authority chose (member3's), and only it.
    const target = h.scenario.facts.uploads.find((u) => u.label === 'member3');
    assert.ok(target, 'member3 uploaded');
    const member3 = await h.call<{ id: string }>('member3', 'GET', '/api/status');
    assert.equal(h.scenario.facts.openedSerial, member3.id);
  });

  test('each node’s page shows the views of the services its status lists: Trustees only where there is a role', { timeout: 120_000 }, async () => {
    const member = await h.call<{ services: string[] }>(MEMBER, 'GET', '/api/status');
    assert.deepEqual(member.services, ['board', 'health']);
    assert.equal(await page.locator('#tab-trustees').isVisible(), false, 'a member without a role sees no Trustees tab');
    assert.equal(await page.locator('#tab-health').isVisible(), true);
    const trustee = await h.call<{ services: string[] }>('trustee1', 'GET', '/api/status');
    assert.deepEqual(trustee.services, ['board', 'health', 'trustee']);
    const other = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      const otherProblems = watchPage(other);
      await other.goto(await h.demo.dashboardUrl('trustee1'));
      await other.locator('#tab-trustees').waitFor({ state: 'visible', timeout: 30_000 });
      await other.click('#tab-trustees');
      await other.locator('#trustee-role').getByText(/This node is trustee 1 of 3/).waitFor({ timeout: 30_000 });
      assert.deepEqual(otherProblems.errors, []);
    } finally {
      await other.close();
    }
  });

  test('the page ran without script errors or CSP refusals, and left its screenshots', () => {
    assert.deepEqual(problems.errors, []);
    // The wrong passphrase's 403 is logged by the browser; nothing else may be.
    const unexpected = problems.console.filter((m) => !/status of 403/.test(m));
    assert.deepEqual(unexpected, []);
    assert.equal(shots.length, 12, shots.join('\n'));
  });
});

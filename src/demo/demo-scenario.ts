/**
 * The demo's scenario (issue 6, item 8), run through the nodes' control APIs as people would run it
 * through their dashboards: members load their (generated) health records and upload what they
 * chose to disclose; the intermediary publishes cohort statistics; the clinic posts an offer and
 * answers every answer with a proposal and, when asked, its letter of intent; a member answers and
 * exchanges letters; the authority asks for one emergency opening and two trustees approve.
 * The player (member1) is left for a person or the browser test. The clinic and the intermediary
 * keep working until the demo stops.
 */
import { describeError } from '../errors.js';
import type { NodeClient } from '../node/node-client.js';
import { generateDemoMembers } from '../health/demo/demo-data.js';
import type { Profile } from '../health/profile/profile.js';
import type { Demo } from './demo.js';
import { DEMO_MIN_COHORT, DEMO_PASSPHRASE, DEMO_PLAYER, DEMO_SEED, DEMO_STUDY, demoLayout } from './demo-layout.js';

export type StepState = 'waiting' | 'running' | 'done' | 'failed';

export interface ScenarioStep {
  name: string;
  state: StepState;
  detail: string;
}

const STEPS = ['overlay', 'board replicas', 'health records', 'uploads', 'statistics', 'clinic offer', 'answer and proposal', 'letters of intent', 'emergency opening'] as const;
type StepName = (typeof STEPS)[number];

/** Bounded waits: the scenario never hangs. */
const WAIT_MS = 180_000;
const BOT_EVERY_MS = 3_000;
const STATS_EVERY_MS = 30_000;
/** Measurements sent per kind and member (the newest ones, a week apart), to keep start-up quick. */
const READINGS_PER_KIND = 12;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class DemoScenario {
  readonly steps: ScenarioStep[] = STEPS.map((name) => ({ name, state: 'waiting', detail: '' }));
  private stopped = false;
  private bots: Promise<void>[] = [];
  /** Facts the scenario learned, for the command's summary and the browser test. */
  readonly facts: { offerPostId?: string; openedSerial?: string; openingRequestId?: string; uploads: { label: string; postId: string; anonymousId?: string }[] } = { uploads: [] };

  constructor(private readonly demo: Demo, private readonly onChange: (s: ScenarioStep) => void = () => undefined) {}

  stop(): void {
    this.stopped = true;
  }

  /** Runs every step once; the bots keep going afterwards until stop(). */
  async run(): Promise<void> {
    const d = this.demo;
    const board = d.boardAddress;
    const layout = demoLayout();
    await this.step('overlay', () =>
      this.until(async () => {
        const degrees = await Promise.all(d.nodes.map(async (n) => (await (await d.client(n.label)).status()).neighbours.length));
        return Math.min(...degrees) >= 2 ? `${d.nodes.length} nodes, degree ${Math.min(...degrees)}–${Math.max(...degrees)}` : undefined;
      }),
    );
    await this.step('board replicas', async () => {
      const replicas = layout.filter((n) => n.role === 'replica').map((n) => n.label);
      return this.until(async () => {
        const peers = await Promise.all(replicas.map(async (r) => ((await (await d.client(r)).call<{ peers: unknown[] }>('GET', '/api/board/status')).peers ?? []).length));
        return peers.every((p) => p >= replicas.length - 1) ? `${replicas.length} replicas in step` : undefined;
      });
    });
    const people = generateDemoMembers(64, { seed: DEMO_SEED, now: Date.now() });
    const holders = layout.filter((n) => n.healthMember !== undefined);
    await this.step('health records', async () => {
      for (const n of holders) await loadProfile(await d.client(n.label), people[n.healthMember!]!.profile);
      return `${holders.length} members hold their records on their own devices`;
    });
    await this.step('uploads', async () => {
      const uploaders = holders.filter((n) => n.label !== DEMO_PLAYER);
      for (const n of uploaders) {
        const c = await d.client(n.label);
        const r = await this.until(() => c.call<{ postId: string }>('POST', '/api/health/upload', JSON.stringify({ board, study: DEMO_STUDY }), 'application/json'));
        this.facts.uploads.push({ label: n.label, postId: r.postId });
      }
      return `${uploaders.length} anonymous uploads (${DEMO_PLAYER} waits for you)`;
    });
    const intermediary = await d.client('intermediary');
    const publish = () => intermediary.call<{ uploads: number; cohorts: number; posts: number }>('POST', '/api/health/publish-stats', JSON.stringify({ board, study: DEMO_STUDY, minCohort: DEMO_MIN_COHORT }), 'application/json');
    await this.step('statistics', async () => {
      // Replicas are eventually consistent: publish once every upload is visible.
      const r = await this.until(async () => {
        const p = await publish();
        return p.uploads >= this.facts.uploads.length ? p : undefined;
      });
      return `${r.uploads} uploads → ${r.cohorts} cohorts published (minimum ${DEMO_MIN_COHORT})`;
    });
    this.bots.push(this.every(STATS_EVERY_MS, async () => void (await publish())));
    const clinic = await d.client('clinic');
    await this.step('clinic offer', async () => {
      const offer = {
        clinic: 'Saltmere Heart Clinic',
        title: 'Free blood-pressure review for women 40–69',
        description: 'A 30-minute review with a cardiac nurse. Answer anonymously; we propose a time.',
        criteria: [
          { attribute: 'age', op: 'between', value: [40, 69] },
          { attribute: 'sex', op: 'eq', value: 'female' },
        ],
        expires: Date.now() + 30 * 86_400_000,
      };
      const r = await this.until(() => clinic.call<{ postId: string }>('POST', '/api/health/offer', JSON.stringify({ board, offer }), 'application/json'));
      this.facts.offerPostId = r.postId;
      return `offer ${r.postId.slice(0, 8)} on the board`;
    });
    this.bots.push(this.every(BOT_EVERY_MS, () => clinicBot(clinic, board)));
    const answerer = await d.client('member2');
    await this.step('answer and proposal', async () => {
      const offers = await this.until(async () => {
        const o = await answerer.call<{ offers: { postId: string; match: { matches: boolean } }[] }>('GET', `/api/health/offers?board=${encodeURIComponent(board)}`);
        return o.offers.find((x) => x.postId === this.facts.offerPostId) ? o.offers : undefined;
      });
      const mine = offers.find((x) => x.postId === this.facts.offerPostId)!;
      if (!mine.match.matches) return 'member2 does not match the offer (nothing sent)';
      await this.until(() => answerer.call('POST', '/api/health/answer', JSON.stringify({ board, postId: mine.postId, disclose: ['ageBand', 'systolic'], message: 'Weekday mornings suit me.' }), 'application/json'));
      const proposal = await this.until(async () => (await answerer.call<{ proposals: { proposalId: string }[] }>('GET', '/api/health/proposals')).proposals[0]);
      return `member2 answered anonymously; the clinic proposed ${proposal.proposalId.slice(0, 8)}`;
    });
    await this.step('letters of intent', async () => {
      const { proposals } = await answerer.call<{ proposals: { proposalId: string }[] }>('GET', '/api/health/proposals');
      if (proposals.length === 0) throw new Error('no proposal to answer (the step before failed)');
      const ex = await this.until(() => answerer.call<{ exchangeId: string }>('POST', '/api/health/letter/request', JSON.stringify({ proposalId: proposals[0]!.proposalId }), 'application/json'));
      await this.until(async () => {
        const { letters } = await answerer.call<{ letters: { exchangeId: string; state: string }[] }>('GET', '/api/health/letters');
        return letters.find((l) => l.exchangeId === ex.exchangeId && l.state === 'received');
      });
      await this.until(() => answerer.call('POST', '/api/health/letter/sign', JSON.stringify({ exchangeId: ex.exchangeId, passphrase: DEMO_PASSPHRASE }), 'application/json'));
      const released = await this.until(async () => (await clinic.call<{ released: { items: Record<string, unknown> }[] }>('GET', '/api/health/released')).released[0]);
      return `both letters signed; the clinic received ${Object.keys(released.items).join(', ')} — and nothing else`;
    });
    await this.step('emergency opening', () => this.opening());
  }

  /** The authority asks to open the ID behind one upload; two of the three trustees approve. */
  private async opening(): Promise<string> {
    const d = this.demo;
    const board = d.boardAddress;
    const authority = await d.client('authority');
    const target = this.facts.uploads.find((u) => u.label === 'member3') ?? this.facts.uploads[0]!;
    // The authority sees only what the board shows: the upload's one-time anonymous ID.
    const post = await this.until(async () => {
      const search = await authority.call<{ results: { postId: string; anonymousId: string }[] }>('POST', '/api/board/search', JSON.stringify({ board, query: '', fields: [{ key: 'kind', value: 'health.upload' }] }), 'application/json');
      return search.results.find((r) => r.postId === target.postId);
    });
    const req = await this.until(() =>
      authority.call<{ requestId: string }>('POST', '/api/opening/request', JSON.stringify({ board, anonymousId: post.anonymousId, reason: 'Demo: a clinician reports a life-threatening reading and cannot reach the member.' }), 'application/json'),
    );
    this.facts.openingRequestId = req.requestId;
    for (const t of ['trustee1', 'trustee2']) {
      const c = await d.client(t);
      await this.until(async () => (await c.call<{ requests: { requestId: string }[] }>('GET', '/api/trustee/requests')).requests.find((r) => r.requestId === req.requestId));
      await this.until(() => c.call('POST', '/api/trustee/approve', JSON.stringify({ requestId: req.requestId }), 'application/json'));
    }
    const done = await this.until(async () => {
      const s = await authority.call<{ status: string; result?: string; auditPostId?: string }>('GET', `/api/opening/${req.requestId}`);
      return s.status === 'opened' && s.auditPostId ? s : undefined;
    });
    this.facts.openedSerial = done.result;
    return `2 of 3 trustees approved: the ID belongs to member serial ${String(done.result).slice(0, 12)}…; audit record ${done.auditPostId!.slice(0, 8)} on the board`;
  }

  private async step<T>(name: StepName, body: () => Promise<T>): Promise<void> {
    const s = this.steps.find((x) => x.name === name)!;
    s.state = 'running';
    this.onChange(s);
    const started = Date.now();
    const took = () => ` (${((Date.now() - started) / 1000).toFixed(1)} s)`;
    try {
      const detail = await body();
      s.state = 'done';
      s.detail = (typeof detail === 'string' ? detail : '') + took();
    } catch (e) {
      s.state = 'failed';
      s.detail = describeError(e) + took();
    }
    this.onChange(s);
  }

  /** Polls `probe` until it returns something, within WAIT_MS. */
  private async until<T>(probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + WAIT_MS;
    let last: unknown;
    for (;;) {
      if (this.stopped) throw new Error('stopped');
      try {
        const v = await probe();
        if (v !== undefined) return v;
      } catch (e) {
        last = e;
      }
      if (Date.now() > deadline) throw new Error(`gave up after ${WAIT_MS / 1000} s${last ? `: ${describeError(last)}` : ''}`);
      await sleep(1_000);
    }
  }

  private async every(ms: number, work: () => Promise<void>): Promise<void> {
    while (!this.stopped) {
      await work().catch(() => undefined);
      for (let t = 0; t < ms && !this.stopped; t += 250) await sleep(250);
    }
  }

  async settle(): Promise<void> {
    this.stop();
    await Promise.all(this.bots);
  }
}

/** Puts a generated record on a member's node: attributes, disclosure choices, recent readings. */
async function loadProfile(c: NodeClient, p: Profile): Promise<void> {
  const post = (path: string, body: unknown) => c.call('POST', path, JSON.stringify(body), 'application/json');
  for (const [name, value] of Object.entries(p.attributes)) if (value !== undefined) await post('/api/health/attribute', { name, value });
  const byKind = new Map<string, { kind: string; value: number; at: number }[]>();
  for (const m of p.measurements) byKind.set(m.kind, [...(byKind.get(m.kind) ?? []), m]);
  for (const list of byKind.values()) {
    const weekly = list.filter((_, i) => (list.length - 1 - i) % 7 === 0).slice(-READINGS_PER_KIND);
    for (const m of weekly) await post('/api/health/measurement', { kind: m.kind, value: m.value, at: m.at });
  }
  for (const [name, on] of Object.entries(p.disclosure)) await post('/api/health/disclose', { name, on });
}

/** The clinic's side, automatic in the demo: propose to every answer, send the letter when asked. */
async function clinicBot(clinic: NodeClient, board: string): Promise<void> {
  const { answers } = await clinic.call<{ answers: { answerId: string; proposals: unknown[]; letter: { state: string } }[] }>('GET', `/api/health/answers?board=${encodeURIComponent(board)}`);
  for (const a of answers) {
    if (a.proposals.length === 0) {
      const proposal = { text: 'We can see you on Tuesday at 09:30 or Thursday at 14:00 at Saltmere Heart Clinic.', appointments: [{ at: Date.now() + 3 * 86_400_000, minutes: 30, place: 'Saltmere Heart Clinic, room 2' }], letterOfIntent: true };
      await clinic.call('POST', '/api/health/propose', JSON.stringify({ answerId: a.answerId, proposal }), 'application/json');
    }
    if (a.letter.state === 'requested') {
      await clinic.call('POST', '/api/health/clinic-letter', JSON.stringify({ answerId: a.answerId, purposes: ['booking and running the blood-pressure review'], retentionDays: 90, items: ['name', 'phone'] }), 'application/json');
    }
  }
}

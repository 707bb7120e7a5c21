/**
 * Acceptance: "Undisclosed attributes never leave the member's device." The member's health
 * application runs on a router that records every payload it hands to routing (requests, and the
 * answers it gives to messages at its answer address), and a tap records every byte the member's
 * host sends on any link. The member uploads, fetches statistics, reads offers, answers one
 * (disclosing two attributes it picks), receives a proposal and asks for the clinic's letter.
 * Then every layer the test holds keys for is opened — post messages with the board's Q, the
 * answer with the clinic's board user key y — and neither the payloads (in clear and opened) nor
 * the wire hold any undisclosed or identifying value in its string forms. Last, the same scan is
 * shown to find a value that is deliberately leaked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BoardKeys } from '../../src/board/board-keys.js';
import { BoardClient } from '../../src/board/client.js';
import { decodeRequest, decodeSearchRequest } from '../../src/board/messages.js';
import { decodePost, openPostMessage } from '../../src/board/post.js';
import { decodeReply, openReply } from '../../src/board/reply.js';
import { BoardOp } from '../../src/board/types.js';
import { boardUserKey } from '../../src/board/user-key.js';
import { toHex } from '../../src/crypto/bytes.js';
import { DAY_MS, exactAge } from '../../src/health/profile/attributes.js';
import { decodeExchange } from '../../src/health/formats/exchange-message.js';
import { HealthNode } from '../../src/health/service/health-node.js';
import { emptyProfile, recordMeasurements, setAttribute, setDisclosed, type Profile } from '../../src/health/profile/profile.js';
import { silentLogger } from '../../src/log.js';
import type { Router } from '../../src/routing/router.js';
import { boardNet, settle } from './sim-helpers.js';
import { healthOf } from '../../src/health/service/health-service.js';

interface Payload {
  via: 'request' | 'send' | 'respond';
  bytes: Uint8Array;
}

/** A router that records every payload handed to it, answers to served addresses included. */
function recordingRouter(router: Router, payloads: Payload[]): Router {
  const wrapped = {
    newAddress: (purpose?: 'inbox' | 'reply') => router.newAddress(purpose),
    unserve: (address: Parameters<Router['unserve']>[0]) => router.unserve(address),
    serve: (address: Parameters<Router['serve']>[0], handler: Parameters<Router['serve']>[1]) =>
      router.serve(address, (req) =>
        handler({
          ...req,
          respond: (bytes) => {
            payloads.push({ via: 'respond', bytes: bytes.slice() });
            return req.respond(bytes);
          },
        }),
      ),
    request: (address: string, bytes: Uint8Array, options: Parameters<Router['request']>[2]) => {
      payloads.push({ via: 'request', bytes: bytes.slice() });
      return router.request(address, bytes, options);
    },
    send: (address: string, bytes: Uint8Array, strategy?: Parameters<Router['send']>[2]) => {
      payloads.push({ via: 'send', bytes: bytes.slice() });
      return router.send(address, bytes, strategy);
    },
  };
  return wrapped as unknown as Router;
}

const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
const startsWith = (b: Uint8Array, magic: string): boolean => latin1(b.subarray(0, magic.length)) === magic;

/**
 * What a payload says in clear once every layer the test holds a key for is opened. Every payload
 * must be one the test understands: an unknown one fails the test rather than pass unread.
 */
async function openPayload(p: Payload, keys: BoardKeys, clinicY: Uint8Array): Promise<string[]> {
  if (startsWith(p.bytes, 'TKB')) {
    const { op, body } = decodeRequest(p.bytes);
    switch (op) {
      case BoardOp.POST: {
        const m = await openPostMessage(decodePost(body), keys.sealKey);
        return [m.text, ...m.fields.map((f) => `${f.key}=${f.value}`)];
      }
      case BoardOp.REPLY: {
        const m = await openReply(decodeReply(body), clinicY);
        return [m.text, m.answerAddress];
      }
      case BoardOp.SEARCH: {
        const s = decodeSearchRequest(body);
        return [s.query, ...s.fields.map((f) => `${f.key}=${f.value}`)];
      }
      case BoardOp.GET:
      case BoardOp.REPLIES:
        return [toHex(body)]; // a post id (and a time)
      default:
        assert.fail(`unexpected board request op ${op}`);
    }
  }
  if (startsWith(p.bytes, 'TKHX')) {
    const m = decodeExchange(p.bytes);
    return [JSON.stringify(m, (_k, v: unknown) => (v instanceof Uint8Array ? toHex(v) : v))];
  }
  assert.fail(`a payload the test does not understand: ${toHex(p.bytes.subarray(0, 8))}…`);
}

interface Secret {
  what: string;
  /** Long forms: searched everywhere, ciphertext and wire included (4+ bytes, so chance hits are negligible). */
  long: string[];
  /** Short numbers: searched as whole numbers (not inside a word or hex) in what is known to be clear text only. */
  short?: string;
}

function findLeaks(secrets: Secret[], clear: string[], raw: Uint8Array[]): string[] {
  const hits: string[] = [];
  for (const s of secrets) {
    for (const form of s.long) {
      if (clear.some((c) => c.includes(form))) hits.push(`${s.what} (${form}) in clear`);
      const needle = Buffer.from(form, 'utf8');
      if (raw.some((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).includes(needle))) hits.push(`${s.what} (${form}) in raw bytes`);
    }
    if (s.short !== undefined) {
      const whole = new RegExp(`(?<![0-9A-Za-z.])${s.short.replace('.', '\\.')}(?![0-9A-Za-z]|\\.[0-9])`);
      if (clear.some((c) => whole.test(c))) hits.push(`${s.what} (${s.short}) in clear`);
    }
  }
  return hits;
}

const BIRTH = '1961-04-17';

function memberProfile(now: number): Profile {
  let p = emptyProfile();
  p = setAttribute(p, 'name', 'Wilhelmina Quillby', now);
  p = setAttribute(p, 'address', '42 Saffron Close, Thistleby TB5 9QX', now);
  p = setAttribute(p, 'phone', '+44 7700 900871', now);
  p = setAttribute(p, 'email', 'wilhelmina.quillby@example.org', now);
  p = setAttribute(p, 'birthDate', BIRTH, now);
  p = setAttribute(p, 'sex', 'female', now);
  p = setAttribute(p, 'postcodeArea', 'QZ9X', now);
  p = setAttribute(p, 'smoker', true, now);
  p = recordMeasurements(
    p,
    [
      { kind: 'systolic', value: 152, at: now - 2 * DAY_MS },
      { kind: 'diastolic', value: 91, at: now - 2 * DAY_MS },
      { kind: 'weightKg', value: 82.5, at: now - DAY_MS },
      { kind: 'heartRate', value: 47, at: now - 2 * DAY_MS },
      { kind: 'heightCm', value: 187.4, at: now - 30 * DAY_MS },
      { kind: 'glucose', value: 13.7, at: now - DAY_MS },
      { kind: 'cholesterol', value: 11.9, at: now - DAY_MS },
    ],
    now,
  );
  // Shared: age band and sex (by default), blood pressure and weight. Everything else stays.
  for (const kind of ['systolic', 'diastolic', 'weightKg'] as const) p = setDisclosed(p, kind, true);
  return p;
}

test('undisclosed attributes never leave the member\'s device: not in any payload (opened) nor on any wire', async () => {
  const { net, keys, board, synced, close } = await boardNet(12, 41);
  try {
    const [clinic, memberNode, intermediary] = [net.nodes[2]!, net.nodes[3]!, net.nodes[4]!];
    const payloads: Payload[] = [];
    const wire: Uint8Array[] = [];
    const router = recordingRouter(memberNode.router, payloads);
    const runtime = net.sim!.createRuntime('member-app');
    const identity = net.identities[3]!;
    const health = new HealthNode({ router, board: new BoardClient({ router, runtime, identity, logger: silentLogger }), runtime, identity, logger: silentLogger });
    const member = health.member;
    const now = net.sim!.now();
    await member.importProfile(memberProfile(now));
    const age = exactAge(BIRTH, now);
    assert.ok(age >= 60 && age !== 60 && age !== 69, 'the exact age is not a number the disclosed age band shows');
    net.sim!.wiretap = (from, _to, bytes) => {
      if (from === 'node-3') wire.push(bytes.slice());
    };

    // Upload (pseudonymous), an intermediary publishes, the member reads its standing.
    const up = await settle(net, member.upload(board, { study: 'bp-2025', pseudonymous: true }));
    assert.equal(up.included, 3);
    await synced(1);
    const published = await settle(net, healthOf(intermediary).intermediary.publishStats(board, { study: 'bp-2025', minCohort: 1 }));
    assert.equal(published.uploads, 1);
    await synced(2);
    const { stats, standing } = await settle(net, member.stats(board, 'bp-2025'));
    assert.equal(stats!.cohorts.length, 1);
    assert.ok(standing.some((s) => s.kind === 'glucose' && !s.disclosed && s.status === 'kind-not-published'), 'undisclosed kinds are compared on the device');

    // An offer on undisclosed criteria; the member's device matches it and answers.
    const offer = await settle(
      net,
      healthOf(clinic).clinic.postOffer(board, {
        clinic: 'Thistleby Diabetes Service',
        title: 'Glucose review',
        description: '',
        criteria: [
          { attribute: 'glucose', op: 'gte', value: 11 },
          { attribute: 'age', op: 'gte', value: 50 },
          { attribute: 'smoker', op: 'eq', value: true },
          { attribute: 'postcodeArea', op: 'in', value: ['QZ9X', 'TB5'] },
        ],
        expires: now + 5 * DAY_MS,
      }),
    );
    await synced(3);
    const seen = await settle(net, member.offers(board));
    assert.equal(seen.offers.length, 1);
    assert.ok(seen.offers[0]!.match.matches);
    await settle(net, member.answer(board, offer.postId, { disclose: ['ageBand', 'systolic'], message: 'Happy to come in.' }));
    await synced(3, 1);

    // A proposal arrives; the member asks for the clinic's letter (and does not sign it).
    const { answers } = await settle(net, healthOf(clinic).clinic.fetchAnswers(board));
    assert.deepEqual(answers[0]!.disclosed, { ageBand: '60-69', systolic: 152 });
    const proposal = await settle(net, healthOf(clinic).clinic.propose(answers[0]!.answerId, { text: 'Come on Monday.', letterOfIntent: true }));
    await settle(net, healthOf(clinic).clinic.clinicLetter(answers[0]!.answerId, { purposes: ['Care'], retentionDays: 30, items: ['name', 'phone'] }));
    assert.equal(member.proposals().length, 1);
    assert.equal((await settle(net, member.requestLetter(proposal.proposalId))).state, 'received');
    await net.advance(5_000);
    net.sim!.wiretap = undefined;

    // Open every layer the test can, then look for every secret in every form.
    const clinicY = boardUserKey(net.identities[2]!.onionPrivateKey).privateKey;
    const clear: string[] = [];
    for (const p of payloads) clear.push(...(await openPayload(p, keys, clinicY)));
    const ops = payloads.filter((p) => startsWith(p.bytes, 'TKB')).map((p) => decodeRequest(p.bytes).op);
    for (const op of [BoardOp.POST, BoardOp.SEARCH, BoardOp.GET, BoardOp.REPLY]) assert.ok(ops.includes(op), `the member made a board request of op ${op}`);
    assert.ok(payloads.some((p) => p.via === 'respond'), 'the member answered the proposal');
    assert.ok(payloads.some((p) => startsWith(p.bytes, 'TKHX') && p.via === 'request'), 'the member asked for the letter');
    assert.ok(clear.some((c) => c.includes('"systolic":[[')) && clear.some((c) => c.includes('"systolic":152')), 'what was disclosed is there to see');
    assert.ok(wire.length > 50, 'the tap saw the member\'s traffic');

    const bornMs = String(Date.UTC(1961, 3, 17));
    const secrets: Secret[] = [
      { what: 'name', long: ['Wilhelmina Quillby', 'Wilhelmina', 'Quillby'] },
      { what: 'address', long: ['42 Saffron Close, Thistleby TB5 9QX', 'Saffron Close', 'TB5 9QX'] },
      { what: 'phone', long: ['+44 7700 900871', '7700 900871', '447700900871', '900871'] },
      { what: 'email', long: ['wilhelmina.quillby@example.org', 'wilhelmina.quillby'] },
      { what: 'birth date', long: [BIRTH, '1961-04', '17/04/1961', bornMs] },
      { what: 'exact age', long: [`"age":${age}`, `age=${age}`], short: String(age) },
      { what: 'postcode area', long: ['QZ9X'] },
      { what: 'smoker', long: ['smoker'] },
      { what: 'heart rate', long: ['heartRate', '"47"'], short: '47' },
      { what: 'height', long: ['heightCm', '187.4', '1874'] },
      { what: 'glucose', long: ['glucose', '13.7'] },
      { what: 'cholesterol', long: ['cholesterol', '11.9'] },
    ];
    const leaks = findLeaks(secrets, clear, [...payloads.map((p) => p.bytes), ...wire]);
    assert.deepEqual(leaks, [], `leaked: ${leaks.join('; ')}`);

    // The scan would see a leak: the name put in a post's text is found once the post is opened.
    const before = payloads.length;
    await settle(net, new BoardClient({ router, runtime, identity, logger: silentLogger }).post(board, { text: 'Call Wilhelmina Quillby', ttlSeconds: 600 }));
    const leaked: string[] = [];
    for (const p of payloads.slice(before)) leaked.push(...(await openPayload(p, keys, clinicY)));
    assert.deepEqual(findLeaks(secrets, leaked, []), ['name (Wilhelmina Quillby) in clear', 'name (Wilhelmina) in clear', 'name (Quillby) in clear']);
    // And so would a short number in clear text.
    assert.deepEqual(findLeaks(secrets, [`{"m":{"x":[[1,${age}]]}}`], []), [`exact age (${age}) in clear`]);
  } finally {
    await close();
  }
});

/**
 * An emergency opening over a simulated network with a board (docs/protocol.md §2.8): a member
 * posts; the authority requests the opening of that post's anonymous ID; trustees find the notice
 * on the board and approve on demand; with k−1 approvals nothing opens; with k the result names
 * the poster and the audit record is on the board and verifies.
 *
 * And the memory/storage inspection (DESIGN §4: no party holds any member's whole anonymity key
 * k_m at any time). Searched for: every member's k_m and −k_m, little- and big-endian, as bytes,
 * hex (both cases), base64 and base64url. Searched in:
 *  - every party's reachable state — the trustee and authority services and every node's board
 *    client, walked object by object (Maps, Sets, arrays, typed arrays, strings, bigints) — at
 *    every step of the opening (each message sent or received, each working buffer), not only
 *    at the end; a node's own identity holds its own k_m, which is not counted against it;
 *  - the CA's state (the in-memory community) and every escrow record;
 *  - every working buffer the parties expose to the test hook (opened shares, partials, proofs,
 *    combined values), and every message as sent and as received, in clear;
 *  - every byte that crossed a simulated wire (sim.wiretap);
 *  - every board record (notices, audit record, posts, as fetched) and every file the replicas
 *    wrote (SQLite database and WAL).
 * Not covered (cannot be): the JS heap at large, V8's copies of strings, bigints inside the
 * curve code, OpenSSL's and the HPKE library's buffers. The test process itself holds every k_m
 * (it built the community), so no whole-heap scan could tell anything here.
 * The scan is shown to find a planted key in state, on a wire and in a file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestnet, type Testnet } from '../../src/node/testnet.js';
import type { TokumeiNode } from '../../src/node/node.js';
import { generateBoardKeys } from '../../src/board/board-keys.js';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import { toBase64, toHex, utf8 } from '../../src/crypto/bytes.js';
import { decodeScalar, encodeScalar, modL } from '../../src/crypto/ristretto.js';
import type { EscrowRecord } from '../../src/identity/escrow.js';
import { generateAuthority, authorityPublic } from '../../src/trustees/authority-keys.js';
import type { CommunityMaterial } from '../../src/trustees/community-material.js';
import { encodeOpeningNotice, NOTICE_KIND } from '../../src/trustees/opening-notice.js';
import { decodeOpeningRequest } from '../../src/trustees/opening-request.js';
import { combineOpening } from '../../src/trustees/opening-combiner.js';
import { TokumeiError } from '../../src/errors.js';
import { settle } from '../helpers/settle.js';
import { testnetServices } from '../../src/services/node-services.js';
import { boardClientOf, replicaOf } from '../../src/board/service/board-service.js';
import { AUTHORITY_SERVICE, authorityOf, authorityRole, TRUSTEE_SERVICE, trusteeOf, trusteeRole } from '../../src/trustees/service/opening-roles.js';

const TRUSTEE_NODES = [2, 3, 4];
const AUTHORITY_NODE = 5;
const POSTER_NODE = 9;
const REPLICAS = [0, 7];
const NODES = 14;


/** Every spelling of a secret scalar we look for: ±k, LE and BE, as bytes and as text. */
function needles(k: Uint8Array): { bytes: Buffer[]; texts: Buffer[] } {
  const neg = encodeScalar(modL(-decodeScalar(k)));
  const raw = [k, neg].flatMap((b) => [b, b.slice().reverse()]);
  const texts = raw.flatMap((b) => [toHex(b), toHex(b).toUpperCase(), toBase64(b), Buffer.from(b).toString('base64url')]);
  return { bytes: raw.map((b) => Buffer.from(b)), texts: texts.map((t) => Buffer.from(t)) };
}

function holds(hay: Uint8Array | string, n: { bytes: Buffer[]; texts: Buffer[] }): boolean {
  const b = typeof hay === 'string' ? Buffer.from(hay) : Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength);
  return n.bytes.some((x) => b.includes(x)) || n.texts.some((x) => b.includes(x));
}

/**
 * Every string, byte array and bigint reachable from `root`, not entering `stop` objects (the
 * router, the runtime, the logger: shared machinery that reaches the whole simulation).
 */
function reachable(root: unknown, stop: Set<unknown>): (Uint8Array | string)[] {
  const out: (Uint8Array | string)[] = [];
  const seen = new Set<unknown>();
  const todo: unknown[] = [root];
  while (todo.length > 0) {
    const v = todo.pop();
    if (typeof v === 'string') {
      out.push(v);
      continue;
    }
    if (typeof v === 'bigint') {
      const x = modL(v < 0n ? -v : v);
      out.push(encodeScalar(x));
      continue;
    }
    if (typeof v !== 'object' || v === null || seen.has(v) || stop.has(v)) continue;
    seen.add(v);
    assert.ok(seen.size < 500_000, 'state walk is bounded');
    if (ArrayBuffer.isView(v)) {
      out.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      continue;
    }
    if (v instanceof Map) for (const [k, x] of v) todo.push(k, x);
    else if (v instanceof Set) for (const x of v) todo.push(x);
    else for (const k of Reflect.ownKeys(v)) todo.push((v as Record<string | symbol, unknown>)[k]);
  }
  return out;
}

test('emergency opening over the network: k−1 approvals open nothing, k name the poster, the audit record is on the board, and no party ever holds a whole anonymity key', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokumei-opening-sim-'));
  const keys = generateBoardKeys(new SeededRandom(11, 'board'));
  const net = await createTestnet(0, { runtime: 'sim', seed: 11, overlay: { minDegree: 3, maxDegree: 5 }, services: testnetServices({ board: { keys, replicas: REPLICAS, dir } }), escrow: true });
  const wire: { from: string; to: string; bytes: Uint8Array }[] = [];
  try {
    // Members, each anonymity key escrowed with the community's 3 trustees (k = 2).
    const escrows: Promise<EscrowRecord>[] = [];
    for (let i = 0; i < NODES; i++) {
      const m = net.community.issue({ now: net.sim!.now() });
      escrows.push(m.escrow!);
      await net.addNode({ identity: m.identity });
    }
    const records = await Promise.all(escrows); // HPKE on real time, outside the simulation
    const community: CommunityMaterial = { caCert: net.community.caPem, trusteePublics: net.community.trusteePublics, threshold: net.community.threshold, escrowRecords: async () => records };
    assert.equal(community.threshold, 2);
    assert.equal(community.trusteePublics.length, 3);

    // What the parties expose to the test hook (copies), and the parties' own buffers.
    const exposed: { who: string; what: string; bytes: Uint8Array }[] = [];
    const live: { what: string; bytes: Uint8Array }[] = [];
    const scans: string[] = [];
    let snapshots = 0;
    const snapshotAll = (why: string) => {
      snapshots++;
      scans.push(...scanState(why));
    };
    const hook = (who: string) => (what: string, bytes: Uint8Array) => {
      exposed.push({ who, what, bytes: bytes.slice() });
      live.push({ what, bytes });
      snapshotAll(`${who} ${what}`); // every party's state, at every step of the opening
    };
    const authority = generateAuthority('Example Health Authority', new SeededRandom(11, 'authority'));
    const [t1, t2, t3] = TRUSTEE_NODES.map((n) => net.nodes[n]!) as [TokumeiNode, TokumeiNode, TokumeiNode];
    const authorityNode = net.nodes[AUTHORITY_NODE]!;
    for (const [i, n] of TRUSTEE_NODES.entries()) await net.nodes[n]!.addService(TRUSTEE_SERVICE, trusteeRole({ keys: net.community.trustees[i]!, community, authorities: [authorityPublic(authority)], inspect: hook(`trustee ${i + 1}`) }));
    await authorityNode.addService(AUTHORITY_SERVICE, authorityRole({ keys: authority, community, inspect: hook('authority') }));

    // Every party's reachable state, and the CA's; a node's own k_m is its own.
    const allKeys = net.identities.map((id) => needles(id.anonymityKey));
    const stateOf = (node: TokumeiNode): (Uint8Array | string)[] =>
      reachable([trusteeOf(node), authorityOf(node), boardClientOf(node)], new Set<unknown>([node.router, node.overlay, node.router.ctx.runtime, net.sim]));
    function scanState(why: string): string[] {
      const hits: string[] = [];
      net.nodes.forEach((node, i) => {
        if (!trusteeOf(node) && !authorityOf(node) && i !== POSTER_NODE) return; // the parties (and the poster's board client)
        for (const item of stateOf(node)) allKeys.forEach((n, m) => m !== i && holds(item, n) && hits.push(`${why}: node ${i} holds member ${m}'s key`));
      });
      return hits;
    }

    assert.ok(await net.waitFor(() => net.nodes.every((x) => x.status().neighbours.length >= 3), 120_000), 'overlay formed');
    assert.ok(await net.waitFor(() => REPLICAS.every((r) => replicaOf(net.nodes[r]!)!.status().peers.length === 1), 180_000), 'replicas know each other');
    net.sim!.wiretap = (from, to, bytes) => wire.push({ from, to, bytes });
    const board = keys.address;

    // The member posts; the post's anonymous ID is what will be opened.
    const poster = net.nodes[POSTER_NODE]!;
    const posted = await settle(net, boardClientOf(poster).post(board, { text: 'threatening post 7731', ttlSeconds: 86_400 }));

    // The authority asks; the notice is on the board.
    const asked = await settle(net, authorityOf(authorityNode)!.request({ board, anonymousId: posted.anonymousId, reason: 'Court order 2026-117: threat posted on the board' }));
    assert.equal(asked.status, 'waiting');
    assert.equal(asked.threshold, 2);
    assert.equal(asked.approvals, 0);
    const requestId = asked.requestId;

    const stored = (posts: number) => net.waitFor(() => REPLICAS.every((r) => replicaOf(net.nodes[r]!)!.status().stored.posts === posts), 60_000);
    assert.ok(await stored(2), 'every replica has the post and the notice');

    // Someone reposts the request with their own approval address: no trustee would use it.
    const notices = await settle(net, boardClientOf(net.nodes[12]!).search(board, { query: '', fields: [{ key: 'kind', value: NOTICE_KIND }] }));
    assert.equal(notices.length, 1);
    const genuine = JSON.parse(notices[0]!.text) as { request: unknown; signature: string };
    const forged = encodeOpeningNotice({ format: 'tokumei-opening-notice/1', request: decodeOpeningRequest(genuine.request), approvalAddress: net.nodes[12]!.router.newAddress().text, signature: genuine.signature });
    await settle(net, boardClientOf(net.nodes[12]!).post(board, { text: forged, fields: [{ key: 'kind', value: NOTICE_KIND }, { key: 'request', value: requestId }], ttlSeconds: 3600 }));
    assert.ok(await stored(3));
    // Anyone may write to the approval address; junk is refused and held nowhere.
    const junk = await settle(net, net.nodes[12]!.router.request((genuine as unknown as { approvalAddress: string }).approvalAddress, utf8('{"format":"junk"}'), { timeoutMs: 60_000 }));
    assert.deepEqual(JSON.parse(Buffer.from(junk).toString()), { format: 'tokumei-opening-refusal/1', code: 'OPENING_BAD_MESSAGE', message: 'opening message: unknown format' });
    assert.equal(authorityOf(authorityNode)!.status(requestId)!.approvals, 0);
    // A trustee that does not list the authority sees the request refused.
    const stranger = (await net.nodes[13]!.addService(TRUSTEE_SERVICE, trusteeRole({ keys: net.community.trustees[2]!, community, authorities: [] }))).trustee;
    const strangerView = await settle(net, stranger.requests(board));
    assert.deepEqual(strangerView.map((r) => [r.requestId, r.status, r.error?.code]), [[requestId, 'refused', 'OPENING_AUTHORITY_REFUSED']]);
    await assert.rejects(settle(net, stranger.approve(requestId)), (e: unknown) => e instanceof TokumeiError && e.code === 'OPENING_AUTHORITY_REFUSED');
    stranger.stop();

    // Trustee 1 finds the request (once, however many copies) and approves it.
    const listed = await settle(net, trusteeOf(t1)!.requests(board));
    assert.deepEqual(listed.map((r) => [r.requestId, r.status, r.anonId, r.authority]), [[requestId, 'pending', posted.anonymousId, 'Example Health Authority']]);
    assert.equal((await settle(net, trusteeOf(t1)!.approve(requestId))).status, 'approved');
    await assert.rejects(settle(net, trusteeOf(t1)!.approve(requestId)), (e: unknown) => e instanceof TokumeiError && e.code === 'TRUSTEE_NOT_PENDING');

    // k − 1 = 1 approval: nothing opens, however long we wait.
    await net.advance(120_000);
    const waiting = authorityOf(authorityNode)!.status(requestId)!;
    assert.equal(waiting.status, 'waiting');
    assert.equal(waiting.stage, 'approvals');
    assert.equal(waiting.approvals, 1);
    assert.ok(!('result' in waiting) && waiting.auditPostId === undefined, 'no result with k − 1 approvals');
    assert.equal((await settle(net, trusteeOf(t3)!.audits(board))).length, 0, 'no audit record yet');
    // The state walk is not blind: it reaches the approval the authority holds, and a node's own key.
    const delivered = exposed.find((x) => x.who === 'trustee 1' && x.what === 'trustee sent')!;
    const partial = (JSON.parse(Buffer.from(delivered.bytes).toString()) as { approval: { partials: { partial: string }[] } }).approval.partials[0]!.partial;
    assert.ok(stateOf(authorityNode).some((x) => typeof x === 'string' && x.includes(partial)), 'the walk sees the held approval');
    assert.ok(stateOf(poster).some((x) => holds(x, allKeys[POSTER_NODE]!)), 'the walk sees the node\'s own identity');
    const serial = poster.id;

    // The k-th approval: the opening runs, is countersigned and published.
    const approved2 = await settle(net, trusteeOf(t2)!.approve(requestId, board));
    assert.ok(['approved', 'countersigned'].includes(approved2.status));
    assert.ok(await net.waitFor(() => authorityOf(authorityNode)!.status(requestId)!.status !== 'waiting', 300_000), 'the opening finished');
    const done = authorityOf(authorityNode)!.status(requestId)!;
    assert.equal(done.status, 'opened', JSON.stringify(done.error));
    assert.equal(done.result, serial, 'the result names the poster');
    assert.deepEqual(done.trustees, [1, 2]);
    assert.match(done.auditPostId!, /^[0-9a-f]{32}$/);
    assert.deepEqual(done.rejected, []);
    for (const t of [t1, t2]) {
      const v = trusteeOf(t)!.request(requestId)!;
      assert.equal(v.status, 'countersigned');
      assert.equal(v.result, serial);
    }
    // A late approval is refused: the opening is over.
    await assert.rejects(settle(net, trusteeOf(t3)!.approve(requestId, board)), (e: unknown) => e instanceof TokumeiError && e.code === 'OPENING_CLOSED');

    // The audit record is on the board, verifies, and names the poster.
    const audits = await settle(net, trusteeOf(t3)!.audits(board));
    assert.equal(audits.length, 1);
    assert.deepEqual({ ...audits[0]!, created: 0 }, {
      postId: done.auditPostId, created: 0, requestId, anonId: posted.anonymousId, authority: 'Example Health Authority', authorityKey: authority.signingPublicKey,
      reason: 'Court order 2026-117: threat posted on the board', requestedAt: asked.requestedAt, result: serial, trustees: [1, 2], verified: true,
    });

    // One approval alone cannot be combined by anyone (here: the approval trustee 1 sent).
    const sent = exposed.filter((x) => x.who === 'trustee 1' && x.what === 'trustee sent').map((x) => JSON.parse(Buffer.from(x.bytes).toString()) as { approval?: unknown });
    const oneApproval = sent.find((m) => m.approval)!.approval;
    assert.throws(() => combineOpening({ request: decodeOpeningRequest(genuine.request), approvals: [JSON.stringify(oneApproval)], escrowRecords: records, caCert: community.caCert, trusteePublics: community.trusteePublics, threshold: 2 }), (e: unknown) => e instanceof TokumeiError && e.code === 'OPENING_TOO_FEW_APPROVALS');

    // ── The inspection ─────────────────────────────────────────────────────────────────────
    snapshotAll('after the opening');
    assert.ok(snapshots > 50, `state scanned at every step (${snapshots} times)`);
    assert.deepEqual(scans, [], 'no party held another member\'s anonymity key at any step');
    const boardRecords = await settle(net, boardClientOf(net.nodes[1]!).searchAll(board, { query: '', fields: [{ key: 'request', value: requestId }] }));
    assert.equal(boardRecords.length, 3, 'notice, forged notice, audit record');
    const files = readdirSync(dir).map((f): [string, Uint8Array] => [f, readFileSync(join(dir, f))]);
    assert.ok(files.length >= 2);
    assert.ok(wire.length > 500, `the tap saw the traffic (${wire.length} sends)`);
    // Trustees 1, 2 and the late 3 each opened one share per member, one at a time; the authority
    // and the two countersigning trustees each combined once per member.
    assert.equal(exposed.filter((x) => x.what === 'share').length, 3 * NODES);
    assert.equal(exposed.filter((x) => x.what === 'combined').length, 3 * NODES);
    const haystacks: [string, Uint8Array | string][] = [
      ...exposed.map((x): [string, Uint8Array] => [`${x.who} ${x.what}`, x.bytes]),
      ...wire.map((w): [string, Uint8Array] => [`wire ${w.from}→${w.to}`, w.bytes]),
      ...boardRecords.map((r): [string, string] => [`board post ${r.postId}`, JSON.stringify(r)]),
      ...files.map(([f, b]): [string, Uint8Array] => [`file ${f}`, b]),
      ...records.map((r): [string, string] => [`escrow record ${r.memberSerial}`, JSON.stringify(r)]),
      ...reachable(net.community, new Set()).map((x): [string, Uint8Array | string] => ['CA state', x]),
      ['authority status', JSON.stringify(authorityOf(authorityNode)!.list())],
      ...[t1, t2, t3].map((t, i): [string, string] => [`trustee ${i + 1} list`, JSON.stringify(trusteeOf(t)!.request(requestId))]),
    ];
    const scan = (n: { bytes: Buffer[]; texts: Buffer[] }) => haystacks.filter(([, h]) => holds(h, n)).map(([w]) => w);
    allKeys.forEach((n, m) => assert.deepEqual(scan(n), [], `member ${m}'s anonymity key found`));
    // Shares and combined values were wiped once used.
    const used = live.filter((x) => x.what === 'share' || x.what === 'combined');
    assert.equal(used.length, 6 * NODES);
    assert.ok(used.every((x) => x.bytes.every((b) => b === 0)), 'every share and combined value was wiped');

    // The scan is not blind: a planted key is found in state, on a wire and in a file.
    const kM = net.identities[POSTER_NODE]!.anonymityKey;
    const planted = trusteeOf(t1) as unknown as { planted?: unknown };
    planted.planted = { deep: [new Map([['x', kM.slice()]])] };
    assert.deepEqual(scanState('plant'), [`plant: node ${TRUSTEE_NODES[0]} holds member ${POSTER_NODE}'s key`]);
    delete planted.planted;
    haystacks.push(['planted wire', utf8(`xx${toHex(kM.slice().reverse()).toUpperCase()}yy`)]);
    writeFileSync(join(dir, 'planted'), Buffer.from(toBase64(encodeScalar(modL(-decodeScalar(kM))))));
    haystacks.push(['planted file', readFileSync(join(dir, 'planted'))]);
    assert.deepEqual(scan(allKeys[POSTER_NODE]!), ['planted wire', 'planted file']);
  } finally {
    net.sim!.wiretap = undefined;
    await net.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Replicas keeping each other up to date (docs/protocol.md §7.6): each replica serves a sync
 * address, announces it (signed with the board key) by HELLO to the board address — which reaches
 * some other replica — learns the others' announcements from the answer, and PULLs from every peer
 * what it stored since the cursor kept on disk. Every pulled record is checked as if a client had
 * sent it, so a lying replica cannot plant anything.
 */
import { toHex } from '../crypto/bytes.js';
import { TokumeiError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { OwnAddress } from '../routing/relay/routing-context.js';
import type { Router, ServiceRequest } from '../routing/router.js';
import type { Runtime, TimerHandle } from '../runtime/runtime.js';
import { createAnnouncement, decodeAnnouncement } from './announcement.js';
import type { BoardKeys } from './board-keys.js';
import type { BoardStore } from './board-store.js';
import {
  decodeHelloAnswer,
  decodePullAnswer,
  decodePullRequest,
  decodeRequest,
  decodeResponse,
  encodeError,
  encodeHelloAnswer,
  encodeOk,
  encodePullAnswer,
  encodePullRequest,
  encodeRequest,
} from './messages.js';
import { BOARD_LIMITS, BoardOp, RecordKind, type Announcement } from './types.js';
import { BoardErrors } from './board-errors.js';

/** Records asked for per PULL, and PULLs per peer per round: a round moves at most 2,000 records. */
const PULL_LIMIT = 200;
const PAGES_PER_ROUND = 10;
/** Until the first HELLO is answered, try again this often. */
const HELLO_RETRY_MS = 10_000;

interface Peer {
  announcement: Announcement;
  lastPull: number | undefined;
  pulling: boolean;
}

export interface SyncOptions {
  router: Router;
  runtime: Runtime;
  keys: BoardKeys;
  store: BoardStore;
  logger: Logger;
  config: { helloEveryMs: number; pullEveryMs: number; requestTimeoutMs: number };
  ingest(kind: 'post' | 'reply' | 'reservation', bytes: Uint8Array, origin: 'sync'): Promise<unknown>;
}

export class ReplicaSync {
  private readonly peers = new Map<string, Peer>(); // BOUNDED(BOARD_LIMITS.maxReplicaPeers): by replica id hex
  private syncAddress: OwnAddress | undefined;
  private own: Announcement | undefined;
  private readonly timers: TimerHandle[] = [];
  private helloTimer: TimerHandle | undefined;
  private stopped = false;
  private readonly replicaHex: string;
  readonly counters = { hellos: 0, helloFailures: 0, pulls: 0, pullFailures: 0, refusedRecords: 0 };

  constructor(private readonly o: SyncOptions) {
    this.replicaHex = toHex(o.store.replicaId);
  }

  start(): void {
    this.syncAddress = this.o.router.newAddress('inbox');
    this.o.router.serve(this.syncAddress, (req) => void this.onSyncRequest(req));
    this.scheduleHello(1_000);
    this.timers.push(this.o.runtime.clock.setInterval(() => this.pullAll(), this.o.config.pullEveryMs));
  }

  stop(): void {
    this.stopped = true;
    this.helloTimer?.cancel();
    for (const t of this.timers) t.cancel();
    if (this.syncAddress) this.o.router.unserve(this.syncAddress);
  }

  peerStatus(): { replicaId: string; lastPull: number | undefined; cursor: number }[] {
    return [...this.peers.entries()].map(([id, p]) => ({ replicaId: id, lastPull: p.lastPull, cursor: this.o.store.cursor(id) }));
  }

  /** Our announcement, re-signed with a fresh `issued` when it is older than a minute. */
  private announcement(): Announcement {
    const now = this.o.runtime.clock.now();
    if (!this.own || now - this.own.issued > 60_000) {
      this.own = createAnnouncement({ replicaId: this.o.store.replicaId, issued: now, syncAddress: this.syncAddress!.text }, this.o.keys.signingKey);
    }
    return this.own;
  }

  private learn(bytes: Uint8Array): void {
    const now = this.o.runtime.clock.now();
    const a = decodeAnnouncement(bytes, this.o.keys.public.signingKey, now);
    const id = toHex(a.replicaId);
    if (id === this.replicaHex) return;
    const known = this.peers.get(id);
    if (known) {
      if (a.issued > known.announcement.issued) known.announcement = a;
      return;
    }
    this.dropStale(now);
    if (this.peers.size >= BOARD_LIMITS.maxReplicaPeers) return;
    this.peers.set(id, { announcement: a, lastPull: undefined, pulling: false });
    this.o.logger.log('info', 'board.peer', { replica: id.slice(0, 8), peers: this.peers.size });
  }

  private dropStale(now: number): void {
    for (const [id, p] of this.peers) if (now - p.announcement.issued > 10 * 60_000) this.peers.delete(id);
  }

  // ── HELLO ───────────────────────────────────────────────────────────────────────────────────

  private scheduleHello(ms: number): void {
    if (this.stopped) return;
    this.helloTimer?.cancel();
    this.helloTimer = this.o.runtime.clock.setTimeout(() => void this.hello(), ms);
  }

  private async hello(): Promise<void> {
    try {
      const bytes = await this.o.router.request(this.o.keys.public.routingAddress, encodeRequest(BoardOp.HELLO, this.announcement().bytes), { timeoutMs: this.o.config.requestTimeoutMs, strategy: { multicastFallback: false } }); // never answered by multicast (§7.6)
      const answer = decodeResponse(bytes);
      if (!answer.ok) throw new TokumeiError('refused', answer.code, answer.message);
      for (const a of decodeHelloAnswer(answer.body)) {
        try {
          this.learn(a);
        } catch (e) {
          this.o.logger.log('info', 'board.bad-announcement', { reason: describeError(e) });
        }
      }
      this.counters.hellos++;
      this.scheduleHello(this.o.config.helloEveryMs);
      this.pullAll();
    } catch (e) {
      this.counters.helloFailures++;
      this.o.logger.log('debug', 'board.hello-failed', { reason: describeError(e) });
      this.scheduleHello(this.counters.hellos === 0 ? HELLO_RETRY_MS : this.o.config.helloEveryMs);
    }
  }

  /** HELLO at the board address: learn the caller, answer with what we know (§7.6). */
  onHello(body: Uint8Array): Uint8Array {
    this.learn(body);
    const now = this.o.runtime.clock.now();
    this.dropStale(now);
    return encodeHelloAnswer([this.announcement().bytes, ...[...this.peers.values()].map((p) => p.announcement.bytes)]);
  }

  // ── PULL ────────────────────────────────────────────────────────────────────────────────────

  private async onSyncRequest(req: ServiceRequest): Promise<void> {
    let answer: Uint8Array;
    try {
      const request = decodeRequest(req.bytes);
      if (request.op !== BoardOp.PULL) throw BoardErrors.BOARD_BAD_REQUEST('only PULL is served at a sync address');
      const pull = decodePullRequest(request.body);
      this.learn(pull.announcement); // proves the caller holds the board key (§7.6)
      const page = this.o.store.pull(pull.since, pull.limit, this.o.runtime.clock.now());
      answer = encodeOk(encodePullAnswer({ next: page.next, more: page.more, records: page.records.map((r) => ({ kind: r.kind, bytes: r.record })) }));
    } catch (e) {
      const code = e instanceof TokumeiError ? e.code : 'BOARD_INTERNAL';
      this.o.logger.log('info', 'board.pull-refused', { code });
      answer = encodeError(code, e instanceof TokumeiError ? e.message : 'internal error');
    }
    await req.respond(answer).catch(() => undefined);
  }

  private pullAll(): void {
    if (this.stopped) return;
    for (const [id, peer] of this.peers) if (!peer.pulling) void this.pullFrom(id, peer);
  }

  private async pullFrom(id: string, peer: Peer): Promise<void> {
    peer.pulling = true;
    try {
      for (let page = 0; page < PAGES_PER_ROUND && !this.stopped; page++) {
        const since = this.o.store.cursor(id);
        const body = encodePullRequest({ announcement: this.announcement().bytes, since, limit: PULL_LIMIT });
        const bytes = await this.o.router.request(peer.announcement.syncAddress, encodeRequest(BoardOp.PULL, body), { timeoutMs: this.o.config.requestTimeoutMs });
        const answer = decodeResponse(bytes);
        if (!answer.ok) throw new TokumeiError('refused', answer.code, answer.message);
        const pulled = decodePullAnswer(answer.body);
        for (const r of pulled.records) {
          const kind = r.kind === RecordKind.POST ? 'post' : r.kind === RecordKind.REPLY ? 'reply' : 'reservation';
          try {
            await this.o.ingest(kind, r.bytes, 'sync');
          } catch (e) {
            this.counters.refusedRecords++;
            this.o.logger.log('info', 'board.sync-refused', { kind, code: e instanceof TokumeiError ? e.code : 'BOARD_INTERNAL' });
          }
        }
        if (pulled.next > since) this.o.store.setCursor(id, pulled.next);
        this.counters.pulls++;
        peer.lastPull = this.o.runtime.clock.now();
        if (!pulled.more) break;
      }
    } catch (e) {
      this.counters.pullFailures++;
      this.o.logger.log('debug', 'board.pull-failed', { replica: id.slice(0, 8), reason: describeError(e) });
    } finally {
      peer.pulling = false;
    }
  }
}

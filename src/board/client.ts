/**
 * A member's side of the board (docs/protocol.md §7): post, search, get, reply, read replies to
 * its own posts, and leave search reservations. Each request goes on a fresh onion route
 * (Router.request), so the board can link none of them; posts and replies are signed under fresh
 * one-time anonymous IDs. Only this node holds y (user-key.ts), so only it opens replies to its
 * posts. What it remembers of its own posts (ids, never content) stays on this device.
 */
import { existsSync } from 'node:fs';
import { toHex } from '../crypto/bytes.js';
import { describeError, errorSpec, remoteRefusal, retrying } from '../errors.js';
import type { NodeIdentity } from '../identity/types.js';
import { readJsonFile } from '../files/bounded-read.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import type { Logger } from '../log.js';
import type { Router } from '../routing/router.js';
import type { Runtime } from '../runtime/runtime.js';
import { decodeBoardAddress, type BoardAddress } from './board-address.js';
import {
  checkEntry,
  decodeEntry,
  decodeRepliesAnswer,
  decodeReplyAnswer,
  decodeResponse,
  decodeSearchAnswer,
  decodeStoredAnswer,
  encodeGetRequest,
  encodeRepliesRequest,
  encodeRequest,
  encodeSearchRequest,
} from './messages.js';
import { decodeNotification } from './notification.js';
import { createPost } from './post.js';
import { createReply, decodeReply, openReply } from './reply.js';
import { createReservation } from './reservation.js';
import { boardUserKey } from './user-key.js';
import { BOARD_LIMITS, BoardOp, type BoardEntry, type BoardField, type BoardOpCode } from './types.js';

/** BOUNDED: own posts remembered (expired ones are forgotten first). */
const MAX_OWN_POSTS = 10_000;
/** BOUNDED: notifications kept. */
const MAX_NOTIFICATIONS = 1_000;
/** A post missing at the replica reached is asked for again this often, after a pull round. */
const CATCH_UP_TRIES = 2;
const CATCH_UP_WAIT_MS = 6_000;
/** Tries of one request on fresh routes, at most (see `call`). */
const MAX_TRIES = 8;

export interface BoardResult {
  postId: string;
  /** The post's one-time anonymous ID (hex, 64 bytes). */
  anonymousId: string;
  created: number;
  expires: number;
  text: string;
  fields: BoardField[];
}

export interface ReadReply {
  postId: string;
  replyId: string;
  created: number;
  text: string;
  answerAddress: string;
}

export interface BoardNotification {
  reservationId: string;
  receivedAt: number;
  post: BoardResult;
}

interface OwnPost {
  board: string;
  postId: string;
  expires: number;
}

export interface BoardClientOptions {
  router: Router;
  runtime: Runtime;
  identity: NodeIdentity;
  logger: Logger;
  /** Where the ids of own posts are kept across restarts (a file in NODEDIR); in memory if absent. */
  statePath?: string;
  timeoutMs?: number;
  attempts?: number;
}

export function resultOf(e: BoardEntry): BoardResult {
  return { postId: e.post.id, anonymousId: toHex(e.post.anonId), created: e.post.created, expires: e.post.expires, text: e.message.text, fields: e.message.fields };
}

export class BoardClient {
  private readonly y: { privateKey: Uint8Array; publicKey: Uint8Array };
  private own: OwnPost[] = []; // BOUNDED(MAX_OWN_POSTS)
  private readonly notes: BoardNotification[] = []; // BOUNDED(MAX_NOTIFICATIONS)
  private readonly noteKeys = new Set<string>(); // same entries: reservation|post
  private loaded: Promise<void> | undefined;

  constructor(private readonly o: BoardClientOptions) {
    this.y = boardUserKey(o.identity.onionPrivateKey);
  }

  private now(): number {
    return this.o.runtime.clock.now();
  }

  /**
   * One request on a fresh route; retried on a new route when the route failed: up to `attempts`
   * failures that cost a timeout, and up to MAX_TRIES tries in all (NO_ROUTE comes within seconds:
   * the seeks found no route of ≥ 3 relays, as happens now and then in a small overlay).
   */
  private async call(board: BoardAddress, op: BoardOpCode, body: Uint8Array): Promise<{ ok: true; body: Uint8Array } | { ok: false; code: string; message: string }> {
    // No multicast fallback: a replica never answers a request that came by multicast (§7.6),
    // so without a route the request fails at once (NO_ROUTE) and is tried on a fresh one.
    const bytes = await retrying(() => this.o.router.request(board.routingAddress, encodeRequest(op, body), { timeoutMs: this.o.timeoutMs ?? 30_000, strategy: { multicastFallback: false } }), {
      attempts: this.o.attempts ?? 3,
      maxTries: MAX_TRIES,
      onRetry: (e) => this.o.logger.log('debug', 'board.retry', { op, reason: describeError(e) }),
    });
    return decodeResponse(bytes);
  }

  private async ok(board: BoardAddress, op: BoardOpCode, body: Uint8Array): Promise<Uint8Array> {
    for (let i = 0; ; i++) {
      const r = await this.call(board, op, body);
      if (r.ok) return r.body;
      // Replicas catch up within a pull round (§7.6): a post just made elsewhere may be missing.
      if (errorSpec(r.code)?.retry === 'after-waiting' && i < CATCH_UP_TRIES) {
        await new Promise<void>((resolve) => this.o.runtime.clock.setTimeout(resolve, CATCH_UP_WAIT_MS));
        continue;
      }
      throw remoteRefusal(r.code, `the board refused: ${r.message}`);
    }
  }

  async post(boardText: string, p: { text: string; fields?: BoardField[]; ttlSeconds: number }): Promise<{ postId: string; anonymousId: string; expires: number }> {
    const board = decodeBoardAddress(boardText);
    const { record } = await createPost({ text: p.text, fields: p.fields ?? [], ttlSeconds: p.ttlSeconds, now: this.now(), anonymityKey: this.o.identity.anonymityKey, userPublicKey: this.y.publicKey, sealKey: board.sealKey });
    const r = await this.call(board, BoardOp.POST, record.bytes);
    // A retry after a lost answer meets our own first copy: that is success.
    if (!r.ok && r.code !== 'BOARD_DUPLICATE') throw remoteRefusal(r.code, `the board refused the post: ${r.message}`);
    const expires = r.ok ? decodeStoredAnswer(r.body).expires : record.expires;
    await this.remember({ board: boardText, postId: record.id, expires });
    return { postId: record.id, anonymousId: toHex(record.anonId), expires };
  }

  async search(boardText: string, q: { query: string; fields?: BoardField[]; limit?: number; before?: number }): Promise<BoardResult[]> {
    const board = decodeBoardAddress(boardText);
    const body = encodeSearchRequest({ query: q.query, fields: q.fields ?? [], limit: q.limit ?? BOARD_LIMITS.maxSearchResults, before: q.before ?? 0 });
    const entries = decodeSearchAnswer(await this.ok(board, BoardOp.SEARCH, body));
    return entries.map((e) => resultOf(checkEntry(e, this.now())));
  }

  /**
   * Every match, newest first, a page (one request, one fresh route) at a time: each page asks for
   * posts created before the oldest seen (+1 ms, so posts sharing that millisecond are not
   * skipped; duplicates are dropped). Stops at `maxResults` or when a page brings nothing new.
   */
  async searchAll(boardText: string, q: { query: string; fields?: BoardField[] }, maxResults = 10_000): Promise<BoardResult[]> {
    const seen = new Map<string, BoardResult>(); // BOUNDED(maxResults)
    let before = 0;
    while (seen.size < maxResults) {
      const page = await this.search(boardText, { ...q, before });
      let fresh = 0;
      for (const r of page) if (!seen.has(r.postId)) (seen.set(r.postId, r), fresh++);
      if (page.length < BOARD_LIMITS.maxSearchResults || fresh === 0) break;
      before = Math.min(...page.map((r) => r.created)) + 1;
    }
    return [...seen.values()];
  }

  async get(boardText: string, postId: string): Promise<BoardResult> {
    const board = decodeBoardAddress(boardText);
    return resultOf(checkEntry(decodeEntry(await this.ok(board, BoardOp.GET, encodeGetRequest(postId))), this.now()));
  }

  async reply(boardText: string, postId: string, r: { text: string; answerAddress?: string }): Promise<{ replyId: string }> {
    const board = decodeBoardAddress(boardText);
    const entry = checkEntry(decodeEntry(await this.ok(board, BoardOp.GET, encodeGetRequest(postId))), this.now());
    const reply = await createReply({ post: entry.post, text: r.text, answerAddress: r.answerAddress ?? '', now: this.now(), anonymityKey: this.o.identity.anonymityKey });
    let res = await this.call(board, BoardOp.REPLY, reply.bytes);
    // The replica reached this time may not have the post yet (§7.6): ask again after a pull round.
    for (let i = 0; !res.ok && errorSpec(res.code)?.retry === 'after-waiting' && i < CATCH_UP_TRIES; i++) {
      await new Promise<void>((resolve) => this.o.runtime.clock.setTimeout(resolve, CATCH_UP_WAIT_MS));
      res = await this.call(board, BoardOp.REPLY, reply.bytes);
    }
    if (!res.ok && res.code !== 'BOARD_DUPLICATE') throw remoteRefusal(res.code, `the board refused the reply: ${res.message}`);
    return { replyId: res.ok ? decodeReplyAnswer(res.body) : reply.id };
  }

  /** Replies to one post of ours, or to every unexpired post of ours on this board. */
  async replies(boardText: string, postId?: string): Promise<ReadReply[]> {
    const board = decodeBoardAddress(boardText);
    await this.load();
    const now = this.now();
    const ids = postId ? [postId] : this.own.filter((p) => p.board === boardText && p.expires > now).map((p) => p.postId);
    const out: ReadReply[] = [];
    for (const id of ids) {
      const records = decodeRepliesAnswer(await this.ok(board, BoardOp.REPLIES, encodeRepliesRequest({ postId: id, since: 0 })));
      for (const bytes of records) {
        const reply = decodeReply(bytes);
        if (reply.postId !== id) continue; // the board's answer must be about the post asked
        const m = await openReply(reply, this.y.privateKey); // BOARD_NOT_MINE for someone else's post
        out.push({ postId: id, replyId: reply.id, created: reply.created, text: m.text, answerAddress: m.answerAddress });
      }
    }
    return out;
  }

  /** Leaves a reservation; its notify address is served until it expires. */
  async reserve(boardText: string, q: { query: string; fields?: BoardField[]; ttlSeconds: number }): Promise<{ reservationId: string; expires: number }> {
    const board = decodeBoardAddress(boardText);
    const address = this.o.router.newAddress('inbox');
    const record = createReservation({ notifyAddress: address.text, query: q.query, fields: q.fields ?? [], ttlSeconds: q.ttlSeconds, now: this.now(), anonymityKey: this.o.identity.anonymityKey });
    this.o.router.serve(address, (req) => this.onNotification(board, boardText, req.bytes));
    try {
      const stored = decodeStoredAnswer(await this.ok(board, BoardOp.RESERVE, record.bytes));
      this.o.runtime.clock.setTimeout(() => this.o.router.unserve(address), Math.max(0, stored.expires - this.now()));
      return { reservationId: stored.id, expires: stored.expires };
    } catch (e) {
      this.o.router.unserve(address);
      throw e;
    }
  }

  notifications(): BoardNotification[] {
    return [...this.notes];
  }

  ownPosts(): OwnPost[] {
    return [...this.own];
  }

  private onNotification(board: BoardAddress, boardText: string, bytes: Uint8Array): void {
    try {
      const n = decodeNotification(bytes, board.signingKey);
      const key = `${n.reservationId}|${n.entry.post.id}`;
      if (this.noteKeys.has(key)) return;
      this.noteKeys.add(key);
      this.notes.push({ reservationId: n.reservationId, receivedAt: this.now(), post: resultOf(n.entry) });
      while (this.notes.length > MAX_NOTIFICATIONS) {
        const old = this.notes.shift()!;
        this.noteKeys.delete(`${old.reservationId}|${old.post.postId}`);
      }
      this.o.logger.log('info', 'board.notified', { board: boardText.slice(0, 12), reservation: n.reservationId });
    } catch (e) {
      this.o.logger.log('info', 'board.bad-notification', { reason: describeError(e) });
    }
  }

  private load(): Promise<void> {
    return (this.loaded ??= (async () => {
      const path = this.o.statePath;
      if (!path || !existsSync(path)) return;
      try {
        const data = (await readJsonFile(path, 4 * 1024 * 1024, 'BOARD_STATE_MALFORMED')) as { posts?: unknown };
        if (Array.isArray(data.posts)) {
          this.own = data.posts.filter((p): p is OwnPost => typeof p?.board === 'string' && typeof p?.postId === 'string' && /^[0-9a-f]{32}$/.test(p.postId) && Number.isFinite(p?.expires));
        }
      } catch (e) {
        this.o.logger.log('warn', 'board.state-unreadable', { reason: describeError(e) });
      }
    })());
  }

  private async remember(p: OwnPost): Promise<void> {
    await this.load();
    const now = this.now();
    this.own = this.own.filter((x) => x.expires > now);
    this.own.push(p);
    if (this.own.length > MAX_OWN_POSTS) this.own.splice(0, this.own.length - MAX_OWN_POSTS);
    if (this.o.statePath) await writeFileAtomic(this.o.statePath, JSON.stringify({ format: 'tokumei-board-client/1', posts: this.own }));
  }
}


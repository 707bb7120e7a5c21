/**
 * A trustee's side of an emergency opening over the network (DESIGN §4, docs/protocol.md §2.8).
 * The node of a trustee lists the opening notices it finds on a board, each checked (signatures,
 * the trustee's own authorities.json, the request's age), and approves one only when its human
 * says so (`approve`, from the control API or the CLI): it opens its escrow shares one at a time,
 * sends the signed partials to the authority's approval address over an onion route, and serves
 * a one-time countersign address. There it accepts the approvals the authority combined, re-runs
 * the combination itself (it trusts no one's arithmetic) and signs the audit statement.
 *
 * It holds its own escrow shares only while computing a partial (trustee-approval.ts wipes each);
 * approvals it receives to countersign are dropped once signed.
 */
import { TokumeiError, describeError } from '../errors.js';
import { toHex, utf8 } from '../crypto/bytes.js';
import { sha256 } from '../crypto/hash.js';
import type { BoardClient, BoardResult } from '../board/client.js';
import type { TrusteeKeys } from '../identity/trustee.js';
import type { Logger } from '../log.js';
import type { Router, ServiceRequest } from '../routing/router.js';
import type { OwnAddress } from '../routing/relay/routing-context.js';
import type { Runtime, TimerHandle } from '../runtime/runtime.js';
import { countersignOpening } from './audit-record.js';
import type { CommunityMaterial } from './community-material.js';
import {
  approvalBytesBound,
  COUNTERSIGN_FORMAT,
  COUNTERSIGNATURE_FORMAT,
  createDelivery,
  decodeOpeningMessage,
  encodeOpeningMessage,
  expectAnswer,
  RECEIPT_FORMAT,
  refusal,
  refusalOf,
  type OpeningMessage,
} from './opening-messages.js';
import { decodeOpeningNotice, NOTICE_KIND, type OpeningNotice } from './opening-notice.js';
import { checkAuthority, checkRequestTime, encodeOpeningRequest, OPENING_REQUEST_MAX_AGE_MS, type OpeningAuthority } from './opening-request.js';
import { askOverRoute, DEFAULT_OPENING_CONFIG, type OpeningConfig } from './opening-transport.js';
import { approveOpening, encodeOpeningApproval } from './trustee-approval.js';
import { readAudits, type AuditView } from './opening-audits.js';
import { TrusteeErrors } from './trustees-errors.js';

/** BOUNDED: requests remembered (the oldest settled ones are forgotten first). */
const MAX_REQUESTS = 256;
/** BOUNDED: boards watched (the ones asked about). */
const MAX_BOARDS = 16;
/** BOUNDED: approvals being computed at once (each opens every escrow share in turn). */
const MAX_APPROVING = 4;
/** BOUNDED: countersign rounds answered per approved request (a lost answer is asked again). */
const MAX_COUNTERSIGNS = 4;
const ANSWER_MAX_BYTES = 4096;

export type TrusteeRequestStatus = 'pending' | 'approving' | 'approved' | 'countersigned' | 'refused' | 'failed';

/** What GET /api/trustee/requests lists. */
export interface TrusteeRequestView {
  requestId: string;
  board: string;
  /** The notice's post on the board. */
  postId: string;
  anonId: string;
  authority: string;
  authorityKey: string;
  reason: string;
  requestedAt: number;
  /**
   * pending: can be approved; approving: computing and sending; approved: the authority has the
   * approval; countersigned: this trustee signed the audit statement; refused: this trustee's
   * policy says no (error says why); failed: approving failed (error), may be tried again.
   */
  status: TrusteeRequestStatus;
  error?: { code: string; message: string };
  /** After countersigning: the member serial the opening named (null: no member). */
  result?: string | null;
}

interface Entry {
  board: string;
  postId: string;
  notice: OpeningNotice;
  status: TrusteeRequestStatus;
  error?: { code: string; message: string };
  result?: string | null;
  /** SHA-256 of our approval's canonical JSON: the countersign bundle must hold exactly it. */
  approvalDigest?: string;
  countersignAddress?: OwnAddress;
  countersigns: number;
  timer?: TimerHandle;
}

export interface TrusteeServiceOptions {
  router: Router;
  board: BoardClient;
  runtime: Runtime;
  logger: Logger;
  keys: TrusteeKeys;
  community: CommunityMaterial;
  /** This trustee's authorities.json (read at each use when a function). */
  authorities: readonly OpeningAuthority[] | (() => Promise<readonly OpeningAuthority[]>);
  /** Boards to look for requests on when none is named. */
  boards?: readonly string[];
  config?: Partial<OpeningConfig>;
  /** TEST AID ONLY: every message sent or received, and the working buffers of approving and countersigning. */
  inspect?: (what: string, bytes: Uint8Array) => void;
}

export class TrusteeService {
  private readonly entries = new Map<string, Entry>(); // BOUNDED(MAX_REQUESTS): by requestId
  private readonly boards = new Map<string, { at: number; pending?: Promise<void> }>(); // BOUNDED(MAX_BOARDS)
  private readonly config: OpeningConfig;
  private approving = 0;
  private stopped = false;

  constructor(private readonly o: TrusteeServiceOptions) {
    this.config = { ...DEFAULT_OPENING_CONFIG, ...o.config };
    for (const b of o.boards ?? []) this.watch(b);
  }

  get index(): number {
    return this.o.keys.index;
  }

  /** k and n of the community. */
  get threshold(): number {
    return this.o.community.threshold;
  }

  get trustees(): number {
    return this.o.community.trusteePublics.length;
  }

  /** The boards looked at when none is named. */
  watchedBoards(): string[] {
    return [...this.boards.keys()];
  }

  async authorities(): Promise<readonly OpeningAuthority[]> {
    const a = this.o.authorities;
    return typeof a === 'function' ? a() : a;
  }

  /** Requests found on `board` (or every watched board), newest first; searches again when stale. */
  async requests(board?: string): Promise<TrusteeRequestView[]> {
    const boards = board === undefined ? this.watchedBoards() : [board];
    if (boards.length === 0) throw TrusteeErrors.TRUSTEE_NO_BOARD('name a board to look for opening requests on');
    for (const b of boards) this.watch(b);
    await Promise.all(boards.map((b) => this.refresh(b)));
    return [...this.entries.values()].filter((e) => boards.includes(e.board)).map((e) => this.view(e)).sort((a, b) => b.requestedAt - a.requestedAt);
  }

  /** The known request, without asking the board. */
  request(requestId: string): TrusteeRequestView | undefined {
    const e = this.entries.get(requestId);
    return e ? this.view(e) : undefined;
  }

  /** Audit records on `board`, each verified against the community's trustee keys. */
  audits(board: string): Promise<AuditView[]> {
    return readAudits(this.o.board, board, this.o.community);
  }

  /**
   * The human's decision: approves request `requestId` (looked for on `board`, or the watched
   * boards, when not listed yet) and delivers the approval to the authority. Resolves once the
   * authority acknowledged it.
   */
  async approve(requestId: string, board?: string): Promise<TrusteeRequestView> {
    if (!this.entries.has(requestId) && (board !== undefined || this.boards.size > 0)) await this.requests(board);
    const e = this.entries.get(requestId);
    if (!e) throw TrusteeErrors.TRUSTEE_NO_SUCH_REQUEST(`no opening request ${requestId} on the board${board === undefined ? 's looked at' : ''}`);
    if (e.status === 'refused') throw new TokumeiError('refused', e.error?.code ?? 'TRUSTEE_REFUSED', e.error?.message ?? 'this trustee refuses the request');
    if (e.status !== 'pending' && e.status !== 'failed') throw TrusteeErrors.TRUSTEE_NOT_PENDING(`request ${requestId} is ${e.status}`);
    if (this.approving >= MAX_APPROVING) throw TrusteeErrors.TRUSTEE_BUSY(`already approving ${MAX_APPROVING} requests`);
    if (this.stopped) throw TrusteeErrors.TRUSTEE_STOPPED('the node is stopping');
    const { router, runtime, keys, community } = this.o;
    this.approving++;
    e.status = 'approving';
    delete e.error;
    try {
      const approval = await approveOpening({
        request: e.notice.request,
        trusteeKeys: keys,
        escrowRecords: await community.escrowRecords(),
        caCert: community.caCert,
        authorities: await this.authorities(),
        now: runtime.clock.now(),
        random: runtime.random,
        inspect: this.o.inspect,
      });
      e.approvalDigest = toHex(sha256(utf8(encodeOpeningApproval(approval))));
      if (!e.countersignAddress) {
        const address = router.newAddress('inbox');
        router.serve(address, (req) => this.onCountersign(e, req));
        e.countersignAddress = address;
        const left = e.notice.request.requestedAt + OPENING_REQUEST_MAX_AGE_MS - runtime.clock.now();
        e.timer = runtime.clock.setTimeout(() => this.unserve(e), Math.max(0, left) + 60_000);
      }
      const bytes = encodeOpeningMessage(createDelivery(approval, e.countersignAddress.text, keys.signingPrivateKey));
      this.o.inspect?.('trustee sent', bytes);
      const answer = await askOverRoute(router, this.o.logger, e.notice.approvalAddress, bytes, this.config);
      this.o.inspect?.('trustee received', answer);
      expectAnswer(answer, RECEIPT_FORMAT, ANSWER_MAX_BYTES);
      if (e.status === 'approving') e.status = 'approved'; // a fast countersign may have come first
      this.o.logger.log('info', 'trustee.approved', { request: requestId, index: keys.index });
      return this.view(e);
    } catch (err) {
      if ((e.status as TrusteeRequestStatus) === 'countersigned') return this.view(e); // only the receipt was lost
      e.status = 'failed';
      e.error = { code: err instanceof TokumeiError ? err.code : 'TRUSTEE_APPROVE_FAILED', message: describeError(err) };
      this.unserve(e);
      delete e.approvalDigest;
      this.o.logger.log('warn', 'trustee.approve-failed', { request: requestId, code: e.error.code });
      throw err;
    } finally {
      this.approving--;
    }
  }

  stop(): void {
    this.stopped = true;
    for (const e of this.entries.values()) this.unserve(e);
  }

  private view(e: Entry): TrusteeRequestView {
    const q = e.notice.request;
    return {
      requestId: q.requestId,
      board: e.board,
      postId: e.postId,
      anonId: q.anonId,
      authority: q.authority,
      authorityKey: q.authorityKey,
      reason: q.reason,
      requestedAt: q.requestedAt,
      status: e.status,
      ...(e.error ? { error: e.error } : {}),
      ...(e.result !== undefined ? { result: e.result } : {}),
    };
  }

  private watch(board: string): void {
    if (this.boards.has(board)) return;
    if (this.boards.size >= MAX_BOARDS) this.boards.delete(this.boards.keys().next().value!);
    this.boards.set(board, { at: -Infinity });
  }

  private refresh(board: string): Promise<void> {
    const state = this.boards.get(board)!;
    if (state.pending) return state.pending;
    if (this.o.runtime.clock.now() - state.at < this.config.listingFreshMs) return Promise.resolve();
    state.pending = (async () => {
      try {
        const posts = await this.o.board.searchAll(board, { query: '', fields: [{ key: 'kind', value: NOTICE_KIND }] }, MAX_REQUESTS);
        const authorities = await this.authorities();
        for (const p of posts) this.consider(board, p, authorities);
        state.at = this.o.runtime.clock.now();
      } finally {
        state.pending = undefined;
      }
    })();
    return state.pending;
  }

  /** One notice from the board: checked, then listed as pending or refused. */
  private consider(board: string, p: BoardResult, authorities: readonly OpeningAuthority[]): void {
    let notice: OpeningNotice;
    try {
      notice = decodeOpeningNotice(p.text);
    } catch (e) {
      this.o.logger.log('info', 'trustee.bad-notice', { post: p.postId, reason: describeError(e) });
      return;
    }
    const id = notice.request.requestId;
    let error: { code: string; message: string } | undefined;
    try {
      checkAuthority(notice.request, authorities);
      checkRequestTime(notice.request, this.o.runtime.clock.now());
    } catch (e) {
      error = { code: (e as TokumeiError).code ?? 'TRUSTEE_REFUSED', message: (e as Error).message };
    }
    const known = this.entries.get(id);
    if (known) {
      // The notice is signed by the request's key: two notices of one request differ only if the
      // authority made both. The first one seen stands; only the policy verdict is updated.
      if (known.status === 'pending' || known.status === 'refused') {
        known.status = error ? 'refused' : 'pending';
        if (error) known.error = error;
        else delete known.error;
      }
      return;
    }
    this.entries.set(id, { board, postId: p.postId, notice, status: error ? 'refused' : 'pending', ...(error ? { error } : {}), countersigns: 0 });
    for (const [key, x] of this.entries) {
      if (this.entries.size <= MAX_REQUESTS) break;
      if (x.status === 'pending' || x.status === 'refused' || x.status === 'failed') (this.unserve(x), this.entries.delete(key));
    }
  }

  private unserve(e: Entry): void {
    e.timer?.cancel();
    e.timer = undefined;
    if (e.countersignAddress) this.o.router.unserve(e.countersignAddress);
    e.countersignAddress = undefined;
  }

  // ── the countersign round ──────────────────────────────────────────────────────────────────

  private onCountersign(e: Entry, req: ServiceRequest): void {
    this.o.inspect?.('trustee received', req.bytes);
    this.countersign(e, req.bytes)
      .catch((err: unknown) => refusalOf(err))
      .then((answer) => {
        const bytes = encodeOpeningMessage(answer);
        this.o.inspect?.('trustee sent', bytes);
        return req.respond(bytes);
      })
      .catch((err: unknown) => this.o.logger.log('info', 'trustee.answer-failed', { reason: describeError(err) }));
  }

  /** Re-runs the combination on the authority's bundle and signs what this trustee finds. */
  private async countersign(e: Entry, bytes: Uint8Array): Promise<OpeningMessage> {
    if (e.countersigns >= MAX_COUNTERSIGNS) return refusal('TRUSTEE_COUNTERSIGN_LIMIT', 'this request was countersigned enough times');
    if (!e.approvalDigest) return refusal('TRUSTEE_NOT_APPROVED', 'this trustee has not approved the request');
    e.countersigns++;
    const { community, keys } = this.o;
    const records = await community.escrowRecords();
    const m = decodeOpeningMessage(bytes, 4096 + community.trusteePublics.length * approvalBytesBound(records.length));
    if (m.format !== COUNTERSIGN_FORMAT) return refusal('OPENING_BAD_MESSAGE', `expected ${COUNTERSIGN_FORMAT}`);
    if (encodeOpeningRequest(m.request) !== encodeOpeningRequest(e.notice.request)) return refusal('OPENING_WRONG_REQUEST', 'the bundle is for another request');
    const own = m.approvals.find((a) => a.trusteeIndex === keys.index);
    if (!own || toHex(sha256(utf8(encodeOpeningApproval(own)))) !== e.approvalDigest) return refusal('TRUSTEE_NOT_MY_APPROVAL', 'the bundle does not hold this trustee\'s approval as sent');
    const { result, signature } = countersignOpening({
      request: e.notice.request,
      approvals: m.approvals,
      escrowRecords: records,
      caCert: community.caCert,
      trusteePublics: community.trusteePublics,
      threshold: community.threshold,
      trusteeKeys: keys,
      inspect: this.o.inspect,
    });
    e.status = 'countersigned';
    e.result = result.memberSerial ?? null;
    this.o.logger.log('info', 'trustee.countersigned', { request: e.notice.request.requestId, index: keys.index });
    return { format: COUNTERSIGNATURE_FORMAT, requestHash: result.requestHash, result: e.result, trustees: [...result.approvingTrustees], index: keys.index, signature: signature.signature };
  }
}

/**
 * The authority's side of an emergency opening over the network (DESIGN §4, docs/protocol.md
 * §2.8) — "the tool that runs the opening". It signs a request for one anonymous ID, serves a
 * one-time approval address, announces both on the board (opening-notice.ts), gathers the
 * trustees' approvals there, combines them once k are in (opening-combiner.ts: points only, no
 * k_m), has every combined trustee re-run the combination and countersign the outcome, and posts
 * the audit record on the board. The result is released only once the audit record is stored.
 *
 * It never holds a member's anonymity key or a share of one: only approvals (partials s·R), which
 * it drops once the opening is over. State lives in memory: a restart abandons open requests
 * (their notices stay on the board; the authority asks again).
 */
import { TokumeiError, describeError } from '../errors.js';
import { fromBase64, fromHex, toHex } from '../crypto/bytes.js';
import { ed25519PublicKeyFromRaw, verifyBytes } from '../crypto/signing.js';
import type { BoardClient } from '../board/client.js';
import type { Logger } from '../log.js';
import type { Router, ServiceRequest } from '../routing/router.js';
import type { OwnAddress } from '../routing/relay/routing-context.js';
import type { Runtime, TimerHandle } from '../runtime/runtime.js';
import { auditStatement, buildAuditRecord, encodeAuditRecord, verifyAuditRecord, type AuditSignature } from './audit-record.js';
import type { AuthorityKeys } from './authority-keys.js';
import { escrowSerials, type CommunityMaterial } from './community-material.js';
import { BadPartialError, combineOpening, type OpeningResult } from './opening-combiner.js';
import {
  approvalBytesBound,
  COUNTERSIGN_FORMAT,
  COUNTERSIGNATURE_FORMAT,
  decodeOpeningMessage,
  DELIVERY_FORMAT,
  encodeOpeningMessage,
  expectAnswer,
  RECEIPT_FORMAT,
  refusal,
  refusalOf,
  verifyDeliverySignature,
  type OpeningMessage,
} from './opening-messages.js';
import { AUDIT_KIND, createOpeningNotice, encodeOpeningNotice, NOTICE_KIND } from './opening-notice.js';
import { createOpeningRequest, OPENING_REQUEST_MAX_AGE_MS, openingRequestHash, type OpeningRequest } from './opening-request.js';
import { readAudits, type AuditView } from './opening-audits.js';
import { askOverRoute, DEFAULT_OPENING_CONFIG, type OpeningConfig } from './opening-transport.js';
import { verifyApprovalSignature } from './trustee-approval.js';
import type { OpeningStatusName, OpeningStage, OpeningRejection, OpeningStatus, Held, Opening } from './opening-state.js';
import { TrusteeErrors } from './trustees-errors.js';

/** BOUNDED: openings remembered (the oldest finished ones are forgotten first). */
const MAX_OPENINGS = 64;
/** BOUNDED: openings waiting at once, each serving one approval address. */
const MAX_ACTIVE = 16;
/** BOUNDED: rejection notes kept per opening. */
const MAX_REJECTED = 64;
const ANSWER_MAX_BYTES = 4096;
/** The escrowed member set is read again after this long. */
const MEMBERS_FRESH_MS = 60_000;

export interface OpeningServiceOptions {
  router: Router;
  board: BoardClient;
  runtime: Runtime;
  logger: Logger;
  keys: AuthorityKeys;
  community: CommunityMaterial;
  config?: Partial<OpeningConfig>;
  /** TEST AID ONLY: every message sent or received, and the combiner's working buffers. */
  inspect?: (what: string, bytes: Uint8Array) => void;
}

export class OpeningService {
  private readonly openings = new Map<string, Opening>(); // BOUNDED(MAX_OPENINGS): by requestId
  private readonly config: OpeningConfig;
  private stopped = false;
  /** The escrowed members, checked: anyone can write to an approval address, so not re-read per message. */
  private members: { at: number; serials: Promise<string[]> } | undefined;

  constructor(private readonly o: OpeningServiceOptions) {
    this.config = { ...DEFAULT_OPENING_CONFIG, ...o.config };
  }

  get authority(): { name: string; signingPublicKey: string } {
    return { name: this.o.keys.name, signingPublicKey: this.o.keys.signingPublicKey };
  }

  /**
   * Signs a request to open `anonymousId` (hex, 64 bytes: a board post's `anonymousId`), serves
   * its approval address and posts the notice on `board`. Resolves once the notice is stored.
   */
  async request(p: { board: string; anonymousId: string; reason: string }): Promise<OpeningStatus> {
    if (this.stopped) throw TrusteeErrors.OPENING_STOPPED('the node is stopping');
    if (!/^[0-9a-f]{128}$/.test(p.anonymousId)) throw TrusteeErrors.OPENING_BAD_REQUEST('anonymousId must be 64 bytes of lower-case hex (a post\'s anonymousId)');
    const active = [...this.openings.values()].filter((x) => x.status === 'waiting').length;
    if (active >= MAX_ACTIVE) throw TrusteeErrors.OPENING_BUSY(`already ${MAX_ACTIVE} openings waiting`);
    const { runtime, router, keys } = this.o;
    const request = createOpeningRequest({ anonId: fromHex(p.anonymousId, 64), authority: keys.name, reason: p.reason, authorityKey: keys.signingKey, now: runtime.clock.now(), random: runtime.random });
    const address = router.newAddress('inbox');
    const opening: Opening = {
      request,
      requestHash: toHex(openingRequestHash(request)),
      board: p.board,
      address,
      postId: '',
      status: 'waiting',
      stage: 'approvals',
      held: new Map(),
      excluded: new Map(),
      rejected: [],
      busy: false,
      publishTries: 0,
      timers: [],
    };
    router.serve(address, (req) => this.onDelivery(opening, req));
    try {
      const notice = encodeOpeningNotice(createOpeningNotice(request, address.text, keys.signingKey));
      const fields = [{ key: 'kind', value: NOTICE_KIND }, { key: 'request', value: request.requestId }];
      const ttlSeconds = Math.floor(OPENING_REQUEST_MAX_AGE_MS / 1000);
      opening.postId = (await this.o.board.post(p.board, { text: notice, fields, ttlSeconds })).postId;
    } catch (e) {
      router.unserve(address);
      throw e;
    }
    if (this.stopped) {
      router.unserve(address);
      throw TrusteeErrors.OPENING_STOPPED('the node is stopping');
    }
    // Trustees refuse a request older than 7 days: past that it can only fail.
    opening.timers.push(runtime.clock.setTimeout(() => this.fail(opening, 'OPENING_EXPIRED', 'no opening within 7 days of the request'), OPENING_REQUEST_MAX_AGE_MS + 60_000));
    this.remember(opening);
    this.o.logger.log('info', 'opening.requested', { request: request.requestId, post: opening.postId });
    return this.view(opening);
  }

  status(requestId: string): OpeningStatus | undefined {
    const o = this.openings.get(requestId);
    return o ? this.view(o) : undefined;
  }

  /** Audit records on `board`, each verified against the community's trustee keys. */
  audits(board: string): Promise<AuditView[]> {
    return readAudits(this.o.board, board, this.o.community);
  }

  list(): OpeningStatus[] {
    return [...this.openings.values()].map((o) => this.view(o)).sort((a, b) => b.requestedAt - a.requestedAt);
  }

  stop(): void {
    this.stopped = true;
    for (const o of this.openings.values()) {
      for (const t of o.timers) t.cancel();
      this.o.router.unserve(o.address);
      o.held.clear();
    }
  }

  private view(o: Opening): OpeningStatus {
    const opened = o.status === 'opened';
    return {
      requestId: o.request.requestId,
      board: o.board,
      anonId: o.request.anonId,
      authority: o.request.authority,
      reason: o.request.reason,
      requestedAt: o.request.requestedAt,
      postId: o.postId,
      status: o.status,
      stage: o.stage,
      // Once opened the approvals are dropped: the count is then the trustees who approved.
      approvals: opened && o.trustees ? o.trustees.length : [...o.held.keys()].filter((i) => !o.excluded.has(i)).length,
      threshold: this.o.community.threshold,
      ...(opened ? { result: o.result ?? null, auditPostId: o.auditPostId, trustees: o.trustees } : {}),
      rejected: [...o.rejected],
      ...(o.error ? { error: o.error } : {}),
    };
  }

  private remember(o: Opening): void {
    this.openings.set(o.request.requestId, o);
    for (const [id, x] of this.openings) {
      if (this.openings.size <= MAX_OPENINGS) break;
      if (x.status !== 'waiting') this.openings.delete(id);
    }
  }

  private reject(o: Opening, trusteeIndex: number | null, code: string, message: string): void {
    o.rejected.push({ trusteeIndex, code, message });
    if (o.rejected.length > MAX_REJECTED) o.rejected.shift();
    this.o.logger.log('warn', 'opening.rejected', { request: o.request.requestId, trustee: trusteeIndex, code });
  }

  // ── approvals arrive ───────────────────────────────────────────────────────────────────────

  private onDelivery(o: Opening, req: ServiceRequest): void {
    this.o.inspect?.('authority received', req.bytes);
    this.accept(o, req.bytes)
      .catch((e: unknown) => refusalOf(e))
      .then((answer) => {
        const bytes = encodeOpeningMessage(answer);
        this.o.inspect?.('authority sent', bytes);
        return req.respond(bytes);
      })
      .catch((e: unknown) => this.o.logger.log('info', 'opening.answer-failed', { reason: describeError(e) }));
  }

  /** Checks one delivery (anyone may write to the approval address) and holds it if good. */
  private async accept(o: Opening, bytes: Uint8Array): Promise<OpeningMessage> {
    if (o.status !== 'waiting') return refusal('OPENING_CLOSED', `request ${o.request.requestId} is ${o.status}`);
    const { community } = this.o;
    const serials = await this.memberSerials();
    const m = decodeOpeningMessage(bytes, approvalBytesBound(serials.length) + 2048);
    if (m.format !== DELIVERY_FORMAT) return refusal('OPENING_BAD_MESSAGE', `expected ${DELIVERY_FORMAT}`);
    const a = m.approval;
    if (a.requestId !== o.request.requestId || a.requestHash !== o.requestHash) return refusal('OPENING_WRONG_REQUEST', 'the approval is for another request');
    const trustee = community.trusteePublics[a.trusteeIndex - 1];
    if (!trustee) return refusal('OPENING_UNKNOWN_TRUSTEE', `no trustee ${a.trusteeIndex}`);
    if (!verifyApprovalSignature(a, trustee) || !verifyDeliverySignature(m, trustee)) return refusal('OPENING_BAD_APPROVAL_SIGNATURE', `not signed by trustee ${a.trusteeIndex}`);
    // Signed by the trustee from here on.
    if (a.partials.length !== serials.length || a.partials.some((p, i) => p.memberSerial !== serials[i])) {
      this.reject(o, a.trusteeIndex, 'OPENING_MEMBER_SET_MISMATCH', 'the approval does not cover exactly the escrowed members');
      return refusal('OPENING_MEMBER_SET_MISMATCH', `the authority holds ${serials.length} escrow records and the approval covers other members: both sides need the same escrow directory`);
    }
    if (o.excluded.get(a.trusteeIndex) === 'OPENING_BAD_PARTIAL') return refusal('OPENING_BAD_PARTIAL', `trustee ${a.trusteeIndex} already sent a bad partial for this request`);
    if (o.status !== 'waiting') return refusal('OPENING_CLOSED', `request ${o.request.requestId} is ${o.status}`);
    o.excluded.delete(a.trusteeIndex);
    o.held.set(a.trusteeIndex, { approval: a, countersignAddress: m.countersignAddress });
    this.o.logger.log('info', 'opening.approval', { request: o.request.requestId, trustee: a.trusteeIndex, held: o.held.size });
    void this.advance(o);
    return { format: RECEIPT_FORMAT, requestId: o.request.requestId, approvals: this.view(o).approvals, threshold: community.threshold };
  }

  private memberSerials(): Promise<string[]> {
    const now = this.o.runtime.clock.now();
    if (!this.members || now - this.members.at > MEMBERS_FRESH_MS) {
      const { community } = this.o;
      const serials = community.escrowRecords().then((r) => escrowSerials(r, community.caCert));
      serials.catch(() => (this.members = undefined));
      this.members = { at: now, serials };
    }
    return this.members.serials;
  }

  // ── combine, countersign, publish ──────────────────────────────────────────────────────────

  /** Runs the next step when k approvals are held; one step at a time per opening. */
  private async advance(o: Opening): Promise<void> {
    if (o.busy || o.status !== 'waiting' || this.stopped) return;
    const k = this.o.community.threshold;
    if (o.audit === undefined && [...o.held.keys()].filter((i) => !o.excluded.has(i)).length < k) {
      o.stage = 'approvals';
      return;
    }
    o.busy = true;
    let again = false;
    try {
      if (o.audit === undefined) again = await this.combineAndCountersign(o);
      if (o.audit !== undefined) await this.publish(o);
    } catch (e) {
      this.fail(o, e instanceof TokumeiError ? e.code : 'OPENING_INTERNAL', describeError(e));
    } finally {
      o.busy = false;
    }
    if (again) await this.advance(o);
  }

  /** True when a trustee was left out and another combination may work. */
  private async combineAndCountersign(o: Opening): Promise<boolean> {
    const { community } = this.o;
    o.stage = 'countersigning';
    const candidates = [...o.held].filter(([i]) => !o.excluded.has(i)).sort(([x], [y]) => x - y);
    const records = await community.escrowRecords();
    let result: OpeningResult;
    try {
      result = combineOpening({ request: o.request, approvals: candidates.map(([, h]) => h.approval), escrowRecords: records, caCert: community.caCert, trusteePublics: community.trusteePublics, threshold: community.threshold, inspect: this.o.inspect });
    } catch (e) {
      if (e instanceof BadPartialError) {
        o.excluded.set(e.trusteeIndex, e.code);
        this.reject(o, e.trusteeIndex, e.code, e.message);
        return true;
      }
      if (e instanceof TokumeiError && e.code === 'OPENING_TOO_FEW_APPROVALS') {
        // Escrow records changed since the approvals were checked: they must come again.
        for (const [i] of candidates) o.excluded.set(i, e.code);
        this.reject(o, null, e.code, e.message);
        o.stage = 'approvals';
        return false;
      }
      throw e;
    }
    for (const r of result.rejected) if (r.trusteeIndex !== undefined) (o.excluded.set(r.trusteeIndex, r.code), this.reject(o, r.trusteeIndex, r.code, r.message));
    const chosen = [...result.combinedTrustees];
    const serial = result.memberSerial ?? null;
    const message = encodeOpeningMessage({ format: COUNTERSIGN_FORMAT, request: o.request, approvals: chosen.map((i) => o.held.get(i)!.approval) });
    const answers = await Promise.allSettled(chosen.map((i) => this.countersign(o, i, message, serial, chosen)));
    const signatures: AuditSignature[] = [];
    answers.forEach((a, j) => {
      const index = chosen[j]!;
      if (a.status === 'fulfilled') signatures.push(a.value);
      else {
        const e = a.reason as unknown;
        const code = e instanceof TokumeiError ? e.code : 'OPENING_COUNTERSIGN_FAILED';
        o.excluded.set(index, code);
        this.reject(o, index, code, `countersign failed: ${describeError(e)}`);
      }
    });
    if (signatures.length < chosen.length) {
      o.stage = 'approvals';
      return true;
    }
    const record = buildAuditRecord({ request: o.request, result: serial, trustees: chosen, signatures });
    const text = encodeAuditRecord(record);
    verifyAuditRecord(text, community.trusteePublics, community.threshold); // never publish what does not verify
    o.audit = text;
    o.result = serial;
    o.trustees = chosen;
    o.held.clear(); // the approvals are no longer needed: drop them
    return false;
  }

  private async countersign(o: Opening, index: number, message: Uint8Array, serial: string | null, chosen: number[]): Promise<AuditSignature> {
    const held = o.held.get(index)!;
    this.o.inspect?.('authority sent', message);
    const bytes = await askOverRoute(this.o.router, this.o.logger, held.countersignAddress, message, this.config);
    this.o.inspect?.('authority received', bytes);
    const m = expectAnswer(bytes, COUNTERSIGNATURE_FORMAT, ANSWER_MAX_BYTES);
    const same = m.index === index && m.requestHash === o.requestHash && m.result === serial && m.trustees.length === chosen.length && m.trustees.every((t, i) => t === chosen[i]);
    if (!same) throw TrusteeErrors.OPENING_COUNTERSIGN_MISMATCH(`trustee ${index} countersigned another outcome (result ${String(m.result)}, trustees ${m.trustees.join(',')})`);
    const key = ed25519PublicKeyFromRaw(fromHex(this.o.community.trusteePublics[index - 1]!.signingPublicKey, 32));
    if (!verifyBytes(key, auditStatement(o.request, serial, chosen), fromBase64(m.signature))) {
      throw TrusteeErrors.OPENING_BAD_AUDIT_SIGNATURE(`trustee ${index}'s countersignature does not verify`);
    }
    return { index, signature: m.signature };
  }

  private async publish(o: Opening): Promise<void> {
    o.stage = 'publishing';
    o.publishTries++;
    try {
      const fields = [{ key: 'kind', value: AUDIT_KIND }, { key: 'request', value: o.request.requestId }];
      const posted = await this.o.board.post(o.board, { text: o.audit!, fields, ttlSeconds: this.config.auditTtlSeconds });
      o.auditPostId = posted.postId;
      o.status = 'opened';
      o.stage = 'done';
      delete o.error;
      this.close(o);
      this.o.logger.log('info', 'opening.opened', { request: o.request.requestId, audit: posted.postId, matched: o.result !== null });
    } catch (e) {
      o.error = { code: e instanceof TokumeiError ? e.code : 'OPENING_PUBLISH_FAILED', message: `posting the audit record failed: ${describeError(e)}` };
      if (o.publishTries >= this.config.publishAttempts) return this.fail(o, o.error.code, o.error.message);
      o.timers.push(this.o.runtime.clock.setTimeout(() => void this.advance(o), this.config.publishRetryMs));
    }
  }

  private fail(o: Opening, code: string, message: string): void {
    if (o.status !== 'waiting') return;
    o.status = 'failed';
    o.error = { code, message };
    delete o.audit; // a result is released only with its audit record on the board
    delete o.result;
    this.close(o);
    this.o.logger.log('warn', 'opening.failed', { request: o.request.requestId, code });
  }

  /**
   * Drops the approvals; the approval address keeps answering (OPENING_CLOSED) for a while, so a
   * late trustee hears that the opening is over instead of timing out.
   */
  private close(o: Opening): void {
    for (const t of o.timers) t.cancel();
    o.held.clear();
    o.timers = [this.o.runtime.clock.setTimeout(() => this.o.router.unserve(o.address), this.config.closedGraceMs)];
  }
}

/**
 * The member's side of offers it answered (docs/protocol.md §8.4–§8.6): each answer has a fresh
 * one-time answer address that this node serves, where the clinic's proposals and, when asked
 * for, its letter of intent arrive (exchange-message.ts). The member asks for the letter at the
 * clinic's one-time address over a fresh route, signs its own letter only after its passphrase
 * opens its keystore, and only then releases the identifying items, sealed to the clinic.
 *
 * The clinic learns nothing of who the member is until the member's letter (which names the
 * member's passport) arrives with the data: the answer, the requests and the answers to the
 * clinic's messages carry nothing but the answer's content and one-time addresses.
 */
import { describeError, TokumeiError } from '../../errors.js';
import { toHex } from '../../crypto/bytes.js';
import type { OwnAddress } from '../../routing/relay/routing-context.js';
import type { ServiceRequest } from '../../routing/router.js';
import type { IdentifyingAttribute } from '../profile/attributes.js';
import { decodeExchange, encodeExchange, expectOk, type ExchangeMessage } from '../formats/exchange-message.js';
import { exchangeRequest, letterTrust, now, type HealthContext } from '../context/health-context.js';
import { releaseIdentifyingData } from '../formats/identity-release.js';
import type { AttributeValue } from '../formats/json-fields.js';
import { signMemberLetter, verifyClinicLetter, type ClinicLetter } from '../formats/letter-of-intent.js';
import { openClinicLetter, sealMemberLetter } from '../formats/letter-seal.js';
import type { Offer } from '../formats/offer.js';
import type { ProfileKeeper } from '../profile/profile-keeper.js';
import { decodeProposal, type Appointment, type Proposal } from '../formats/proposal.js';
import { HealthErrors } from '../health-errors.js';

/** BOUNDED: answers remembered (the oldest forgotten first). */
export const MAX_MEMBER_ANSWERS = 64;
/** BOUNDED: answer addresses served at once (the router serves at most 64 addresses in all). */
export const MAX_SERVED_ANSWERS = 16;
/** BOUNDED: proposals kept per answer. */
export const MAX_PROPOSALS_PER_ANSWER = 8;
/** BOUNDED: letter exchanges remembered (the oldest forgotten first). */
export const MAX_LETTER_EXCHANGES = 64;

interface MemberAnswer {
  answerId: string;
  board: string;
  postId: string;
  offer: Offer;
  address: OwnAddress;
  served: boolean;
  disclosed: Record<string, AttributeValue>;
  createdAt: number;
  /** The clinic's one-time address for this offer, from its proposals. */
  clinicAddress: string | undefined;
  proposals: Map<string, { proposal: Proposal; receivedAt: number }>; // BOUNDED(MAX_PROPOSALS_PER_ANSWER)
}

export type LetterState = 'requested' | 'received' | 'released' | 'failed';

interface LetterExchange {
  exchangeId: string;
  proposalId: string;
  answer: MemberAnswer;
  state: LetterState;
  clinicLetter: ClinicLetter | undefined;
  released: { items: IdentifyingAttribute[]; missing: IdentifyingAttribute[]; at: number } | undefined;
  error: { code: string; message: string } | undefined;
  requestedAt: number;
  updatedAt: number;
}

export interface MemberAnswerView {
  answerId: string;
  board: string;
  postId: string;
  offerId: string;
  clinic: string;
  title: string;
  disclosed: Record<string, AttributeValue>;
  createdAt: number;
  proposals: number;
}

export interface ProposalView {
  proposalId: string;
  answerId: string;
  offerId: string;
  clinic: string;
  title: string;
  text: string;
  appointments: Appointment[];
  letterOfIntent: boolean;
  expires: number;
  receivedAt: number;
  /** The letter exchange started for it, if any. */
  exchangeId: string | null;
}

export interface LetterExchangeView {
  exchangeId: string;
  proposalId: string;
  answerId: string;
  offerId: string;
  /** requested: waiting for the clinic's letter; received: ready to sign; released: signed and sent; failed: see error. */
  state: LetterState;
  /** What the clinic signed (the member reads it before signing). */
  clinicLetter: {
    clinic: string;
    /** The serial of the clinic's passport, which the community CA vouches for. */
    clinicSerial: string;
    purposes: string[];
    retentionDays: number;
    items: IdentifyingAttribute[];
    date: number;
    hash: string;
  } | null;
  released: { items: IdentifyingAttribute[]; missing: IdentifyingAttribute[]; at: number } | null;
  error: { code: string; message: string } | null;
  requestedAt: number;
  updatedAt: number;
}

export interface MemberExchangesOptions {
  ctx: HealthContext;
  profile: ProfileKeeper;
  keystoreText: string | undefined;
}

function errorMessage(e: unknown): ExchangeMessage {
  return e instanceof TokumeiError ? { type: 'error', code: e.code, message: e.message } : { type: 'error', code: 'HEALTH_EXCHANGE_FAILED', message: 'internal error' };
}

export class MemberExchanges {
  private readonly answers = new Map<string, MemberAnswer>(); // BOUNDED(MAX_MEMBER_ANSWERS): by answerId
  private readonly letters = new Map<string, LetterExchange>(); // BOUNDED(MAX_LETTER_EXCHANGES): by exchangeId

  constructor(private readonly o: MemberExchangesOptions) {}

  private get ctx(): HealthContext {
    return this.o.ctx;
  }

  /** A fresh answer address, served at once so a proposal arriving early is not lost. */
  open(a: { board: string; postId: string; offer: Offer; address: OwnAddress; disclosed: Record<string, AttributeValue> }): string {
    const answer: MemberAnswer = { ...a, answerId: toHex(this.ctx.runtime.random.bytes(16)), served: true, createdAt: now(this.ctx), clinicAddress: undefined, proposals: new Map() };
    this.ctx.router.serve(a.address, (req) => this.onRequest(answer, req));
    this.answers.set(answer.answerId, answer);
    const served = [...this.answers.values()].filter((x) => x.served);
    for (const old of served.slice(0, Math.max(0, served.length - MAX_SERVED_ANSWERS))) this.close(old);
    while (this.answers.size > MAX_MEMBER_ANSWERS) {
      const oldest = this.answers.values().next().value!;
      this.close(oldest);
      this.answers.delete(oldest.answerId);
      for (const [id, l] of this.letters) if (l.answer === oldest) this.letters.delete(id);
    }
    return answer.answerId;
  }

  /** Stops serving an answer's address (its proposals and letters are kept). */
  close(answer: MemberAnswer | string): void {
    const a = typeof answer === 'string' ? this.answers.get(answer) : answer;
    if (!a || !a.served) return;
    this.ctx.router.unserve(a.address);
    a.served = false;
  }

  /** Forgets an answer that could not be posted. */
  drop(answerId: string): void {
    this.close(answerId);
    this.answers.delete(answerId);
  }

  answerList(): MemberAnswerView[] {
    return [...this.answers.values()].reverse().map((a) => ({
      answerId: a.answerId,
      board: a.board,
      postId: a.postId,
      offerId: a.offer.offerId,
      clinic: a.offer.clinic,
      title: a.offer.title,
      disclosed: { ...a.disclosed },
      createdAt: a.createdAt,
      proposals: a.proposals.size,
    }));
  }

  proposals(): ProposalView[] {
    const out: ProposalView[] = [];
    for (const a of this.answers.values()) {
      for (const { proposal: p, receivedAt } of a.proposals.values()) {
        const exchange = [...this.letters.values()].find((l) => l.proposalId === p.proposalId);
        out.push({
          proposalId: p.proposalId,
          answerId: a.answerId,
          offerId: p.offerId,
          clinic: a.offer.clinic,
          title: a.offer.title,
          text: p.text,
          appointments: p.appointments.map((x) => ({ ...x })),
          letterOfIntent: p.letterOfIntent,
          expires: p.expires,
          receivedAt,
          exchangeId: exchange?.exchangeId ?? null,
        });
      }
    }
    return out.sort((x, y) => y.receivedAt - x.receivedAt);
  }

  letterList(): LetterExchangeView[] {
    return [...this.letters.values()].reverse().map((l) => this.view(l));
  }

  // ── messages to an answer address ───────────────────────────────────────────────────────────

  private onRequest(answer: MemberAnswer, req: ServiceRequest): void {
    void this.handle(answer, req.bytes)
      .catch(errorMessage)
      .then((reply) => req.respond(encodeExchange(reply)))
      .catch((e: unknown) => this.ctx.logger.log('info', 'health.answer-respond-failed', { reason: describeError(e) }));
  }

  private async handle(answer: MemberAnswer, bytes: Uint8Array): Promise<ExchangeMessage> {
    const m = decodeExchange(bytes);
    if (m.type === 'proposal') {
      const proposal = decodeProposal(m.proposal);
      if (proposal.offerId !== answer.offer.offerId) throw HealthErrors.HEALTH_BAD_PROPOSAL('the proposal names another offer than the one answered');
      if (!answer.proposals.has(proposal.proposalId)) {
        if (answer.proposals.size >= MAX_PROPOSALS_PER_ANSWER) throw HealthErrors.HEALTH_TOO_MANY_PROPOSALS(`at most ${MAX_PROPOSALS_PER_ANSWER} proposals per answer`);
        answer.proposals.set(proposal.proposalId, { proposal, receivedAt: now(this.ctx) });
        this.ctx.logger.log('info', 'health.proposal', { answer: answer.answerId.slice(0, 8), letter: proposal.letterOfIntent });
      }
      answer.clinicAddress = m.clinicAddress;
      return { type: 'ok' };
    }
    if (m.type === 'clinic-letter') {
      const exchange = [...this.letters.values()].find((l) => l.proposalId === m.proposalId && l.answer === answer);
      if (!exchange) throw HealthErrors.HEALTH_NO_SUCH_EXCHANGE('no letter was asked for that proposal');
      await this.acceptClinicLetter(exchange, m.box);
      return { type: 'ok' };
    }
    throw HealthErrors.HEALTH_BAD_EXCHANGE(`a ${m.type} message does not go to an answer address`);
  }

  /** Opens and verifies the clinic's letter: it must name the offer answered and this answer's address. */
  private async acceptClinicLetter(l: LetterExchange, box: Uint8Array): Promise<void> {
    if (l.state === 'released') return;
    const bytes = await openClinicLetter(box, l.answer.address.privateKey);
    const letter = verifyClinicLetter(bytes, letterTrust(this.ctx), { offerId: l.answer.offer.offerId, answerAddress: l.answer.address.text });
    if (l.clinicLetter && l.clinicLetter.hash !== letter.hash && l.state !== 'requested') {
      throw HealthErrors.HEALTH_LETTER_MISMATCH('the clinic already sent another letter for this proposal');
    }
    l.clinicLetter = letter;
    l.state = 'received';
    l.error = undefined;
    l.updatedAt = now(this.ctx);
    this.ctx.logger.log('info', 'health.clinic-letter', { exchange: l.exchangeId.slice(0, 8) });
  }

  // ── letters of intent ───────────────────────────────────────────────────────────────────────

  private findProposal(proposalId: string): { answer: MemberAnswer; proposal: Proposal } {
    for (const answer of this.answers.values()) {
      const p = answer.proposals.get(proposalId);
      if (p) return { answer, proposal: p.proposal };
    }
    throw HealthErrors.HEALTH_NO_SUCH_PROPOSAL(`no proposal ${String(proposalId).slice(0, 40)}`);
  }

  /**
   * Asks the clinic for its letter of intent (LETTER_REQUEST at the clinic's one-time address, on
   * a fresh route). The clinic answers with its sealed letter if it has signed it; else it sends
   * the letter to the answer address once it has (state `requested` until then).
   */
  async requestLetter(proposalId: string): Promise<LetterExchangeView> {
    const { answer, proposal } = this.findProposal(proposalId);
    if (!proposal.letterOfIntent) throw HealthErrors.HEALTH_NO_LETTER_OFFERED('this proposal does not offer a letter of intent');
    if (now(this.ctx) >= proposal.expires) throw HealthErrors.HEALTH_PROPOSAL_EXPIRED(`the proposal expired at ${new Date(proposal.expires).toISOString()}`);
    if (answer.clinicAddress === undefined) throw HealthErrors.HEALTH_NO_CLINIC_ADDRESS('the proposal came without a clinic address');
    let l = [...this.letters.values()].find((x) => x.proposalId === proposalId);
    if (!l) {
      const t = now(this.ctx);
      l = { exchangeId: toHex(this.ctx.runtime.random.bytes(16)), proposalId, answer, state: 'requested', clinicLetter: undefined, released: undefined, error: undefined, requestedAt: t, updatedAt: t };
      this.letters.set(l.exchangeId, l);
      while (this.letters.size > MAX_LETTER_EXCHANGES) this.letters.delete(this.letters.keys().next().value!);
    }
    if (l.state === 'released' || l.state === 'received') return this.view(l);
    const reply = expectOk(await exchangeRequest(this.ctx, answer.clinicAddress, encodeExchange({ type: 'letter-request', proposalId })), 'letter request');
    if (reply.box) await this.acceptClinicLetter(l, reply.box);
    return this.view(l);
  }

  /**
   * Signs the member's letter of intent and releases the identifying items it gives — only once
   * `passphrase` opens the member's keystore (KEYSTORE_BAD_PASSPHRASE: nothing is signed, nothing
   * sent) — then sends the sealed letter and the sealed data to the clinic and waits for its word.
   */
  async signLetter(exchangeId: string, passphrase: string, items?: IdentifyingAttribute[]): Promise<LetterExchangeView> {
    const l = this.letters.get(exchangeId);
    if (!l) throw HealthErrors.HEALTH_NO_SUCH_EXCHANGE(`no letter exchange ${String(exchangeId).slice(0, 40)}`);
    if (l.state === 'released') throw HealthErrors.HEALTH_LETTER_DONE('this letter was already signed and the data sent');
    const clinic = l.clinicLetter;
    if (!clinic) throw HealthErrors.HEALTH_LETTER_NOT_READY('the clinic has not sent its letter yet');
    if (this.o.keystoreText === undefined) throw HealthErrors.HEALTH_NO_KEYSTORE('this node has no keystore to confirm the passphrase against');
    const { answer } = l;
    const trust = letterTrust(this.ctx);
    const memberLetter = await signMemberLetter(
      clinic.bytes,
      { ...trust, passport: this.ctx.identity.passport.der, offerId: answer.offer.offerId, answerAddress: answer.address.text, ...(items !== undefined ? { items } : {}) },
      { passphrase, keystoreText: this.o.keystoreText },
    );
    const release = await releaseIdentifyingData(await this.o.profile.get(), clinic.bytes, memberLetter, trust);
    const letterBox = await sealMemberLetter(memberLetter, clinic);
    try {
      if (answer.clinicAddress === undefined) throw HealthErrors.HEALTH_NO_CLINIC_ADDRESS('no clinic address');
      const message = encodeExchange({ type: 'member-letter', proposalId: l.proposalId, letterBox, dataBox: release.sealed });
      expectOk(await exchangeRequest(this.ctx, answer.clinicAddress, message), 'member letter');
    } catch (e) {
      l.state = 'failed';
      l.error = { code: e instanceof TokumeiError ? e.code : 'HEALTH_EXCHANGE_FAILED', message: describeError(e) };
      l.updatedAt = now(this.ctx);
      throw e;
    }
    l.state = 'released';
    l.error = undefined;
    l.released = { items: release.items, missing: release.missing, at: now(this.ctx) };
    l.updatedAt = l.released.at;
    this.ctx.logger.log('info', 'health.released', { exchange: l.exchangeId.slice(0, 8), items: release.items.length });
    return this.view(l);
  }

  private view(l: LetterExchange): LetterExchangeView {
    const c = l.clinicLetter;
    return {
      exchangeId: l.exchangeId,
      proposalId: l.proposalId,
      answerId: l.answer.answerId,
      offerId: l.answer.offer.offerId,
      state: l.state,
      clinicLetter: c
        ? { clinic: c.clinic, clinicSerial: c.passport.serial, purposes: [...c.purposes], retentionDays: c.retentionDays, items: [...c.items], date: c.date, hash: c.hash }
        : null,
      released: l.released ? { items: [...l.released.items], missing: [...l.released.missing], at: l.released.at } : null,
      error: l.error ? { ...l.error } : null,
      requestedAt: l.requestedAt,
      updatedAt: l.updatedAt,
    };
  }
}

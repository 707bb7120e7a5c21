/**
 * A clinic's (any service supplier's) side on its node (docs/protocol.md §8.4–§8.6): it posts
 * offers, reads the answers sealed to it, sends proposals to members' one-time answer addresses,
 * and, for a member who asks, signs a letter of intent and receives the member's letter with
 * the identifying items the member gives (clinic-letters.ts).
 *
 * For each offer it proposes under, the clinic serves one one-time **clinic address**, named in
 * its proposals: members ask for letters and send theirs there, each over a fresh route, so the
 * clinic never learns who asks until a member's signed letter names the member.
 */
import { describeError, TokumeiError } from '../../errors.js';
import { BOARD_LIMITS } from '../../board/types.js';
import type { OwnAddress } from '../../routing/relay/routing-context.js';
import type { ServiceRequest } from '../../routing/router.js';
import type { ClinicAnswer } from './clinic-answer.js';
import { ClinicLetters, type ClinicLetterState, type ReleasedRecord } from './clinic-letters.js';
import { decodeExchange, encodeExchange, expectOk, type ExchangeMessage } from '../formats/exchange-message.js';
import { exchangeRequest, now, type HealthContext } from '../context/health-context.js';
import type { IdentifyingAttribute } from '../profile/attributes.js';
import type { AttributeValue } from '../formats/json-fields.js';
import { parseAnswer, type Answer } from '../formats/offer-answer.js';
import { encodeOffer, newOfferId, validateOffer, type Offer, type OfferInput } from '../formats/offer.js';
import { encodeProposal, newProposalId, type Appointment, type Proposal } from '../formats/proposal.js';
import { HealthErrors } from '../health-errors.js';

/** BOUNDED: offers this node posted and remembers (the oldest forgotten first). */
export const MAX_CLINIC_OFFERS = 64;
/** BOUNDED: clinic addresses served at once (the router serves at most 64 addresses in all). */
export const MAX_SERVED_OFFERS = 16;
/** BOUNDED: answers remembered (a post takes at most 200 replies; the oldest forgotten first). */
export const MAX_CLINIC_ANSWERS = 2_000;
/** BOUNDED: proposals per answer. */
export const MAX_PROPOSALS_SENT = 8;
/** A proposal without an expiry lapses after 30 days. */
const DEFAULT_PROPOSAL_MS = 30 * 86_400_000;

export interface ClinicOffer {
  board: string;
  postId: string;
  offer: Offer;
  /** The clinic address for this offer, made when the first proposal goes out. */
  address: OwnAddress | undefined;
}

export interface ClinicAnswerView {
  answerId: string;
  board: string;
  postId: string;
  offerId: string;
  title: string;
  received: number;
  /** What the member chose to tell (attribute → value). */
  disclosed: Record<string, AttributeValue>;
  message: string;
  proposals: { proposalId: string; text: string; letterOfIntent: boolean; expires: number; sentAt: number }[];
  letter: ClinicLetterState;
}

/** What a clinic writes in a proposal; the offer and the proposal id are filled in. */
export interface ProposalInput {
  text: string;
  appointments?: Appointment[];
  letterOfIntent?: boolean;
  /** ms; default 30 days from now. */
  expires?: number;
}

export class ClinicHealth {
  private readonly offers = new Map<string, ClinicOffer>(); // BOUNDED(MAX_CLINIC_OFFERS): by post id
  private readonly answers = new Map<string, ClinicAnswer>(); // BOUNDED(MAX_CLINIC_ANSWERS): by answer id
  private readonly letters: ClinicLetters;

  constructor(private readonly ctx: HealthContext) {
    this.letters = new ClinicLetters(ctx);
  }

  /**
   * Posts an offer (a fresh offerId when none is given). The post lives `ttlSeconds`, by default
   * until the offer expires, never past it nor past 30 days.
   */
  async postOffer(board: string, input: Omit<OfferInput, 'offerId'> & { offerId?: string }, ttlSeconds?: number): Promise<{ postId: string; offerId: string; expires: number }> {
    if (typeof input !== 'object' || input === null) throw HealthErrors.HEALTH_BAD_OFFER('an offer must be an object');
    const offer = validateOffer({ ...input, offerId: input.offerId ?? newOfferId(this.ctx.runtime.random) });
    const left = Math.ceil((offer.expires - now(this.ctx)) / 1000);
    if (left <= 0) throw HealthErrors.HEALTH_OFFER_EXPIRED('the offer expires before it could be posted', { kind: 'bad-input' });
    const payload = encodeOffer(offer);
    const ttl = Math.min(ttlSeconds ?? left, left, BOARD_LIMITS.maxPostTtlSeconds);
    const posted = await this.ctx.board.post(board, { text: payload.text, fields: payload.fields, ttlSeconds: ttl });
    this.offers.set(posted.postId, { board, postId: posted.postId, offer, address: undefined });
    while (this.offers.size > MAX_CLINIC_OFFERS) {
      const oldest = this.offers.values().next().value!;
      if (oldest.address) this.ctx.router.unserve(oldest.address);
      this.offers.delete(oldest.postId);
    }
    this.ctx.logger.log('info', 'health.offer-posted', { offer: offer.offerId.slice(0, 8) });
    return { postId: posted.postId, offerId: offer.offerId, expires: posted.expires };
  }

  /** The offers this node posted (and remembers). */
  offerList(): { board: string; postId: string; offer: Offer }[] {
    return [...this.offers.values()].reverse().map((o) => ({ board: o.board, postId: o.postId, offer: o.offer }));
  }

  /**
   * Answers to this node's offers on `board`: the board replies to each offer post, opened with
   * this node's key; replies that are not valid answers to that offer are skipped and counted.
   */
  async fetchAnswers(board: string): Promise<{ answers: ClinicAnswerView[]; skipped: number }> {
    let skipped = 0;
    for (const o of [...this.offers.values()].filter((x) => x.board === board && x.offer.expires > now(this.ctx))) {
      for (const reply of await this.ctx.board.replies(board, o.postId)) {
        if (this.answers.has(reply.replyId)) continue;
        let answer: Answer;
        try {
          answer = parseAnswer({ text: reply.text, answerAddress: reply.answerAddress }, o.offer.offerId);
        } catch (e) {
          skipped++;
          this.ctx.logger.log('debug', 'health.answer-skipped', { reason: describeError(e) });
          continue;
        }
        this.answers.set(reply.replyId, { answerId: reply.replyId, board, postId: o.postId, offer: o.offer, answer, received: reply.created, proposals: new Map() });
        while (this.answers.size > MAX_CLINIC_ANSWERS) this.answers.delete(this.answers.keys().next().value!);
      }
    }
    return { answers: this.answerList(board), skipped };
  }

  answerList(board?: string): ClinicAnswerView[] {
    return [...this.answers.values()].filter((a) => board === undefined || a.board === board).reverse().map((a) => this.view(a));
  }

  private answerFor(answerId: string): ClinicAnswer {
    const a = this.answers.get(answerId);
    if (!a) throw HealthErrors.HEALTH_NO_SUCH_ANSWER(`no answer ${String(answerId).slice(0, 40)} (fetch the answers first)`);
    return a;
  }

  /** The clinic address of an offer, served from the first proposal on. */
  private offerAddress(postId: string): string {
    const o = this.offers.get(postId);
    if (!o) throw HealthErrors.HEALTH_OFFER_FORGOTTEN('this node no longer remembers that offer');
    if (!o.address) {
      const served = [...this.offers.values()].filter((x) => x.address);
      for (const old of served.slice(0, Math.max(0, served.length - MAX_SERVED_OFFERS + 1))) {
        this.ctx.router.unserve(old.address!);
        old.address = undefined;
      }
      const address = this.ctx.router.newAddress('inbox');
      this.ctx.router.serve(address, (req) => this.onRequest(o, req));
      o.address = address;
    }
    return o.address.text;
  }

  /** Sends a proposal to the member's answer address and waits for its node's word that it arrived. */
  async propose(answerId: string, input: ProposalInput): Promise<{ answerId: string; proposalId: string }> {
    const a = this.answerFor(answerId);
    if (a.proposals.size >= MAX_PROPOSALS_SENT) throw HealthErrors.HEALTH_TOO_MANY_PROPOSALS(`at most ${MAX_PROPOSALS_SENT} proposals per answer`);
    const proposal: Proposal = {
      offerId: a.offer.offerId,
      proposalId: newProposalId(this.ctx.runtime.random),
      text: input.text,
      appointments: input.appointments ?? [],
      letterOfIntent: input.letterOfIntent ?? false,
      expires: input.expires ?? now(this.ctx) + DEFAULT_PROPOSAL_MS,
    };
    const bytes = encodeProposal(proposal); // HEALTH_BAD_PROPOSAL before anything is sent
    const clinicAddress = this.offerAddress(a.postId);
    expectOk(await exchangeRequest(this.ctx, a.answer.answerAddress, encodeExchange({ type: 'proposal', clinicAddress, proposal: bytes })), 'proposal');
    a.proposals.set(proposal.proposalId, { proposal, sentAt: now(this.ctx) });
    this.ctx.logger.log('info', 'health.proposed', { answer: answerId.slice(0, 8), letter: proposal.letterOfIntent });
    return { answerId, proposalId: proposal.proposalId };
  }

  /**
   * Signs the clinic's letter of intent for one answer (a proposal offering a letter must have
   * been sent). If the member already asked for it, it goes to the member's answer address now;
   * else it is the answer to the member's request.
   */
  async clinicLetter(answerId: string, draft: { purposes: string[]; retentionDays: number; items: IdentifyingAttribute[] }): Promise<ClinicAnswerView> {
    const a = this.answerFor(answerId);
    if (![...a.proposals.values()].some((p) => p.proposal.letterOfIntent)) {
      throw HealthErrors.HEALTH_NO_LETTER_OFFERED('send a proposal with letterOfIntent: true first');
    }
    await this.letters.prepare(a, draft);
    return this.view(a);
  }

  released(): ReleasedRecord[] {
    return this.letters.releasedList();
  }

  // ── messages to a clinic address ────────────────────────────────────────────────────────────

  private onRequest(o: ClinicOffer, req: ServiceRequest): void {
    void this.handle(o, req.bytes)
      .catch((e: unknown): ExchangeMessage => (e instanceof TokumeiError ? { type: 'error', code: e.code, message: e.message } : { type: 'error', code: 'HEALTH_EXCHANGE_FAILED', message: 'internal error' }))
      .then((reply) => req.respond(encodeExchange(reply)))
      .catch((e: unknown) => this.ctx.logger.log('info', 'health.clinic-respond-failed', { reason: describeError(e) }));
  }

  private async handle(o: ClinicOffer, bytes: Uint8Array): Promise<ExchangeMessage> {
    const m = decodeExchange(bytes);
    if (m.type !== 'letter-request' && m.type !== 'member-letter') throw HealthErrors.HEALTH_BAD_EXCHANGE(`a ${m.type} message does not go to a clinic address`);
    const a = [...this.answers.values()].find((x) => x.postId === o.postId && x.proposals.get(m.proposalId)?.proposal.letterOfIntent === true);
    if (!a) throw HealthErrors.HEALTH_NO_SUCH_PROPOSAL('no proposal offering a letter of intent has that id');
    if (m.type === 'letter-request') {
      const box = await this.letters.onRequest(a, m.proposalId);
      return box ? { type: 'ok', box } : { type: 'ok' };
    }
    await this.letters.onMemberLetter(a, m.proposalId, m.letterBox, m.dataBox);
    return { type: 'ok' };
  }

  private view(a: ClinicAnswer): ClinicAnswerView {
    return {
      answerId: a.answerId,
      board: a.board,
      postId: a.postId,
      offerId: a.offer.offerId,
      title: a.offer.title,
      received: a.received,
      disclosed: { ...(a.answer.disclosed as Record<string, AttributeValue>) },
      message: a.answer.message,
      proposals: [...a.proposals.values()].map(({ proposal: p, sentAt }) => ({ proposalId: p.proposalId, text: p.text, letterOfIntent: p.letterOfIntent, expires: p.expires, sentAt })),
      letter: this.letters.state(a),
    };
  }
}



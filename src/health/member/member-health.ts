/**
 * The member's health application on its node (docs/protocol.md §8): the profile (kept on this
 * device only, encrypted at rest), anonymous uploads, the published statistics and where the
 * member stands, offers matched on this device, and answers to them (member-exchanges.ts carries
 * on from there: proposals and letters of intent).
 *
 * What leaves the node: an upload carries only `disclosedView` (upload.ts); an answer only what
 * the member picks for that clinic (offer-answer.ts); searches carry only public terms. Matching
 * and "where I stand" read the full profile here and their results are shown, never sent.
 */

import { BOARD_LIMITS } from '../../board/types.js';
import { CATALOGUE, isAttributeName, isMeasurementKind, type IdentifyingAttribute, type MeasurementKind, type SettableAttribute } from '../profile/attributes.js';
import { pickLatestStats, type StudyStats, STATS_KIND } from '../formats/stats-codec.js';
import { now, type HealthContext } from '../context/health-context.js';
import type { HealthKeys } from '../context/health-keys.js';
import { MemberExchanges, type LetterExchangeView, type MemberAnswerView, type ProposalView } from './member-exchanges.js';
import { buildAnswer, encodeAnswer } from '../formats/offer-answer.js';
import { matchOffer, type MatchResult } from '../formats/offer-match.js';
import { OFFER_KIND_FIELD, parseOffer, type Offer } from '../formats/offer.js';
import { clearAttribute, recordMeasurement, setAttribute, setDisclosed, type Profile } from '../profile/profile.js';
import { decodeProfile, encodeProfile } from '../profile/profile-codec.js';
import { profileView, type ProfileKeeper, type ProfileView } from '../profile/profile-keeper.js';
import { buildUpload, checkStudy } from '../formats/upload.js';
import { whereIStand, type Standing } from './where-i-stand.js';
import type { AttributeValue } from '../formats/json-fields.js';
import { HealthErrors } from '../health-errors.js';

/** Uploads live as long as a post may (30 days): a study's intermediary gathers them meanwhile. */
export const UPLOAD_TTL_SECONDS = BOARD_LIMITS.maxPostTtlSeconds;
/** BOUNDED: offers read in one look at the board, and offers remembered for answering. */
export const MAX_OFFERS = 500;
/** BOUNDED: statistics posts read for one study (a publication has at most 64 parts). */
export const MAX_STATS_POSTS = 1_000;

export interface UploadResult {
  postId: string;
  expires: number;
  study: string;
  /** Points in the upload, and older ones left out to fit a post. */
  included: number;
  omitted: number;
  pseudonymous: boolean;
}

export interface StatsResult {
  /** The newest complete publication for the study, or null when there is none. */
  stats: StudyStats | null;
  /** Computed on this device against the member's own cohort (empty without statistics). */
  standing: Standing[];
}

export interface OfferView {
  postId: string;
  offer: Offer;
  /** The match against the full profile, for the member's eyes only. */
  match: MatchResult;
  /** This member's answer to it, if it answered. */
  answerId: string | null;
}

export interface AnswerResult {
  answerId: string;
  offerId: string;
  postId: string;
  /** Exactly what the answer told the clinic. */
  disclosed: Record<string, AttributeValue>;
}

export interface MemberHealthOptions {
  ctx: HealthContext;
  keys: HealthKeys;
  profile: ProfileKeeper;
  keystoreText?: string;
}

export class MemberHealth {
  private readonly exchanges: MemberExchanges;
  private readonly offerCache = new Map<string, { board: string; offer: Offer }>(); // BOUNDED(MAX_OFFERS): by post id

  constructor(private readonly o: MemberHealthOptions) {
    this.exchanges = new MemberExchanges({ ctx: o.ctx, profile: o.profile, keystoreText: o.keystoreText });
  }

  private get ctx(): HealthContext {
    return this.o.ctx;
  }

  // ── profile ─────────────────────────────────────────────────────────────────────────────────

  async profile(): Promise<ProfileView> {
    return profileView(await this.o.profile.get(), now(this.ctx));
  }

  /** The profile itself (for code on this node only: the demo, tests). */
  rawProfile(): Promise<Profile> {
    return this.o.profile.get();
  }

  /** Replaces the whole profile (the demo loads generated members this way). */
  async importProfile(profile: Profile): Promise<ProfileView> {
    let checked: Profile;
    try {
      checked = decodeProfile(encodeProfile(profile)); // the catalogue's checks, and a copy
    } catch (e) {
      throw HealthErrors.HEALTH_BAD_PROFILE(`refusing an invalid profile: ${(e as Error).message}`, { cause: e });
    }
    return profileView(await this.o.profile.update(() => checked), now(this.ctx));
  }

  /** Sets an attribute (null clears it): HEALTH_UNKNOWN_ATTRIBUTE, HEALTH_DERIVED, HEALTH_NOT_ATTRIBUTE, HEALTH_BAD_VALUE. */
  async setAttribute(name: string, value: unknown): Promise<ProfileView> {
    if (!isAttributeName(name)) throw HealthErrors.HEALTH_UNKNOWN_ATTRIBUTE(`unknown attribute ${JSON.stringify(String(name).slice(0, 40))}`);
    const t = now(this.ctx);
    const cls = CATALOGUE[name].class;
    if (cls === 'derived') throw HealthErrors.HEALTH_DERIVED(`${name} is derived (from birthDate) and cannot be set`);
    if (cls === 'measurement') throw HealthErrors.HEALTH_NOT_ATTRIBUTE(`${name} is a measurement; record it with a time`);
    const p = await this.o.profile.update((p) =>
      value === null ? clearAttribute(p, name as SettableAttribute) : setAttribute(p, name as SettableAttribute, value as never, t),
    );
    return profileView(p, t);
  }

  /** Turns disclosure on or off: HEALTH_LOCKED (refused) for an identifying attribute. */
  async setDisclosed(name: string, on: boolean): Promise<ProfileView> {
    if (!isAttributeName(name)) throw HealthErrors.HEALTH_UNKNOWN_ATTRIBUTE(`unknown attribute ${JSON.stringify(String(name).slice(0, 40))}`);
    const p = await this.o.profile.update((p) => setDisclosed(p, name, on));
    return profileView(p, now(this.ctx));
  }

  /** Records a measurement (`at` defaults to now): HEALTH_UNKNOWN_MEASUREMENT, HEALTH_OUT_OF_RANGE, HEALTH_BAD_TIME. */
  async recordMeasurement(m: { kind: string; value: number; at?: number }): Promise<ProfileView> {
    if (!isMeasurementKind(m.kind)) throw HealthErrors.HEALTH_UNKNOWN_MEASUREMENT(`unknown measurement kind ${JSON.stringify(String(m.kind).slice(0, 40))}`);
    const t = now(this.ctx);
    const p = await this.o.profile.update((p) => recordMeasurement(p, { kind: m.kind as MeasurementKind, value: m.value, at: m.at ?? t }, t));
    return profileView(p, t);
  }

  // ── uploads and statistics ──────────────────────────────────────────────────────────────────

  /** One anonymous upload of the disclosed data: one post, under a fresh one-time anonymous ID. */
  async upload(board: string, o: { study: string; pseudonymous?: boolean }): Promise<UploadResult> {
    const pseudonymous = o.pseudonymous === true;
    const payload = buildUpload(await this.o.profile.get(), { study: o.study, now: now(this.ctx), pseudonymous, pseudonymSecret: this.o.keys.pseudonymSecret });
    const posted = await this.ctx.board.post(board, { text: payload.text, fields: payload.fields, ttlSeconds: UPLOAD_TTL_SECONDS });
    this.ctx.logger.log('info', 'health.uploaded', { study: o.study, points: payload.included, omitted: payload.omitted });
    return { postId: posted.postId, expires: posted.expires, study: o.study, included: payload.included, omitted: payload.omitted, pseudonymous };
  }

  /** The newest published statistics of `study`, and where this member stands (computed here). */
  async stats(board: string, study: string): Promise<StatsResult> {
    checkStudy(study);
    const posts = await this.ctx.board.searchAll(board, { query: '', fields: [{ key: 'kind', value: STATS_KIND }, { key: 'study', value: study }] }, MAX_STATS_POSTS);
    const stats = pickLatestStats(posts.map((p) => ({ text: p.text, fields: p.fields })), study) ?? null;
    const standing = stats ? whereIStand(await this.o.profile.get(), stats, now(this.ctx)) : [];
    return { stats, standing };
  }

  // ── offers and answers ──────────────────────────────────────────────────────────────────────

  /** Offers on the board, each matched against the full profile on this device. */
  async offers(board: string): Promise<{ offers: OfferView[]; skipped: number }> {
    const posts = await this.ctx.board.searchAll(board, { query: '', fields: [{ ...OFFER_KIND_FIELD }] }, MAX_OFFERS);
    const profile = await this.o.profile.get();
    const t = now(this.ctx);
    const answered = new Map(this.exchanges.answerList().filter((a) => a.board === board).map((a) => [a.postId, a.answerId]));
    const offers: OfferView[] = []; // BOUNDED(MAX_OFFERS): what searchAll returned
    let skipped = 0;
    for (const post of posts) {
      let offer: Offer;
      try {
        offer = parseOffer({ text: post.text, fields: post.fields });
      } catch {
        skipped++;
        continue;
      }
      this.remember(post.postId, board, offer);
      offers.push({ postId: post.postId, offer, match: matchOffer(profile, offer, t), answerId: answered.get(post.postId) ?? null });
    }
    if (skipped > 0) this.ctx.logger.log('info', 'health.offers-skipped', { skipped });
    return { offers, skipped };
  }

  private remember(postId: string, board: string, offer: Offer): void {
    this.offerCache.delete(postId);
    this.offerCache.set(postId, { board, offer });
    while (this.offerCache.size > MAX_OFFERS) this.offerCache.delete(this.offerCache.keys().next().value!);
  }

  private async offerAt(board: string, postId: string): Promise<Offer> {
    const cached = this.offerCache.get(postId);
    if (cached && cached.board === board) return cached.offer;
    const post = await this.ctx.board.get(board, postId);
    const offer = parseOffer({ text: post.text, fields: post.fields });
    this.remember(postId, board, offer);
    return offer;
  }

  /**
   * Answers an offer that matches the full profile (HEALTH_NO_MATCH otherwise: the device does not
   * answer offers its member does not fit), disclosing only `disclose` (HEALTH_LOCKED for an
   * identifying attribute). The answer carries a fresh one-time answer address that this node
   * serves; it goes as a board reply that only the clinic can open.
   */
  async answer(board: string, postId: string, o: { disclose: readonly string[]; message?: string }): Promise<AnswerResult> {
    const offer = await this.offerAt(board, postId);
    const profile = await this.o.profile.get();
    const t = now(this.ctx);
    const match = matchOffer(profile, offer, t);
    if (match.expired) throw HealthErrors.HEALTH_OFFER_EXPIRED(`offer ${offer.offerId} expired at ${new Date(offer.expires).toISOString()}`);
    if (!match.matches) throw HealthErrors.HEALTH_NO_MATCH('your profile does not meet this offer\'s criteria, so your device does not answer it');
    const address = this.ctx.router.newAddress('inbox');
    const answer = buildAnswer(profile, offer, { answerAddress: address.text, disclose: o.disclose, message: o.message ?? '', now: t });
    const reply = encodeAnswer(answer);
    const answerId = this.exchanges.open({ board, postId, offer, address, disclosed: answer.disclosed as Record<string, AttributeValue> });
    try {
      await this.ctx.board.reply(board, postId, { text: reply.text, answerAddress: reply.answerAddress });
    } catch (e) {
      this.exchanges.drop(answerId);
      throw e;
    }
    this.ctx.logger.log('info', 'health.answered', { answer: answerId.slice(0, 8), disclosed: Object.keys(answer.disclosed).length });
    return { answerId, offerId: offer.offerId, postId, disclosed: { ...(answer.disclosed as Record<string, AttributeValue>) } };
  }

  answers(): MemberAnswerView[] {
    return this.exchanges.answerList();
  }

  proposals(): ProposalView[] {
    return this.exchanges.proposals();
  }

  // ── letters of intent ───────────────────────────────────────────────────────────────────────

  requestLetter(proposalId: string): Promise<LetterExchangeView> {
    return this.exchanges.requestLetter(proposalId);
  }

  signLetter(exchangeId: string, passphrase: string, items?: IdentifyingAttribute[]): Promise<LetterExchangeView> {
    return this.exchanges.signLetter(exchangeId, passphrase, items);
  }

  letters(): LetterExchangeView[] {
    return this.exchanges.letterList();
  }
}

/**
 * The clinic's letters of intent (docs/protocol.md §8.5–§8.6), one exchange per answer: the
 * clinic signs its letter ("to protect the data") for the member's answer address, seals it to
 * that address's key, and hands it over when the member asks (or sends it to the answer address
 * if the member asked first). The member's letter and the released data arrive sealed to the
 * clinic's letter key; both letters are verified against the community CA before the data is
 * opened, and only the items the member's letter gives are accepted.
 */

import { toHex } from '../../crypto/bytes.js';
import { sha256 } from '../../crypto/hash.js';
import type { IdentifyingAttribute } from '../profile/attributes.js';
import type { ClinicAnswer } from './clinic-answer.js';
import { encodeExchange, expectOk } from '../formats/exchange-message.js';
import { exchangeRequest, letterTrust, now, type HealthContext } from '../context/health-context.js';
import { openIdentifyingData, type IdentifyingItems } from '../formats/identity-release.js';
import { signClinicLetter, verifyMemberLetter } from '../formats/letter-of-intent.js';
import { openMemberLetter, sealClinicLetter } from '../formats/letter-seal.js';
import { HealthErrors } from '../health-errors.js';

/** BOUNDED: letter exchanges remembered (the oldest forgotten first). */
export const MAX_CLINIC_LETTERS = 1_000;
/** BOUNDED: released records kept (the oldest forgotten first). */
export const MAX_RELEASED = 1_000;

export interface ClinicLetterState {
  /**
   * none: no letter, no request; requested: the member asked, the clinic has not signed;
   * prepared: signed, not yet handed over; sent: the member has it; released: the member's
   * letter and data arrived and verified.
   */
  state: 'none' | 'requested' | 'prepared' | 'sent' | 'released';
  /** Hex SHA-256 of the clinic letter, once signed. */
  hash: string | null;
  items: IdentifyingAttribute[];
}

/** Identifying data a member gave under two verified letters. */
export interface ReleasedRecord {
  answerId: string;
  offerId: string;
  proposalId: string;
  /** The serial of the member's passport, named by the member's signed letter. */
  memberSerial: string;
  /** What the member gave, attribute → value. */
  items: IdentifyingItems;
  clinicLetter: string;
  memberLetter: string;
  purposes: string[];
  retentionDays: number;
  receivedAt: number;
}

interface LetterEntry {
  letter: { bytes: Uint8Array; hash: string; items: IdentifyingAttribute[]; purposes: string[]; retentionDays: number } | undefined;
  /** The proposal a member asked a letter under, before it was signed. */
  requested: string | undefined;
  sent: boolean;
  released: ReleasedRecord | undefined;
}

export class ClinicLetters {
  private readonly entries = new Map<string, LetterEntry>(); // BOUNDED(MAX_CLINIC_LETTERS): by answer id
  private readonly released: ReleasedRecord[] = []; // BOUNDED(MAX_RELEASED)

  constructor(private readonly ctx: HealthContext) {}

  private entry(a: ClinicAnswer): LetterEntry {
    let e = this.entries.get(a.answerId);
    if (!e) {
      e = { letter: undefined, requested: undefined, sent: false, released: undefined };
      this.entries.set(a.answerId, e);
      while (this.entries.size > MAX_CLINIC_LETTERS) this.entries.delete(this.entries.keys().next().value!);
    }
    return e;
  }

  state(a: ClinicAnswer): ClinicLetterState {
    const e = this.entries.get(a.answerId);
    if (!e) return { state: 'none', hash: null, items: [] };
    const state = e.released ? 'released' : e.sent ? 'sent' : e.letter ? 'prepared' : e.requested ? 'requested' : 'none';
    return { state, hash: e.letter?.hash ?? null, items: [...(e.letter?.items ?? [])] };
  }

  releasedList(): ReleasedRecord[] {
    return this.released.map((r) => ({ ...r, items: { ...r.items }, purposes: [...r.purposes] })).reverse();
  }

  /** Signs the clinic letter for an answer; sends it at once if the member already asked. */
  async prepare(a: ClinicAnswer, draft: { purposes: string[]; retentionDays: number; items: IdentifyingAttribute[] }): Promise<void> {
    const e = this.entry(a);
    if (e.sent || e.released) throw HealthErrors.HEALTH_LETTER_DONE('the member already has this clinic letter');
    const bytes = signClinicLetter(
      { offerId: a.offer.offerId, clinic: a.offer.clinic, purposes: draft.purposes, retentionDays: draft.retentionDays, items: draft.items, answerAddress: a.answer.answerAddress, date: now(this.ctx) },
      this.ctx.identity,
      this.ctx.runtime.random,
    );
    e.letter = { bytes, hash: toHex(sha256(bytes)), items: [...draft.items].sort() as IdentifyingAttribute[], purposes: [...draft.purposes], retentionDays: draft.retentionDays };
    this.ctx.logger.log('info', 'health.clinic-letter-signed', { answer: a.answerId.slice(0, 8) });
    if (e.requested !== undefined) {
      const box = await sealClinicLetter(bytes, a.answer.answerAddress);
      expectOk(await exchangeRequest(this.ctx, a.answer.answerAddress, encodeExchange({ type: 'clinic-letter', proposalId: e.requested, box })), 'clinic letter');
      e.sent = true;
    }
  }

  /** A member asks for the letter: the sealed letter if signed, else noted for when it is. */
  async onRequest(a: ClinicAnswer, proposalId: string): Promise<Uint8Array | undefined> {
    const e = this.entry(a);
    e.requested = proposalId;
    if (!e.letter) return undefined;
    const box = await sealClinicLetter(e.letter.bytes, a.answer.answerAddress);
    e.sent = true;
    return box;
  }

  /** The member's letter and data: both letters verified, the data opened and checked, then kept. */
  async onMemberLetter(a: ClinicAnswer, proposalId: string, letterBox: Uint8Array, dataBox: Uint8Array): Promise<void> {
    const e = this.entry(a);
    if (!e.letter) throw HealthErrors.HEALTH_LETTER_NOT_READY('the clinic has not signed a letter for this answer');
    const { onionPrivateKey } = this.ctx.identity;
    const memberBytes = await openMemberLetter(letterBox, onionPrivateKey);
    const trust = letterTrust(this.ctx);
    const { member } = verifyMemberLetter(memberBytes, e.letter.bytes, trust);
    if (e.released) {
      if (e.released.memberLetter === member.hash) return; // the same letter again: a repeated request
      throw HealthErrors.HEALTH_LETTER_DONE('data was already released under this clinic letter');
    }
    const data = await openIdentifyingData(dataBox, e.letter.bytes, memberBytes, { ...trust, onionPrivateKey });
    const record: ReleasedRecord = {
      answerId: a.answerId,
      offerId: data.offerId,
      proposalId,
      memberSerial: member.passport.serial,
      items: data.items,
      clinicLetter: data.clinicLetter,
      memberLetter: data.memberLetter,
      purposes: [...e.letter.purposes],
      retentionDays: e.letter.retentionDays,
      receivedAt: now(this.ctx),
    };
    e.released = record;
    e.sent = true;
    this.released.push(record);
    if (this.released.length > MAX_RELEASED) this.released.shift();
    this.ctx.logger.log('info', 'health.data-received', { answer: a.answerId.slice(0, 8), items: Object.keys(data.items).length });
  }
}

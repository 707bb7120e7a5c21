/**
 * What a clinic keeps of one anonymous answer to its offer (docs/protocol.md §8.4): the answer,
 * the offer it answers, and the proposals sent to it.
 */
import type { Answer } from '../formats/offer-answer.js';
import type { Offer } from '../formats/offer.js';
import type { Proposal } from '../formats/proposal.js';

export interface ClinicAnswer {
  /** The board reply's id. */
  answerId: string;
  board: string;
  postId: string;
  offer: Offer;
  answer: Answer;
  received: number;
  proposals: Map<string, { proposal: Proposal; sentAt: number }>; // BOUNDED(MAX_PROPOSALS_SENT)
}

/**
 * Adapts a node's health application (health-node.ts) to the control API's
 * `HealthControl` (health-api.ts).
 */
import type { HealthNode } from './health-node.js';
import type { OfferInput } from '../formats/offer.js';
import type { HealthControl } from './health-api.js';

export function healthControl(health: HealthNode): HealthControl {
  const { member, intermediary, clinic } = health;
  return {
    profile: () => member.profile(),
    setAttribute: (name, value) => member.setAttribute(name, value),
    setDisclosed: (name, on) => member.setDisclosed(name, on),
    recordMeasurement: (m) => member.recordMeasurement(m),
    upload: (board, o) => member.upload(board, o),
    stats: (board, study) => member.stats(board, study),
    offers: (board) => member.offers(board),
    answer: (board, postId, o) => member.answer(board, postId, o),
    proposals: () => member.proposals(),
    requestLetter: (proposalId) => member.requestLetter(proposalId),
    signLetter: (exchangeId, passphrase, items) => member.signLetter(exchangeId, passphrase, items),
    letters: () => member.letters(),
    // The offer's form is checked by validateOffer (HEALTH_BAD_OFFER) inside postOffer.
    postOffer: (board, offer, ttlSeconds) => clinic.postOffer(board, offer as unknown as OfferInput, ttlSeconds),
    answers: (board) => clinic.fetchAnswers(board),
    propose: (answerId, proposal) => clinic.propose(answerId, proposal),
    clinicLetter: (answerId, draft) => clinic.clinicLetter(answerId, draft),
    released: () => clinic.released(),
    publishStats: (board, o) => intermediary.publishStats(board, o),
  };
}

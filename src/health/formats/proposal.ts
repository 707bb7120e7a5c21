/**
 * A clinic's proposal to an anonymous member (docs/protocol.md §8.4): sent as an end-to-end
 * message (§6.8) to the one-time answer address the member's answer carried, so the clinic
 * reaches the member without learning who it is. It may offer appointments and say whether the
 * clinic is ready to sign a letter of intent (letter-of-intent.ts), the only way identifying data
 * ever moves.
 */
import { toHex, utf8 } from '../../crypto/bytes.js';
import { randomBytesFrom, type RandomSource } from '../../crypto/random.js';
import { arrayField, boolField, decodeUtf8, parseObject, textField, timeField } from './json-fields.js';
import { checkCanonical, exactKeys, failWith, objectField, hexField, intField, type Fail } from '../../wire/json-fields.js';

export const PROPOSAL_FORMAT = 'tokumei-health-proposal/1';
export const PROPOSAL_LIMITS = {
  maxBytes: 16_384,
  maxTextBytes: 4_096,
  maxAppointments: 8,
  maxPlaceBytes: 128,
  /** One day. */
  maxMinutes: 1_440,
} as const;

export interface Appointment {
  /** Start, ms since the epoch. */
  at: number;
  /** Duration, 1..1440 minutes. */
  minutes: number;
  /** Where (one line, may be empty: e.g. a video call arranged later). */
  place: string;
}

export interface Proposal {
  offerId: string;
  /** 16 random bytes, hex: the member's reply names the proposal by it. */
  proposalId: string;
  text: string;
  appointments: Appointment[];
  /** The clinic is ready to sign a letter of intent for identifying data (§8.5). */
  letterOfIntent: boolean;
  /** ms since the epoch; the proposal lapses then. */
  expires: number;
}

export function newProposalId(random?: RandomSource): string {
  return toHex(randomBytesFrom(random, 16));
}

function checkAppointment(v: unknown, i: number, fail: Fail): Appointment {
  const what = `appointment ${i}`;
  const o = objectField(v, what, fail);
  exactKeys(o, ['at', 'minutes', 'place'], what, fail);
  return {
    at: timeField(o.at, `${what} at`, fail),
    minutes: intField(o.minutes, 1, PROPOSAL_LIMITS.maxMinutes, `${what} minutes`, fail),
    place: textField(o.place, { min: 0, maxBytes: PROPOSAL_LIMITS.maxPlaceBytes }, `${what} place`, fail),
  };
}

function checkProposal(o: Record<string, unknown>, fail: Fail): Proposal {
  return {
    offerId: hexField(o.offerId, 16, 'offerId', fail),
    proposalId: hexField(o.proposalId, 16, 'proposalId', fail),
    text: textField(o.text, { maxBytes: PROPOSAL_LIMITS.maxTextBytes, multiline: true }, 'text', fail),
    appointments: arrayField(o.appointments, 0, PROPOSAL_LIMITS.maxAppointments, 'appointments', fail).map((a, i) => checkAppointment(a, i, fail)),
    letterOfIntent: boolField(o.letterOfIntent, 'letterOfIntent', fail),
    expires: timeField(o.expires, 'expires', fail),
  };
}

function proposalText(p: Proposal): string {
  return JSON.stringify({
    format: PROPOSAL_FORMAT,
    offerId: p.offerId,
    proposalId: p.proposalId,
    text: p.text,
    appointments: p.appointments.map((a) => ({ at: a.at, minutes: a.minutes, place: a.place })),
    letterOfIntent: p.letterOfIntent,
    expires: p.expires,
  });
}

const PROPOSAL_KEYS = ['offerId', 'proposalId', 'text', 'appointments', 'letterOfIntent', 'expires'];

/** The message bytes (UTF-8 canonical JSON); HEALTH_BAD_PROPOSAL (bad-input) when invalid. */
export function encodeProposal(proposal: Proposal): Uint8Array {
  const fail: Fail = failWith('bad-input', 'HEALTH_BAD_PROPOSAL', 'proposal');
  const o = objectField(proposal, 'proposal', fail);
  exactKeys(o, PROPOSAL_KEYS, 'proposal', fail);
  return utf8(proposalText(checkProposal(o, fail)));
}

/** Strict decode of received bytes; HEALTH_BAD_PROPOSAL (protocol) for anything else. */
export function decodeProposal(bytes: Uint8Array): Proposal {
  const fail: Fail = failWith('protocol', 'HEALTH_BAD_PROPOSAL', 'proposal');
  const text = decodeUtf8(bytes, PROPOSAL_LIMITS.maxBytes, fail);
  const o = parseObject(text, PROPOSAL_LIMITS.maxBytes, fail);
  exactKeys(o, ['format', ...PROPOSAL_KEYS], 'proposal', fail);
  if (o.format !== PROPOSAL_FORMAT) fail(`format is not ${PROPOSAL_FORMAT}`);
  const proposal = checkProposal(o, fail);
  checkCanonical(text, proposalText(proposal), fail);
  return proposal;
}

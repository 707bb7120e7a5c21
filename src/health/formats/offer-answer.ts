/**
 * A member's answer to an offer (docs/protocol.md §8.4). It travels as a board reply to the
 * offer's post, sealed to the post's key X (§7.3), so only the clinic reads it; the reply's
 * `answer address` slot carries the member's fresh one-time address (tk1…, §6.1), where the
 * clinic's proposals will come. The clinic never learns who answered.
 *
 * The answer discloses only what the member explicitly picks, and only from the disclosable
 * attributes of the catalogue (§8.1): an identifying attribute (name, address, phone, email,
 * birthDate) or the exact age is refused with HEALTH_LOCKED. Identifying data moves only under
 * letters of intent (letter-of-intent.ts).
 */
import { TokumeiError, type ErrorKind } from '../../errors.js';
import { decodeAddress } from '../../routing/formats/one-time-address.js';
import {
  AGE_BANDS,
  checkAttributeValue,
  checkMeasurementValue,
  DISCLOSABLE,
  IDENTIFYING_ATTRIBUTES,
  isDisclosable,
  isMeasurementKind,
  type DisclosableName,
} from '../profile/attributes.js';
import { parseObject, textField, type AttributeValue } from './json-fields.js';
import { checkCanonical, exactKeys, failWith, objectField, hexField, type Fail } from '../../wire/json-fields.js';
import { lookupAttribute } from './offer-match.js';
import { validateOffer, type Offer } from './offer.js';
import type { Profile } from '../profile/profile.js';

export const ANSWER_FORMAT = 'tokumei-health-answer/1';
export const ANSWER_LIMITS = { maxMessageBytes: 2_048, maxTextBytes: 4_096 } as const;

export interface Answer {
  offerId: string;
  /** The member's fresh one-time address (tk1…): proposals come there. */
  answerAddress: string;
  /** Only what the member picked, in catalogue order. */
  disclosed: Partial<Record<DisclosableName, AttributeValue>>;
  /** Free text to the clinic (may be empty). */
  message: string;
}

/** A board reply message (§7.3 `reply message`). */
export interface AnswerReply {
  text: string;
  answerAddress: string;
}

export interface BuildAnswerOptions {
  /** A one-time address the member made for this answer alone (never reused). */
  answerAddress: string;
  /** The attribute names the member picked to disclose to this clinic. */
  disclose: readonly string[];
  message?: string;
  /** ms since the epoch. */
  now: number;
}

function refuse(kind: ErrorKind, code: string, message: string): never {
  throw new TokumeiError(kind, code, message);
}

function checkAddress(address: unknown, fail: Fail): string {
  if (typeof address !== 'string') fail('the answer address must be a tk1 address');
  try {
    decodeAddress(address);
  } catch (e) {
    fail(`the answer address is not a one-time address (${(e as Error).message})`);
  }
  return address;
}

/**
 * Builds the member's answer. Each picked name must be disclosable and set in the profile:
 * HEALTH_LOCKED (refused) for an identifying attribute or `age`, HEALTH_UNKNOWN_ATTRIBUTE for a
 * name the catalogue does not know, HEALTH_NO_VALUE when the profile holds no value for it.
 * HEALTH_OFFER_EXPIRED when the offer has expired; HEALTH_BAD_ANSWER for a bad address or message.
 */
export function buildAnswer(profile: Profile, offer: Offer, options: BuildAnswerOptions): Answer {
  const fail: Fail = failWith('bad-input', 'HEALTH_BAD_ANSWER', 'answer');
  const checked = validateOffer(offer);
  const { now } = options;
  if (typeof now !== 'number' || !Number.isFinite(now)) refuse('bad-input', 'HEALTH_BAD_TIME', 'buildAnswer needs now (ms since the epoch)');
  if (now >= checked.expires) refuse('refused', 'HEALTH_OFFER_EXPIRED', `offer ${checked.offerId} expired at ${new Date(checked.expires).toISOString()}`);
  const answerAddress = checkAddress(options.answerAddress, fail);
  const message = textField(options.message ?? '', { min: 0, maxBytes: ANSWER_LIMITS.maxMessageBytes, multiline: true }, 'message', fail);
  if (!Array.isArray(options.disclose)) fail('disclose must be a list of attribute names');
  const picked = new Set<string>();
  for (const name of options.disclose) {
    if (typeof name !== 'string') fail('disclose must be a list of attribute names');
    if (!isDisclosable(name)) {
      if (name === 'age' || (IDENTIFYING_ATTRIBUTES as readonly string[]).includes(name)) {
        refuse('refused', 'HEALTH_LOCKED', `${name} identifies you and is never sent in an answer; only a letter of intent can give it to one clinic`);
      }
      refuse('bad-input', 'HEALTH_UNKNOWN_ATTRIBUTE', `${JSON.stringify(name).slice(0, 40)} is not an attribute you can disclose`);
    }
    picked.add(name);
  }
  const disclosed: Partial<Record<DisclosableName, AttributeValue>> = {};
  for (const name of DISCLOSABLE) {
    if (!picked.has(name)) continue;
    const found = lookupAttribute(profile, name, now);
    if (found === undefined) refuse('bad-input', 'HEALTH_NO_VALUE', `your profile has no ${name} to disclose`);
    disclosed[name] = found.value;
  }
  return { offerId: checked.offerId, answerAddress, disclosed, message };
}

function answerText(a: Answer): string {
  const disclosed: Record<string, AttributeValue> = {};
  for (const name of DISCLOSABLE) if (a.disclosed[name] !== undefined) disclosed[name] = a.disclosed[name]!;
  return JSON.stringify({ format: ANSWER_FORMAT, offerId: a.offerId, disclosed, message: a.message });
}

/** One disclosed value, checked against the catalogue (§8.1). */
function checkDisclosed(name: string, value: unknown, fail: Fail): AttributeValue {
  if (!isDisclosable(name)) fail(`${JSON.stringify(name).slice(0, 40)} cannot be disclosed in an answer`);
  try {
    if (name === 'ageBand') {
      if (typeof value !== 'string' || !(AGE_BANDS as readonly string[]).includes(value)) fail('ageBand is not an age band');
      return value;
    }
    if (isMeasurementKind(name)) return checkMeasurementValue(name, value);
    return checkAttributeValue(name as 'sex' | 'postcodeArea' | 'smoker', value, undefined);
  } catch (e) {
    if (e instanceof TokumeiError && e.code === 'HEALTH_BAD_ANSWER') throw e;
    return fail(`${name}: ${(e as Error).message}`);
  }
}

function checkAnswer(o: Record<string, unknown>, answerAddress: unknown, fail: Fail): Answer {
  const offerId = hexField(o.offerId, 16, 'offerId', fail);
  const d = objectField(o.disclosed, 'disclosed', fail);
  const disclosed: Partial<Record<DisclosableName, AttributeValue>> = {};
  for (const [name, value] of Object.entries(d)) disclosed[name as DisclosableName] = checkDisclosed(name, value, fail);
  const message = textField(o.message, { min: 0, maxBytes: ANSWER_LIMITS.maxMessageBytes, multiline: true }, 'message', fail);
  return { offerId, answerAddress: checkAddress(answerAddress, fail), disclosed, message };
}

/** The board reply carrying an answer: canonical JSON text, and the answer address in its slot. */
export function encodeAnswer(answer: Answer): AnswerReply {
  const fail: Fail = failWith('bad-input', 'HEALTH_BAD_ANSWER', 'answer');
  const a = objectField(answer, 'answer', fail);
  exactKeys(a, ['offerId', 'answerAddress', 'disclosed', 'message'], 'answer', fail);
  const checked = checkAnswer(a, a.answerAddress, fail);
  return { text: answerText(checked), answerAddress: checked.answerAddress };
}

/**
 * Reads an answer from a board reply (untrusted; the clinic's side). The text must be exactly the
 * canonical JSON of a valid answer, the address slot a tk1 address, every disclosed value valid
 * for the catalogue, never an identifying attribute; with `offerId`, the answer must name it.
 * Anything else is HEALTH_BAD_ANSWER (kind protocol).
 */
export function parseAnswer(reply: AnswerReply, offerId?: string): Answer {
  const fail: Fail = failWith('protocol', 'HEALTH_BAD_ANSWER', 'answer');
  const r = objectField(reply, 'reply', fail);
  if (typeof r.text !== 'string') fail('reply text must be a string');
  const o = parseObject(r.text, ANSWER_LIMITS.maxTextBytes, fail);
  exactKeys(o, ['format', 'offerId', 'disclosed', 'message'], 'answer', fail);
  if (o.format !== ANSWER_FORMAT) fail(`format is not ${ANSWER_FORMAT}`);
  const answer = checkAnswer(o, r.answerAddress, fail);
  checkCanonical(r.text, answerText(answer), fail);
  if (offerId !== undefined && answer.offerId !== offerId) fail(`it answers offer ${answer.offerId}, not ${offerId}`);
  return answer;
}

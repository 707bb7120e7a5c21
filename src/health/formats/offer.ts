/**
 * Offers (docs/protocol.md §8.4): a clinic (any service supplier) posts on the board what it
 * offers and to whom. The criteria may name attributes that members never disclose (exact age,
 * postcode, diagnoses): they are public, but the matching happens only on each member's device
 * (offer-match.ts), so the clinic learns nothing about members who do not answer.
 *
 * A post's `text` is the offer's canonical JSON (the board indexes its words, so a text search for
 * "diabetes" finds it); its fields are `kind=health.offer` and, only if the clinic wants, coarse
 * public hints (`region=kanto`) that let members narrow a search. Hints never decide a match.
 */
import type { ErrorKind } from '../../errors.js';
import { toHex, utf8 } from '../../crypto/bytes.js';
import { randomBytesFrom, type RandomSource } from '../../crypto/random.js';
import { arrayField, attributeField, nameField, parseObject, show, textField, timeField, valueField, type AttributeValue } from './json-fields.js';
import { checkCanonical, exactKeys, failWith, objectField, hexField, type Fail } from '../../wire/json-fields.js';

export const OFFER_FORMAT = 'tokumei-health-offer/1';
/** The board field every offer post carries. */
export const OFFER_KIND_FIELD = { key: 'kind', value: 'health.offer' } as const;

export const OFFER_LIMITS = {
  /** A board post's text (§7.3). */
  maxTextBytes: 16_384,
  maxClinicBytes: 128,
  maxTitleBytes: 200,
  maxDescriptionBytes: 8_192,
  maxCriteria: 32,
  maxInValues: 32,
  /** 16 board fields, one of which is `kind`. */
  maxHints: 15,
  maxHintBytes: 128,
} as const;

export type CriterionOp = 'eq' | 'neq' | 'gte' | 'lte' | 'in' | 'between';
export const CRITERION_OPS: readonly CriterionOp[] = ['eq', 'neq', 'gte', 'lte', 'in', 'between'];

/**
 * One condition on one attribute. `eq`/`neq` take a string, number or boolean; `gte`/`lte` a
 * number; `in` 1..32 distinct strings or numbers; `between` `[low, high]`, inclusive, low ≤ high.
 */
export type Criterion =
  | { attribute: string; op: 'eq' | 'neq'; value: AttributeValue }
  | { attribute: string; op: 'gte' | 'lte'; value: number }
  | { attribute: string; op: 'in'; value: (string | number)[] }
  | { attribute: string; op: 'between'; value: [number, number] };

/** A public, coarse hint posted as a board field (never used to decide a match). */
export interface OfferHint {
  key: string;
  value: string;
}

export interface Offer {
  /** 16 random bytes, lower-case hex: answers, proposals and letters name the offer by it. */
  offerId: string;
  /** The clinic's name as it presents itself (bound to its passport only by a letter of intent). */
  clinic: string;
  title: string;
  description: string;
  criteria: Criterion[];
  /** ms since the epoch; from then on the offer matches nobody. */
  expires: number;
  hints: OfferHint[];
}

/** What a clinic builds: an offer whose hints may be left out. */
export type OfferInput = Omit<Offer, 'hints'> & { hints?: OfferHint[] };

/** What the board carries: a post message (§7.3 `message`). */
export interface OfferPayload {
  text: string;
  fields: { key: string; value: string }[];
}

function offerFail(kind: ErrorKind, what = 'offer'): Fail {
  return failWith(kind, 'HEALTH_BAD_OFFER', what);
}

/** A fresh offer id (16 random bytes, hex). */
export function newOfferId(random?: RandomSource): string {
  return toHex(randomBytesFrom(random, 16));
}

function numberValue(v: unknown, what: string, fail: Fail): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${what} must be a finite number`);
  return Object.is(v, -0) ? 0 : v;
}

function checkCriterion(c: unknown, i: number, fail: Fail): Criterion {
  const what = `criterion ${i}`;
  const o = objectField(c, what, fail);
  exactKeys(o, ['attribute', 'op', 'value'], what, fail);
  const attribute = attributeField(o.attribute, `${what} attribute`, fail);
  const op = o.op;
  if (typeof op !== 'string' || !(CRITERION_OPS as readonly string[]).includes(op)) fail(`${what} op must be one of ${CRITERION_OPS.join(', ')}`);
  switch (op as CriterionOp) {
    case 'eq':
    case 'neq':
      return { attribute, op: op as 'eq' | 'neq', value: valueField(o.value, `${what} value`, fail) };
    case 'gte':
    case 'lte':
      return { attribute, op: op as 'gte' | 'lte', value: numberValue(o.value, `${what} value`, fail) };
    case 'in': {
      const list = arrayField(o.value, 1, OFFER_LIMITS.maxInValues, `${what} value`, fail).map((v, j) => {
        if (typeof v === 'boolean') fail(`${what} value ${j}: "in" takes strings or numbers`);
        return valueField(v, `${what} value ${j}`, fail) as string | number;
      });
      const seen = new Set(list.map((v) => `${typeof v}:${v}`));
      if (seen.size !== list.length) fail(`${what} value repeats an entry`);
      return { attribute, op: 'in', value: list };
    }
    case 'between': {
      const pair = arrayField(o.value, 2, 2, `${what} value`, fail);
      const low = numberValue(pair[0], `${what} low`, fail);
      const high = numberValue(pair[1], `${what} high`, fail);
      if (low > high) fail(`${what}: low ${show(low)} is above high ${show(high)}`);
      return { attribute, op: 'between', value: [low, high] };
    }
  }
}

function checkHints(v: unknown, fail: Fail): OfferHint[] {
  const list = arrayField(v ?? [], 0, OFFER_LIMITS.maxHints, 'hints', fail);
  const seen = new Set<string>();
  return list.map((h, i) => {
    const o = objectField(h, `hint ${i}`, fail);
    exactKeys(o, ['key', 'value'], `hint ${i}`, fail);
    const key = nameField(o.key, `hint ${i} key`, fail);
    if (key === OFFER_KIND_FIELD.key) fail(`hint key "${key}" is reserved`);
    if (seen.has(key)) fail(`hint key "${key}" is repeated`);
    seen.add(key);
    return { key, value: textField(o.value, { maxBytes: OFFER_LIMITS.maxHintBytes }, `hint "${key}" value`, fail) };
  });
}

/** Everything but the hints, checked; a fresh copy. */
function checkBody(o: Record<string, unknown>, fail: Fail): Omit<Offer, 'hints'> {
  return {
    offerId: hexField(o.offerId, 16, 'offerId', fail),
    clinic: textField(o.clinic, { maxBytes: OFFER_LIMITS.maxClinicBytes }, 'clinic', fail),
    title: textField(o.title, { maxBytes: OFFER_LIMITS.maxTitleBytes }, 'title', fail),
    description: textField(o.description, { min: 0, maxBytes: OFFER_LIMITS.maxDescriptionBytes, multiline: true }, 'description', fail),
    criteria: arrayField(o.criteria, 0, OFFER_LIMITS.maxCriteria, 'criteria', fail).map((c, i) => checkCriterion(c, i, fail)),
    expires: timeField(o.expires, 'expires', fail),
  };
}

/** The canonical post text of an offer (its fields in the documented order). */
function offerText(body: Omit<Offer, 'hints'>): string {
  return JSON.stringify({
    format: OFFER_FORMAT,
    offerId: body.offerId,
    clinic: body.clinic,
    title: body.title,
    description: body.description,
    criteria: body.criteria.map((c) => ({ attribute: c.attribute, op: c.op, value: c.value })),
    expires: body.expires,
  });
}

/**
 * Checks an offer a clinic builds (`hints` optional) and returns a normalised copy; anything out
 * of bounds, of the wrong type or with unknown fields is HEALTH_BAD_OFFER (kind bad-input).
 */
export function validateOffer(input: unknown): Offer {
  const fail: Fail = offerFail('bad-input');
  const o = objectField(input, 'offer', fail);
  const keys = Object.keys(o).filter((k) => k !== 'hints');
  exactKeys(Object.fromEntries(keys.map((k) => [k, o[k]])), ['offerId', 'clinic', 'title', 'description', 'criteria', 'expires'], 'offer', fail);
  const body = checkBody(o, fail);
  const hints = checkHints(o.hints, fail);
  const bytes = utf8(offerText(body)).length;
  if (bytes > OFFER_LIMITS.maxTextBytes) fail(`encodes to ${bytes} bytes of text, more than a post's ${OFFER_LIMITS.maxTextBytes}`);
  return { ...body, hints };
}

/** The board post for an offer: canonical JSON text, `kind=health.offer`, then the hints. */
export function encodeOffer(offer: OfferInput): OfferPayload {
  const checked = validateOffer(offer);
  return { text: offerText(checked), fields: [{ ...OFFER_KIND_FIELD }, ...checked.hints.map((h) => ({ ...h }))] };
}

/**
 * Reads an offer from a board post (untrusted): the text must be exactly the canonical JSON of a
 * valid offer and the fields must hold `kind=health.offer`; the other fields are its hints.
 * Anything else is HEALTH_BAD_OFFER (kind protocol).
 */
export function parseOffer(payload: OfferPayload): Offer {
  const fail: Fail = offerFail('protocol');
  const p = objectField(payload, 'post', fail);
  const text = p.text;
  if (typeof text !== 'string') fail('post text must be a string');
  const o = parseObject(text, OFFER_LIMITS.maxTextBytes, fail);
  exactKeys(o, ['format', 'offerId', 'clinic', 'title', 'description', 'criteria', 'expires'], 'offer', fail);
  if (o.format !== OFFER_FORMAT) fail(`format is not ${OFFER_FORMAT}`);
  const body = checkBody(o, fail);
  checkCanonical(text, offerText(body), fail);
  const fields = arrayField(p.fields, 1, OFFER_LIMITS.maxHints + 1, 'post fields', fail);
  const kinds = fields.filter((f) => (f as { key?: unknown } | null)?.key === OFFER_KIND_FIELD.key);
  if (kinds.length !== 1 || (kinds[0] as { value?: unknown }).value !== OFFER_KIND_FIELD.value) {
    fail(`post fields must hold ${OFFER_KIND_FIELD.key}=${OFFER_KIND_FIELD.value} once`);
  }
  const hints = checkHints(
    fields.filter((f) => f !== kinds[0]),
    fail,
  );
  return { ...body, hints };
}


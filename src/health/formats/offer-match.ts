/**
 * Matching an offer against a member's profile (docs/protocol.md §8.4), on the member's device
 * only: the criteria are checked against the FULL profile (§8.1), undisclosed attributes included
 * (exact age, postcode area, even identifying attributes), and nothing of it leaves the device.
 * The result explains each criterion so the member sees why an offer fits or not.
 *
 * The reasons quote the member's own values: show them to the member, never send or log them.
 */

import { ageBandOf, exactAge, isAttributeName, isMeasurementKind } from '../profile/attributes.js';
import type { AttributeValue } from './json-fields.js';
import { validateOffer, type Criterion, type Offer } from './offer.js';
import { latestMeasurement, type Profile } from '../profile/profile.js';
import { HealthErrors } from '../health-errors.js';

/**
 * `met` / `not-met`: the attribute was found and compared; `unknown-attribute`: the profile has
 * no such attribute nor measurement; `wrong-type`: it holds a value the operator cannot compare
 * (e.g. text against `between`). Only `met` counts as matched.
 */
export type CriterionOutcome = 'met' | 'not-met' | 'unknown-attribute' | 'wrong-type';

export interface CriterionResult {
  readonly criterion: Criterion;
  readonly outcome: CriterionOutcome;
  readonly matched: boolean;
  /** For the member's eyes only: it quotes the member's value. */
  readonly reason: string;
}

export interface MatchResult {
  /** Not expired, and every criterion met. */
  readonly matches: boolean;
  readonly expired: boolean;
  /** One per criterion, in the offer's order. */
  readonly reasons: CriterionResult[];
}

export interface FoundValue {
  readonly value: AttributeValue;
  /** How a reason names it ("your age", "your latest weightKg"). */
  readonly label: string;
}

/**
 * The value a criterion on `name` is compared with, from the full profile at `now`: a set
 * attribute (identifying ones included: this never leaves the device), `ageBand` and `age` (the
 * exact age in full years, a name offers may use beyond the catalogue's) derived from birthDate,
 * or the newest measurement of that kind at or before `now`. Undefined when the profile holds
 * none (an unknown name included).
 */
export function lookupAttribute(profile: Profile, name: string, now: number): FoundValue | undefined {
  if (name === 'age' || name === 'ageBand') {
    const birthDate = profile.attributes.birthDate;
    if (birthDate === undefined) return undefined;
    return { value: name === 'age' ? exactAge(birthDate, now) : ageBandOf(birthDate, now), label: `your ${name === 'age' ? 'age' : 'age band'}` };
  }
  if (isMeasurementKind(name)) {
    const m = latestMeasurement(profile, name, now);
    return m === undefined ? undefined : { value: m.value, label: `your latest ${name}` };
  }
  if (isAttributeName(name) && Object.hasOwn(profile.attributes, name)) {
    const value = (profile.attributes as Record<string, AttributeValue | undefined>)[name];
    if (value !== undefined) return { value, label: `your ${name}` };
  }
  return undefined;
}

function quote(v: AttributeValue): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function sameValue(a: AttributeValue, b: AttributeValue): boolean {
  if (typeof a !== typeof b) return false;
  if (typeof a === 'string') return a.normalize('NFC') === (b as string).normalize('NFC');
  return a === b;
}

const isNumber = (v: AttributeValue): v is number => typeof v === 'number' && Number.isFinite(v);

/** Evaluates one criterion. Exported for the dashboard, which explains criteria one by one. */
export function evaluateCriterion(profile: Profile, criterion: Criterion, now: number): CriterionResult {
  const result = (outcome: CriterionOutcome, reason: string): CriterionResult => ({ criterion, outcome, matched: outcome === 'met', reason });
  const found = lookupAttribute(profile, criterion.attribute, now);
  if (found === undefined) return result('unknown-attribute', `your profile has no "${criterion.attribute}", so this criterion is not met`);
  const { value, label } = found;
  const wrongType = (want: string) => result('wrong-type', `${label} is ${quote(value)}, not ${want}, so it cannot be compared`);
  const verdict = (ok: boolean, test: string) => result(ok ? 'met' : 'not-met', `${label} is ${quote(value)}: ${ok ? '' : 'not '}${test}`);
  switch (criterion.op) {
    case 'eq':
    case 'neq': {
      if (typeof value !== typeof criterion.value || (typeof value === 'number' && !isNumber(value))) return wrongType(`a ${typeof criterion.value}`);
      const equal = sameValue(value, criterion.value);
      return criterion.op === 'eq' ? verdict(equal, `equal to ${quote(criterion.value)}`) : verdict(!equal, `different from ${quote(criterion.value)}`);
    }
    case 'gte':
      return isNumber(value) ? verdict(value >= criterion.value, `at least ${criterion.value}`) : wrongType('a number');
    case 'lte':
      return isNumber(value) ? verdict(value <= criterion.value, `at most ${criterion.value}`) : wrongType('a number');
    case 'between': {
      const [low, high] = criterion.value;
      return isNumber(value) ? verdict(value >= low && value <= high, `between ${low} and ${high}`) : wrongType('a number');
    }
    case 'in': {
      if (typeof value !== 'string' && !isNumber(value)) return wrongType('a string or a number');
      return verdict(
        criterion.value.some((v) => sameValue(value, v)),
        `one of ${criterion.value.map(quote).join(', ')}`,
      );
    }
  }
}

/**
 * Matches `offer` against the member's full profile at `now` (ms). Expired offers (`now ≥
 * expires`) never match; their criteria are still explained. An offer without criteria matches
 * every profile until it expires. A malformed offer is HEALTH_BAD_OFFER.
 */
export function matchOffer(profile: Profile, offer: Offer, now: number): MatchResult {
  if (typeof now !== 'number' || !Number.isFinite(now)) throw HealthErrors.HEALTH_BAD_TIME('matchOffer needs now (ms since the epoch)');
  if (typeof profile !== 'object' || profile === null || typeof profile.attributes !== 'object' || profile.attributes === null || !Array.isArray(profile.measurements)) {
    throw HealthErrors.HEALTH_BAD_PROFILE('matchOffer needs a profile with attributes and measurements');
  }
  const checked = validateOffer(offer);
  const expired = now >= checked.expires;
  const reasons = checked.criteria.map((c) => evaluateCriterion(profile, c, now));
  return { matches: !expired && reasons.every((r) => r.matched), expired, reasons };
}

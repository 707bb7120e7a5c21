/** Offers for the offer, matching and answer tests. */
import type { Offer } from '../../src/health/formats/offer.js';
import { DAY, NOW } from './helpers.js';

export function sampleOffer(over: Partial<Offer> = {}): Offer {
  return {
    offerId: '0123456789abcdef0123456789abcdef',
    clinic: 'Saltmere Heart Clinic',
    title: 'Free blood-pressure check for smokers in their forties',
    description: 'A 30-minute check.\nNo referral needed.',
    criteria: [
      { attribute: 'age', op: 'between', value: [40, 50] },
      { attribute: 'smoker', op: 'eq', value: true },
      { attribute: 'postcodeArea', op: 'in', value: ['SM7', 'SM8'] },
      { attribute: 'systolic', op: 'gte', value: 130 },
    ],
    expires: NOW + 30 * DAY,
    hints: [{ key: 'region', value: 'saltmere' }],
    ...over,
  };
}

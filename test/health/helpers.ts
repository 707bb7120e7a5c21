import { TokumeiError } from '../../src/errors.js';
import { emptyProfile, recordMeasurements, setAttribute, type Profile } from '../../src/health/profile/profile.js';

export const is = (code: string) => (e: unknown) => e instanceof TokumeiError && e.code === code;
export const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
export const DAY = 86_400_000;

/** A profile with every attribute set and a few measurements; only ageBand and sex disclosed. */
export function fullProfile(): Profile {
  let p = emptyProfile();
  p = setAttribute(p, 'name', 'Bram Kestrel', NOW);
  p = setAttribute(p, 'address', '12 Heron Lane, Saltmere SM7 2AB', NOW);
  p = setAttribute(p, 'phone', '+44 7700 900456', NOW);
  p = setAttribute(p, 'email', 'bram@example.org', NOW);
  p = setAttribute(p, 'birthDate', '1961-08-09', NOW);
  p = setAttribute(p, 'sex', 'male', NOW);
  p = setAttribute(p, 'postcodeArea', 'SM7', NOW);
  p = setAttribute(p, 'smoker', true, NOW);
  return recordMeasurements(
    p,
    [
      { kind: 'systolic', value: 141, at: NOW - 2 * DAY },
      { kind: 'diastolic', value: 88, at: NOW - 2 * DAY },
      { kind: 'weightKg', value: 91.2, at: NOW - DAY },
      { kind: 'glucose', value: 6.1, at: NOW - DAY },
    ],
    NOW,
  );
}


/**
 * The member's profile on the node (docs/protocol.md §8.1): loaded once from the encrypted file
 * NODEDIR/health/profile.json (profile-store.ts, under the profile key of health-keys.ts) or kept
 * in memory when the node has no health directory; every change is applied in turn (one at a
 * time, so two changes never race to the file) and saved before it is reported done.
 *
 * A missing file is an empty profile; a file that does not open (wrong key, corrupt) is an error
 * and is never overwritten.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isTokumeiError } from '../../errors.js';
import { CATALOGUE, isMeasurementKind, type AttributeName, type AttributeSpec } from './attributes.js';
import { emptyProfile, isDisclosed, latestMeasurement, profileAgeBand, type Measurement, type Profile } from './profile.js';
import { loadProfile, saveProfile } from './profile-store.js';

export const PROFILE_FILE = 'profile.json';

/** One catalogue attribute as the member sees it. */
export interface AttributeState {
  /** The set value; ageBand derived from birthDate; a measurement kind its latest value; else null. */
  value: string | number | boolean | null;
  disclosed: boolean;
  /** Identifying: never disclosed (only a letter of intent gives it, to one clinic). */
  locked: boolean;
}

/** The catalogue entry of one attribute (attributes.ts), as JSON. */
export interface CatalogueEntry {
  name: AttributeName;
  label: string;
  class: AttributeSpec['class'];
  type: AttributeSpec['type'];
  locked: boolean;
  defaultDisclosed: boolean;
  unit?: string;
  min?: number;
  max?: number;
  decimals?: number;
  values?: string[];
  maxLength?: number;
  /** The regular expression's source, when the value has a format. */
  pattern?: string;
}

export interface ProfileView {
  /** Every catalogue attribute, in catalogue order. */
  attributes: Record<string, AttributeState>;
  /** Oldest first; BOUNDED(1000) per kind (profile.ts). */
  measurements: Measurement[];
  catalogue: CatalogueEntry[];
}

export function catalogueEntries(): CatalogueEntry[] {
  return Object.values(CATALOGUE).map((s) => ({
    name: s.name,
    label: s.label,
    class: s.class,
    type: s.type,
    locked: s.locked,
    defaultDisclosed: s.defaultDisclosed,
    ...(s.unit !== undefined ? { unit: s.unit } : {}),
    ...(s.min !== undefined ? { min: s.min } : {}),
    ...(s.max !== undefined ? { max: s.max } : {}),
    ...(s.decimals !== undefined ? { decimals: s.decimals } : {}),
    ...(s.values !== undefined ? { values: [...s.values] } : {}),
    ...(s.maxLength !== undefined ? { maxLength: s.maxLength } : {}),
    ...(s.pattern !== undefined ? { pattern: s.pattern.source } : {}),
  }));
}

export function profileView(profile: Profile, now: number): ProfileView {
  const attributes: Record<string, AttributeState> = {};
  for (const spec of Object.values(CATALOGUE)) {
    const name = spec.name;
    let value: AttributeState['value'] = null;
    if (name === 'ageBand') value = profileAgeBand(profile, now) ?? null;
    else if (isMeasurementKind(name)) value = latestMeasurement(profile, name, now)?.value ?? null;
    else value = (profile.attributes as Record<string, string | boolean | undefined>)[name] ?? null;
    attributes[name] = { value, disclosed: isDisclosed(profile, name), locked: spec.locked };
  }
  return { attributes, measurements: [...profile.measurements], catalogue: catalogueEntries() };
}

export interface ProfileKeeperOptions {
  /** The profile file; in memory only when absent. */
  path?: string;
  /** 32 bytes (health-keys.ts). */
  key: Uint8Array;
}

export class ProfileKeeper {
  private current: Profile | undefined;
  private loading: Promise<Profile> | undefined;
  /** Changes run one after another. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: ProfileKeeperOptions) {}

  get(): Promise<Profile> {
    if (this.current) return Promise.resolve(this.current);
    return (this.loading ??= this.load().finally(() => (this.loading = undefined)));
  }

  private async load(): Promise<Profile> {
    let p: Profile;
    if (this.o.path === undefined) p = emptyProfile();
    else {
      try {
        p = await loadProfile(this.o.path, this.o.key);
      } catch (e) {
        if (!isTokumeiError(e, 'HEALTH_PROFILE_MISSING')) throw e;
        p = emptyProfile();
      }
    }
    this.current ??= p;
    return this.current;
  }

  /** Applies `change` to the current profile, saves the result, and returns it. */
  update(change: (p: Profile) => Profile): Promise<Profile> {
    const run = this.queue.then(async () => {
      const before = await this.get();
      const after = change(before);
      if (after === before) return before;
      if (this.o.path !== undefined) {
        await mkdir(dirname(this.o.path), { recursive: true, mode: 0o700 });
        await saveProfile(this.o.path, after, this.o.key);
      }
      this.current = after;
      return after;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/**
 * The demo community's layout (issue 6, item 8): who runs which node. Every node is a member of
 * the community and relays for the others; some have a role besides.
 */
export type DemoRole = 'replica' | 'intermediary' | 'clinic' | 'authority' | 'trustee' | 'member';

export interface DemoNodeSpec {
  label: string;
  role: DemoRole;
  /** Trustee index (1..n) for trustee nodes. */
  trustee?: number;
  /** Index into the generated health members for nodes that hold health data. */
  healthMember?: number;
  /** Churn (`--churn`) may kill and restart it. */
  churnable: boolean;
}

/** Throwaway passphrase of every demo keystore (also asked when a member signs a letter of intent). */
export const DEMO_PASSPHRASE = 'tokumei-demo';
/** scrypt N = 2^14 instead of 2^17: throwaway keystores, ~50 ms to unlock. */
export const DEMO_KDF = { logN: 14 };
export const DEMO_STUDY = 'bp-2026';
export const DEMO_MIN_COHORT = 3;
export const DEMO_TRUSTEES = 3;
export const DEMO_THRESHOLD = 2;
export const DEMO_SEED = 1;
const TRUSTEE_PEOPLE = [2, 10, 15];
const MEMBER_PEOPLE = [16, 3, 6, 57];
/** The member a person (or the browser test) plays: it uploads when they say so. */
export const DEMO_PLAYER = 'member1';

/** Thirteen nodes: three replicas, the intermediary, the clinic, the authority, three trustees, four members. */
export function demoLayout(): DemoNodeSpec[] {
  const nodes: DemoNodeSpec[] = [
    { label: 'replica1', role: 'replica', churnable: false },
    { label: 'replica2', role: 'replica', churnable: false },
    { label: 'replica3', role: 'replica', churnable: true },
    { label: 'intermediary', role: 'intermediary', churnable: false },
    { label: 'clinic', role: 'clinic', churnable: false },
    { label: 'authority', role: 'authority', churnable: false },
  ];
  // Generated people (demo-data.ts, seed DEMO_SEED) picked so that two cohorts reach the minimum:
  // the trustees are three women in their thirties, the members four women in their fifties.
  TRUSTEE_PEOPLE.forEach((person, i) => nodes.push({ label: `trustee${i + 1}`, role: 'trustee', trustee: i + 1, healthMember: person, churnable: i === 2 }));
  MEMBER_PEOPLE.forEach((person, i) => nodes.push({ label: `member${i + 1}`, role: 'member', healthMember: person, churnable: i >= 2 }));
  return nodes;
}

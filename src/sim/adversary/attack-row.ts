/** One attack's result as `tokumei sim adversary` prints it (docs/threat-model.md). */
export interface AttackRow {
  attack: string;
  adversary: string;
  trials: number;
  /** The attacker's success rate. */
  success: number;
  /** The attacker's chance without the attack (a blind guess). */
  baseline: number;
  /** Whether the property holds within its stated bound. */
  holds: boolean;
  /** Attack-specific figures. */
  detail?: Record<string, number>;
}

/**
 * `tokumei sim adversary`: every attacker of docs/threat-model.md, each small and named after
 * what it does, run on the real node code over the simulated runtime, each row beside the
 * attacker's chance and whether the property holds. Attackers are added here as the properties
 * they break are built (issue 11).
 */
import { buildSimNetwork } from '../churn.js';
import type { Progress } from '../progress.js';
import type { AttackRow } from './attack-row.js';
import { curiousSeeker } from './curious-seeker.js';
import { ttlObserver } from './ttl-observer.js';
import { forgingRelays } from './forging-relay.js';
import { replayingRelays } from './replaying-relay.js';
import { positionEstimator } from './position-estimator.js';
import { curiousDestination } from './curious-destination.js';

export interface AdversaryOptions {
  nodes: number;
  seed: number;
  trials: number;
  /** Route setups per trial for the attackers that repeat them. */
  setups: number;
  progress?: Progress;
}

/** Steps the experiment reports progress in: building the network, then each attacker. */
export const ADVERSARY_STEPS = 7;

export const DEFAULT_ADVERSARY_OPTIONS: AdversaryOptions = { nodes: 1000, seed: 1, trials: 200, setups: 100 };

export async function runAdversaryExperiment(options: Partial<AdversaryOptions> = {}): Promise<{ nodes: number; rows: AttackRow[]; realMs: number }> {
  const o: AdversaryOptions = { ...DEFAULT_ADVERSARY_OPTIONS, ...options };
  const started = Date.now();
  o.progress?.update(0, `building ${o.nodes} nodes`);
  // The redesigned routing under test: destinations behind introduction relays (docs/protocol.md §6.10).
  const { net } = await buildSimNetwork(o.nodes, o.seed, { introductions: true });
  try {
    const rows: AttackRow[] = [];
    o.progress?.update(1, 'curious seeker');
    rows.push(await curiousSeeker(net, { trials: o.trials, setups: o.setups, seed: o.seed }));
    o.progress?.update(2, 'curious destination');
    rows.push(await curiousDestination(net, { trials: o.trials, seed: o.seed }));
    o.progress?.update(3, 'TTL observer');
    rows.push(await ttlObserver(net, { trials: o.trials, colluding: 0.1, seed: o.seed }));
    o.progress?.update(4, 'forging relays');
    rows.push(await forgingRelays(net, { trials: o.trials, colluding: 0.1, seed: o.seed }));
    o.progress?.update(5, 'replaying relays');
    rows.push(await replayingRelays(net, { trials: o.trials, colluding: 0.1, seed: o.seed }));
    o.progress?.update(6, 'position estimator');
    rows.push(await positionEstimator(net, { trials: o.trials, seed: o.seed }));
    o.progress?.finish();
    return { nodes: net.nodes.length, rows, realMs: Date.now() - started };
  } finally {
    await net.stop();
  }
}

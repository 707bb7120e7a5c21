/**
 * The scale experiment (issue 4): what a route seek costs — cells sent, nodes touched — and how
 * long route setup takes, as the network grows, for a plain flood and for the stem-and-flood
 * (unbounded, and with the flood's radius bounded). Measured on the real node code; printed beside
 * the analytical cost of a flood over a graph of that size and degree.
 */
import { SeededRandom, type RoutingConfig, type Testnet, type TokumeiNode } from '../index.js';
import { buildSimNetwork } from './churn.js';
import { mean, percentile, round } from './stats.js';
import type { Progress } from './progress.js';

export type SeekMode = 'flood' | 'stem+flood' | 'stem+bounded';

export const SEEK_MODES: Record<SeekMode, Partial<RoutingConfig>> = {
  flood: { seekStem: false, seekFanout: 1, seekCopyCap: 1, floodHops: 12 },
  'stem+flood': { seekStem: true, seekFanout: 2, seekCopyCap: 1, floodHops: 12 },
  'stem+bounded': { seekStem: true, seekFanout: 2, seekCopyCap: 1, floodHops: 4 },
};

export interface ScaleOptions {
  sizes: number[];
  seed: number;
  modes: SeekMode[];
  /** Route setups measured per size and mode. */
  seeks: number;
  progress?: Progress;
}

export const DEFAULT_SCALE_OPTIONS: ScaleOptions = {
  sizes: [250, 500, 1000, 2000, 4000, 8000],
  seed: 1,
  modes: ['flood', 'stem+flood', 'stem+bounded'],
  seeks: 8,
};

export interface ScaleRow {
  nodes: number;
  mode: SeekMode;
  meanDegree: number;
  /** Cells sent network-wide per route setup (seek, answers, onion, first message). */
  cellsPerSeek: number;
  /** What a flood costs on paper: every node forwards each seek copy to its other neighbours. */
  analyticCells: number;
  /** Fraction of the network a seek reached. */
  nodesTouched: number;
  setupP50Ms: number;
  setupP99Ms: number;
  success: number;
}

export async function runScaleExperiment(options: Partial<ScaleOptions> = {}): Promise<{ rows: ScaleRow[]; realMs: number }> {
  const o: ScaleOptions = { ...DEFAULT_SCALE_OPTIONS, ...options };
  const started = Date.now();
  const rows: ScaleRow[] = [];
  let step = 0;
  for (const size of o.sizes) {
    o.progress?.update(step, `${size} nodes: forming`);
    const { net } = await buildSimNetwork(size, o.seed);
    for (const mode of o.modes) {
      o.progress?.update(step, `${size} nodes: ${mode}`);
      rows.push(await measure(net, size, mode, o));
      step++;
    }
    await net.stop();
  }
  o.progress?.finish();
  return { rows, realMs: Date.now() - started };
}

async function measure(net: Testnet, size: number, mode: SeekMode, o: ScaleOptions): Promise<ScaleRow> {
  const sim = net.sim!;
  for (const n of net.nodes) Object.assign(n.router.ctx.config, SEEK_MODES[mode]);
  const rng = new SeededRandom(o.seed * 7919 + size, `scale-${mode}`);
  const degrees = net.nodes.map((n) => n.overlay.degree);
  const d = mean(degrees);
  const cells: number[] = [];
  const touched: number[] = [];
  const setup: number[] = [];
  let ok = 0;
  for (let s = 0; s < o.seeks; s++) {
    const a = net.nodes[rng.int(size)]!;
    let b = net.nodes[rng.int(size)]!;
    while (b === a) b = net.nodes[rng.int(size)]!;
    const address = b.router.newAddress().text;
    const before = snapshot(net.nodes);
    const t0 = sim.now();
    let done = false;
    let delivered = false;
    a.router.send(address, new Uint8Array(32), { multicastFallback: false }).then(
      () => ((done = true), (delivered = true)),
      () => (done = true),
    );
    await sim.runUntil(() => done, { timeoutMs: 120_000 });
    const after = snapshot(net.nodes);
    if (delivered) {
      ok++;
      setup.push(sim.now() - t0);
    }
    cells.push(after.cells - before.cells);
    touched.push(after.reached.filter((r, i) => r > before.reached[i]!).length / size);
    await sim.runFor(5_000); // let the flood's tail die out before the next seek
  }
  const copies = SEEK_MODES[mode].seekCopyCap ?? 1;
  const seekCells = 2; // a ROUTE_SEEK is 1,890 bytes: two cells
  return {
    nodes: size,
    mode,
    meanDegree: round(d, 2),
    cellsPerSeek: round(mean(cells), 0),
    analyticCells: round(
      (mode === 'stem+bounded' ? boundedFlood(d, SEEK_MODES[mode].floodHops ?? 12, size) : size * (d - 1)) * copies * seekCells * (SEEK_MODES[mode].seekFanout ?? 1),
      0,
    ),
    nodesTouched: round(mean(touched), 3),
    setupP50Ms: round(percentile(setup, 50), 0),
    setupP99Ms: round(percentile(setup, 99), 0),
    success: round(ok / o.seeks, 3),
  };
}

/** Link messages of a flood limited to `hops` hops from where it starts, on a d-regular tree, capped at the network. */
function boundedFlood(d: number, hops: number, size: number): number {
  let reached = 1;
  let frontier = 1;
  for (let h = 0; h < hops && reached < size; h++) {
    frontier *= h === 0 ? d : d - 1;
    reached += frontier;
  }
  return Math.min(reached, size) * (d - 1);
}

function snapshot(nodes: TokumeiNode[]): { cells: number; reached: number[] } {
  let cells = 0;
  const reached: number[] = [];
  for (const n of nodes) {
    const c = n.router.status().counters;
    cells += c.routingCells;
    reached.push(c.seeksReceived);
  }
  return { cells, reached };
}

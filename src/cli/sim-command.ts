/**
 * `tokumei sim churn|scale|anonymity`: the simulator's experiments (issue 4) — thousands of real
 * node instances in this process on virtual time. Prints a table (or `--json`), and with
 * `--out DIR` writes the markdown table, the exact command and plots there.
 */
import { parseCommandArgs, optionalInt, optionalString, type Values } from './args.js';
import { usageError } from './usage-error.js';
import type { CliIo } from './cli-io.js';
import { createProgress } from '../sim/progress.js';
import { markdownTable, writeResult } from '../sim/report.js';
import { lineChartSvg } from '../sim/plot.js';

const USAGE = 'sim';

export async function simCommand(argv: string[], io: CliIo): Promise<number> {
  const [experiment, ...rest] = argv;
  const command = `tokumei sim ${argv.join(' ')}`.trim();
  switch (experiment) {
    case 'churn':
      return churn(rest, io, command);
    case 'scale':
      return scale(rest, io, command);
    case 'anonymity':
      return anonymity(rest, io, command);
    case 'adversary':
      return adversary(rest, io);
    default:
      throw usageError(experiment ? `unknown experiment ${JSON.stringify(experiment)} (churn, scale, anonymity, adversary)` : 'which experiment? churn, scale, anonymity or adversary', USAGE);
  }
}

function numberList(values: Values, name: string, command: string, min: number, max: number): number[] | undefined {
  const raw = optionalString(values, name);
  if (raw === undefined) return undefined;
  const list = raw.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.length > 16 || list.some((n) => !Number.isFinite(n) || n < min || n > max)) {
    throw usageError(`--${name} takes up to 16 comma-separated numbers from ${min} to ${max}`, command);
  }
  return list;
}

const common = { seed: { type: 'string' }, json: { type: 'boolean' }, out: { type: 'string' } } as const;

async function churn(argv: string[], io: CliIo, command: string): Promise<number> {
  const { values } = parseCommandArgs('sim churn', argv, {
    ...common,
    nodes: { type: 'string' },
    churn: { type: 'string' },
    pairs: { type: 'string' },
    messages: { type: 'string' },
  });
  const { runChurnExperiment, DEFAULT_CHURN_OPTIONS, STRATEGIES } = await import('../sim/churn.js');
  const churnLevels = numberList(values, 'churn', 'sim churn', 0, 0.9) ?? DEFAULT_CHURN_OPTIONS.churn;
  const o = {
    nodes: optionalInt(values, 'nodes', 'sim churn', 20, 20_000) ?? DEFAULT_CHURN_OPTIONS.nodes,
    seed: optionalInt(values, 'seed', 'sim churn', 0, 2 ** 31) ?? 1,
    churn: churnLevels,
    pairs: optionalInt(values, 'pairs', 'sim churn', 1, 500) ?? DEFAULT_CHURN_OPTIONS.pairs,
    messages: optionalInt(values, 'messages', 'sim churn', 1, 1_000) ?? DEFAULT_CHURN_OPTIONS.messages,
  };
  const progress = createProgress(churnLevels.length * DEFAULT_CHURN_OPTIONS.strategies.length, `churn ${o.nodes} nodes`);
  const result = await runChurnExperiment({ ...o, progress });
  const columns = ['strategy', 'churn', 'delivery', 'p50Ms', 'p99Ms', 'cellsPerDelivery', 'localRepairs', 'delivered', 'messages'];
  const table = markdownTable(result.rows as unknown as Record<string, unknown>[], columns);
  if (values.json) io.out(JSON.stringify({ rows: result.rows, nodes: result.nodes, seed: result.seed, formationMs: result.formationMs, realMs: result.realMs }, null, 2) + '\n');
  else io.out(`${table}\n\n${o.nodes} nodes, seed ${o.seed}; overlay formed in ${result.formationMs} ms of virtual time; ${Math.round(result.realMs / 1000)} s real.\n`);
  const out = optionalString(values, 'out');
  if (out) {
    const values = result.rows as unknown as Record<string, number | string>[];
    const chart = (title: string, y: Parameters<typeof lineChartSvg>[0]['y']) =>
      lineChartSvg({ title, x: { field: 'churn', title: 'fraction of relays churning' }, y, series: 'strategy', values });
    const svg = await chart(`Delivery under churn (${o.nodes} nodes, seed ${o.seed})`, {
      field: 'delivery',
      title: 'delivery ratio',
      domain: [Math.min(0.9, ...result.rows.map((r) => r.delivery)), 1],
    });
    const cells = await chart('Cells on the wire per delivered message', { field: 'cellsPerDelivery', title: 'cells per delivery' });
    const tail = await chart('Tail latency (p99) under churn', { field: 'p99Ms', title: 'p99 send → acknowledgement, ms (virtual)' });
    const d = DEFAULT_CHURN_OPTIONS;
    const model =
      `Model: ${o.nodes} nodes (degree 5–8), seed ${o.seed}; ${o.pairs} sender/receiver pairs that never churn, each sending ${o.messages} messages ` +
      `${d.intervalMs / 1000} s apart per phase (one phase per churn level and strategy, all phases of a churn level on the same churn schedule). ` +
      `A churning relay stays up Exp(${d.upMeanMs / 1000} s) and down Exp(${d.downMeanMs / 1000} s); ${d.crashShare * 100}% of departures are silent crashes, the rest orderly exits. ` +
      `A message counts as delivered when its end-to-end acknowledgement comes back within ${d.deadlineMs / 1000} s. ` +
      `Strategies: fixed = one route, repaired only by a new seek from the sender; backtrack = ${STRATEGIES.backtrack.alternatives} alternative suffixes per relay and ${STRATEGIES.backtrack.proxyRoutes} routes at the proxy; backtrack+multicast = the same, then multicast. ` +
      `cellsPerDelivery counts every routing cell sent network-wide in the phase (seeks, route information, circuits, multicast) per delivered message; localRepairs counts switches to an alternative suffix made by a relay. ` +
      `Overlay formed in ${result.formationMs} ms virtual; the whole run took ${Math.round(result.realMs / 1000)} s real on this machine.`;
    const md = `# Churn experiment\n\nMade by:\n\n    ${command}\n\n${table}\n\n${model}\n\n![delivery](churn-delivery.svg)\n\n![p99](churn-p99.svg)\n\n![cells](churn-cells.svg)\n`;
    await writeResult(out, 'churn', md, { 'churn-delivery.svg': svg, 'churn-p99.svg': tail, 'churn-cells.svg': cells, 'churn.json': JSON.stringify(result, null, 2) + '\n' });
  }
  return 0;
}

async function scale(argv: string[], io: CliIo, command: string): Promise<number> {
  const { values } = parseCommandArgs('sim scale', argv, { ...common, sizes: { type: 'string' }, seeks: { type: 'string' } });
  const { runScaleExperiment, DEFAULT_SCALE_OPTIONS } = await import('../sim/scale.js');
  const sizes = numberList(values, 'sizes', 'sim scale', 20, 20_000) ?? DEFAULT_SCALE_OPTIONS.sizes;
  const seed = optionalInt(values, 'seed', 'sim scale', 0, 2 ** 31) ?? 1;
  const seeks = optionalInt(values, 'seeks', 'sim scale', 1, 200) ?? DEFAULT_SCALE_OPTIONS.seeks;
  const progress = createProgress(sizes.length * DEFAULT_SCALE_OPTIONS.modes.length, 'scale');
  const result = await runScaleExperiment({ sizes, seed, seeks, progress });
  const columns = ['nodes', 'mode', 'meanDegree', 'cellsPerSeek', 'analyticCells', 'nodesTouched', 'setupP50Ms', 'setupP99Ms', 'success'];
  const table = markdownTable(result.rows as unknown as Record<string, unknown>[], columns);
  if (values.json) io.out(JSON.stringify({ rows: result.rows, realMs: result.realMs }, null, 2) + '\n');
  else io.out(`${table}\n`);
  const out = optionalString(values, 'out');
  if (out) {
    const rows = result.rows as unknown as Record<string, number | string>[];
    const cost = await lineChartSvg({ title: 'Route-seek cost', x: { field: 'nodes', title: 'nodes', log: true }, y: { field: 'cellsPerSeek', title: 'cells per route setup', log: true }, series: 'mode', values: rows });
    const time = await lineChartSvg({ title: 'Route-setup time (median)', x: { field: 'nodes', title: 'nodes', log: true }, y: { field: 'setupP50Ms', title: 'ms (virtual)' }, series: 'mode', values: rows });
    const md = `# Scale experiment\n\nMade by:\n\n    ${command}\n\n${table}\n\n\`analyticCells\` is a flood's cost on paper (every node forwards each seek copy to its other neighbours; for the bounded flood, a tree of the flood's radius, capped at the network). Run took ${Math.round(result.realMs / 1000)} s real.\n\n![cost](scale-cost.svg)\n\n![time](scale-time.svg)\n`;
    await writeResult(out, 'scale', md, { 'scale-cost.svg': cost, 'scale-time.svg': time, 'scale.json': JSON.stringify(result, null, 2) + '\n' });
  }
  return 0;
}

async function anonymity(argv: string[], io: CliIo, command: string): Promise<number> {
  const { values } = parseCommandArgs('sim anonymity', argv, { ...common, nodes: { type: 'string' }, colluding: { type: 'string' }, routes: { type: 'string' }, seeks: { type: 'string' } });
  const { runAnonymityExperiment, DEFAULT_ANONYMITY_OPTIONS } = await import('../sim/anonymity.js');
  const colluding = numberList(values, 'colluding', 'sim anonymity', 0, 0.9) ?? DEFAULT_ANONYMITY_OPTIONS.colluding;
  const o = {
    nodes: optionalInt(values, 'nodes', 'sim anonymity', 20, 20_000) ?? DEFAULT_ANONYMITY_OPTIONS.nodes,
    seed: optionalInt(values, 'seed', 'sim anonymity', 0, 2 ** 31) ?? 1,
    colluding,
    routes: optionalInt(values, 'routes', 'sim anonymity', 1, 5_000) ?? DEFAULT_ANONYMITY_OPTIONS.routes,
    seeks: optionalInt(values, 'seeks', 'sim anonymity', 1, 5_000) ?? DEFAULT_ANONYMITY_OPTIONS.seeks,
  };
  const progress = createProgress(1 + colluding.length * 2, `anonymity ${o.nodes} nodes`);
  const result = await runAnonymityExperiment({ ...o, progress });
  const columns = ['colluding', 'endsCollude', 'endsColludeAnalytic', 'degree', 'degreeTorLike', 'firstSpyWithStem', 'firstSpyWithoutStem', 'firstSpyAnalyticNoStem'];
  const table = markdownTable(result.rows as unknown as Record<string, unknown>[], columns);
  if (values.json) io.out(JSON.stringify({ rows: result.rows, routes: result.routes, meanRouteLength: result.meanRouteLength, realMs: result.realMs }, null, 2) + '\n');
  else io.out(`${table}\n\n${result.routes} routes, mean ${result.meanRouteLength} relays.\n`);
  const out = optionalString(values, 'out');
  if (out) {
    const rows = result.rows.flatMap((r) => [
      { colluding: r.colluding, series: 'first spy, with stem', success: r.firstSpyWithStem },
      { colluding: r.colluding, series: 'first spy, no stem', success: r.firstSpyWithoutStem },
      { colluding: r.colluding, series: 'both route ends collude', success: r.endsCollude },
      { colluding: r.colluding, series: 'c² (Tor-like ends)', success: r.endsColludeAnalytic },
    ]);
    const svg = await lineChartSvg({ title: `What colluding relays learn (${o.nodes} nodes)`, x: { field: 'colluding', title: 'fraction of relays colluding' }, y: { field: 'success', title: 'probability' }, series: 'series', values: rows });
    const md = `# Anonymity experiment\n\nMade by:\n\n    ${command}\n\n${table}\n\n${result.routes} routes between random pairs, mean ${result.meanRouteLength} relays. Run took ${Math.round(result.realMs / 1000)} s real.\n\n![anonymity](anonymity.svg)\n`;
    await writeResult(out, 'anonymity', md, { 'anonymity.svg': svg, 'anonymity.json': JSON.stringify(result, null, 2) + '\n' });
  }
  return 0;
}

/** `tokumei sim adversary`: each attacker of docs/threat-model.md, its success beside its chance. */
async function adversary(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'sim adversary';
  const { values } = parseCommandArgs(cmd, argv, { seed: { type: 'string' }, json: { type: 'boolean' }, nodes: { type: 'string' }, trials: { type: 'string' }, setups: { type: 'string' } });
  const { runAdversaryExperiment, DEFAULT_ADVERSARY_OPTIONS, ADVERSARY_STEPS } = await import('../sim/adversary/adversary.js');
  const o = {
    nodes: optionalInt(values, 'nodes', cmd, 20, 20_000) ?? DEFAULT_ADVERSARY_OPTIONS.nodes,
    seed: optionalInt(values, 'seed', cmd, 0, 2 ** 31) ?? 1,
    trials: optionalInt(values, 'trials', cmd, 1, 10_000) ?? DEFAULT_ADVERSARY_OPTIONS.trials,
    setups: optionalInt(values, 'setups', cmd, 1, 1_000) ?? DEFAULT_ADVERSARY_OPTIONS.setups,
  };
  const result = await runAdversaryExperiment({ ...o, progress: createProgress(ADVERSARY_STEPS, `adversary ${o.nodes} nodes`) });
  if (values.json) io.out(JSON.stringify({ nodes: result.nodes, seed: o.seed, rows: result.rows, realMs: result.realMs }, null, 2) + '\n');
  else {
    const rows = result.rows.map((r) => ({ ...r, success: Number(r.success.toFixed(4)), baseline: Number(r.baseline.toFixed(4)) }));
    io.out(`${markdownTable(rows as unknown as Record<string, unknown>[], ['attack', 'adversary', 'trials', 'success', 'baseline', 'holds'])}\n\n${result.nodes} nodes, seed ${o.seed}; ${Math.round(result.realMs / 1000)} s real.\n`);
  }
  return 0;
}

/**
 * `tokumei demo` (what `npm start` runs): the local demo community of issue 6 — a passport office
 * with trustees, board replicas, an intermediary, a clinic, an authority and members, each a node
 * process on loopback over real TLS — prints the dashboards' URLs and runs the scenario by itself.
 * `--churn` kills and restarts relays while it runs. Ctrl-C stops every node.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeError } from '../errors.js';
import { startDemo, type Demo } from '../demo/demo.js';
import { DemoScenario, type ScenarioStep } from '../demo/demo-scenario.js';
import { demoLayout, DEMO_PASSPHRASE, DEMO_PLAYER } from '../demo/demo-layout.js';
import { optionalInt, optionalString, parseCommandArgs } from './args.js';
import type { CliIo } from './cli-io.js';
import { helpText } from './help.js';
import { formatOverlay, overlayShape, type NodeView } from './overlay-table.js';

const CLEAR_SCREEN = '\x1b[H\x1b[2J';
const MARK: Record<ScenarioStep['state'], string> = { waiting: '·', running: '…', done: '✔', failed: '✖' };
/** Dashboards printed first: the ones a visitor wants. */
const SHOWN = [DEMO_PLAYER, 'clinic', 'intermediary', 'trustee1', 'authority', 'replica1'];

export async function demoCommand(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'demo';
  const { values } = parseCommandArgs(cmd, argv, {
    dir: { type: 'string' },
    duration: { type: 'string' },
    'interval-ms': { type: 'string' },
    churn: { type: 'boolean' },
    'churn-every': { type: 'string' },
  });
  if (values.help) {
    io.out(helpText(cmd));
    return 0;
  }
  const durationS = optionalInt(values, 'duration', cmd, 1, 86_400);
  const intervalMs = optionalInt(values, 'interval-ms', cmd, 200, 60_000) ?? 2000;
  const churnEveryS = optionalInt(values, 'churn-every', cmd, 5, 3_600) ?? 20;
  const given = optionalString(values, 'dir');
  const dir = given !== undefined ? resolve(given) : await mkdtemp(join(tmpdir(), 'tokumei-demo-'));

  io.out(`tokumei demo: building the community in ${dir} …\n`);
  let stopRequested = false;
  const onSignal = () => (stopRequested = true);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let demo: Demo | undefined;
  let scenario: DemoScenario | undefined;
  const churned: string[] = []; // BOUNDED(8): recent churn events for the view
  try {
    demo = await startDemo({ dir, env: io.env, onProgress: (line) => io.out(`  ${line}\n`) });
    const running = demo;
    io.out(`\nDashboards (open in a browser; the token is in the link):\n`);
    for (const label of SHOWN) io.out(`  ${label.padEnd(13)} ${await running.dashboardUrl(label)}\n`);
    io.out(`  (every node serves one: ${running.nodes.map((n) => n.label).join(', ')})\n`);
    io.out(`You are ${DEMO_PLAYER}. Throwaway passphrase: ${DEMO_PASSPHRASE} · logs: ${dir}/nodes/<name>/node.log · Ctrl-C stops every node\n\n`);
    scenario = new DemoScenario(running, (s) => {
      if (!io.stdoutIsTty) io.out(`scenario ${MARK[s.state]} ${s.name}${s.detail ? ` — ${s.detail}` : ''}\n`);
    });
    const done = scenario.run().catch((e: unknown) => io.out(`scenario stopped: ${describeError(e)}\n`));
    const churnable = demoLayout().filter((n) => n.churnable).map((n) => n.label);
    let nextChurn = Date.now() + churnEveryS * 1000;
    const deadline = durationS !== undefined ? Date.now() + durationS * 1000 : Infinity;
    let lastShape = '';
    while (!stopRequested && Date.now() < deadline) {
      if (values.churn && Date.now() >= nextChurn) {
        const victim = churnable[Math.floor(Math.random() * churnable.length)]!;
        await running.restart(victim).catch(() => undefined);
        churned.unshift(`${new Date().toISOString().slice(11, 19)} killed and restarted ${victim}`);
        churned.length = Math.min(churned.length, 8);
        if (!io.stdoutIsTty) io.out(`churn: ${churned[0]}\n`);
        nextChurn = Date.now() + churnEveryS * 1000;
      }
      const views = await Promise.all(running.nodes.map((n) => viewOf(running, n.label)));
      if (io.stdoutIsTty) {
        const steps = scenario.steps.map((s) => `  ${MARK[s.state]} ${s.name}${s.detail ? ` — ${s.detail}` : ''}`).join('\n');
        io.out(CLEAR_SCREEN + `tokumei demo — ${dir} — dashboard: ${await running.dashboardUrl(DEMO_PLAYER)} — Ctrl-C stops\n\nScenario\n${steps}\n\n` + formatOverlay(views) + (churned.length ? `\nChurn\n  ${churned.join('\n  ')}\n` : ''));
      } else {
        const shape = overlayShape(views);
        if (shape !== lastShape) io.out(`[${new Date().toISOString()}]\n` + formatOverlay(views) + '\n');
        lastShape = shape;
      }
      if (running.nodes.every((n) => n.process.exit) && !values.churn) break;
      await sleepUnless(intervalMs, () => stopRequested);
    }
    scenario.stop();
    await Promise.race([done, new Promise((r) => setTimeout(r, 2_000))]);
  } finally {
    io.out('\nstopping every node …\n');
    await scenario?.settle().catch(() => undefined);
    await demo?.stop();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  io.out(`stopped. The community stays in ${dir}\n`);
  const failed = scenario?.steps.filter((s) => s.state === 'failed') ?? [];
  for (const s of failed) io.out(`scenario step failed: ${s.name} — ${s.detail}\n`);
  return 0;
}

async function viewOf(demo: Demo, label: string): Promise<NodeView> {
  const p = demo.node(label).process;
  if (p.exit) return { label, state: `exited (${p.exit.code ?? p.exit.signal})` };
  try {
    const client = await demo.client(label, 1_000);
    return { label, state: 'up', status: await client.status() };
  } catch {
    return { label, state: 'starting…' };
  }
}

/** Sleeps up to `ms`, waking early (every 100 ms check) when `stop()` becomes true. */
async function sleepUnless(ms: number, stop: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end && !stop()) await new Promise((r) => setTimeout(r, Math.min(100, end - Date.now())));
}

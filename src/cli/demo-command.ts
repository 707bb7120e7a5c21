/**
 * `tokumei demo` (what `npm start` runs until the demo issue lands): a throwaway community on
 * loopback — CA, N passports, N `tokumei node` processes — and a live view of the overlay forming.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ControlClient } from '../control/control-client.js';
import { optionalInt, optionalString, parseCommandArgs } from './args.js';
import type { CliIo } from './cli-io.js';
import { createDemoCommunity, DEMO_PASSPHRASE } from './demo-community.js';
import { helpText } from './help.js';
import { spawnNode, stopAll, type NodeProcess } from './node-processes.js';
import { formatOverlay, overlayShape, type NodeView } from './overlay-table.js';

const CLEAR_SCREEN = '\x1b[H\x1b[2J';

export async function demoCommand(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'demo';
  const { values } = parseCommandArgs(cmd, argv, {
    dir: { type: 'string' },
    nodes: { type: 'string' },
    duration: { type: 'string' },
    'interval-ms': { type: 'string' },
  });
  if (values.help) {
    io.out(helpText(cmd));
    return 0;
  }
  const count = optionalInt(values, 'nodes', cmd, 2, 32) ?? 6;
  const durationS = optionalInt(values, 'duration', cmd, 1, 86_400);
  const intervalMs = optionalInt(values, 'interval-ms', cmd, 200, 60_000) ?? 1500;
  const given = optionalString(values, 'dir');
  const dir = given !== undefined ? resolve(given) : await mkdtemp(join(tmpdir(), 'tokumei-demo-'));

  io.out(`tokumei demo: creating a community of ${count} in ${dir} …\n`);
  const community = await createDemoCommunity(dir, count);
  const env = { ...io.env, TOKUMEI_PASSPHRASE: DEMO_PASSPHRASE };
  const procs: NodeProcess[] = [];
  let stopRequested = false;
  const onSignal = () => (stopRequested = true);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    for (const n of community.nodes) procs.push(spawnNode({ ...n, peersFile: community.preferenceFile }, env));
    io.out(
      `started ${count} nodes; preference file names ${community.nodes.slice(0, 2).map((n) => n.listen).join(' and ')}\n` +
        `logs: ${dir}/nodeN/node.log · try: tokumei status --dir ${community.nodes[0]!.dir}\n` +
        `throwaway passphrase: ${DEMO_PASSPHRASE} · Ctrl-C stops every node\n\n`,
    );
    const deadline = durationS !== undefined ? Date.now() + durationS * 1000 : Infinity;
    let lastShape = '';
    while (!stopRequested && Date.now() < deadline) {
      const views = await Promise.all(procs.map(viewOf));
      const shape = overlayShape(views);
      if (io.stdoutIsTty) io.out(CLEAR_SCREEN + `tokumei demo — ${dir} — Ctrl-C stops\n\n` + formatOverlay(views));
      else if (shape !== lastShape) io.out(`[${new Date().toISOString()}]\n` + formatOverlay(views) + '\n');
      lastShape = shape;
      if (procs.every((p) => p.exit)) break;
      await sleepUnless(intervalMs, () => stopRequested);
    }
  } finally {
    io.out('\nstopping every node …\n');
    await stopAll(procs);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  const failed = procs.filter((p) => p.exit && p.exit.code !== 0 && p.exit.signal === null);
  io.out(`stopped. The community stays in ${dir}\n`);
  return failed.length ? 1 : 0;
}

async function viewOf(p: NodeProcess): Promise<NodeView> {
  if (p.exit) return { label: p.label, state: `exited (${p.exit.code ?? p.exit.signal}); see ${p.dir}/stderr.log` };
  try {
    const client = await ControlClient.forNodeDir(p.dir, 1_000);
    return { label: p.label, state: 'up', status: await client.status() };
  } catch {
    return { label: p.label, state: 'starting…' };
  }
}

/** Sleeps up to `ms`, waking early (every 100 ms check) when `stop()` becomes true. */
async function sleepUnless(ms: number, stop: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end && !stop()) await new Promise((r) => setTimeout(r, Math.min(100, end - Date.now())));
}

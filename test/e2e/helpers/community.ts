/**
 * Builds a community with the CLI alone (`tokumei ca init`, `tokumei ca issue`), starts nodes as
 * `tokumei node` processes, and reads their state with `tokumei status --json`.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeStatus } from '../../../src/node/status.js';
import { freePorts } from '../../../src/demo/free-ports.js';
import { ChildSet, cliOk, removeTestDir, runCli, testEnv, type RunningCli } from './cli-process.js';

/** Free ports on 127.0.0.1 (the demo's helper). */
export const freeLoopbackPorts = (count: number): Promise<number[]> => freePorts(count, '127.0.0.1');

export async function createCa(caDir: string, env = testEnv()): Promise<void> {
  await cliOk(['ca', 'init', '--dir', caDir, '--trustees', '3', '--threshold', '2'], { env });
}

export async function issue(caDir: string, name: string, outDir: string, extra: string[] = [], env = testEnv()): Promise<void> {
  await cliOk(['ca', 'issue', '--ca', caDir, '--name', name, '--out', outDir, ...extra], { env });
}

export async function writePreferences(path: string, addresses: string[]): Promise<void> {
  await writeFile(path, `# first nodes\n${addresses.join('\n')}\n`);
}

export interface TestNode {
  name: string;
  dir: string;
  listen: string;
  proc?: RunningCli;
}

export function startNode(children: ChildSet, node: TestNode, peersFile: string, env = testEnv()): RunningCli {
  node.proc = children.start(['node', '--dir', node.dir, '--listen', node.listen, '--peers', peersFile, '--control', '127.0.0.1:0'], env);
  return node.proc;
}

/** `tokumei status --dir DIR --json`, or undefined while the node is not (yet) answering. */
export async function status(dir: string): Promise<NodeStatus | undefined> {
  const r = await runCli(['status', '--dir', dir, '--json'], { timeoutMs: 10_000 });
  if (r.code !== 0) return undefined;
  try {
    return JSON.parse(r.stdout) as NodeStatus;
  } catch {
    return undefined;
  }
}

export async function readNodeLog(dir: string): Promise<string> {
  return readFile(join(dir, 'node.log'), 'utf8').catch(() => '');
}

export interface ProcessCommunity {
  dir: string;
  caDir: string;
  nodes: TestNode[];
  prefs: string;
  children: ChildSet;
}

/**
 * A temporary community for a process test: a CA, `count` passports, node directories with free
 * loopback ports and a preference file naming the first two. Removed (children killed) after `t`.
 */
export async function processCommunity(t: { after(fn: () => Promise<void>): void }, count: number, label: string): Promise<ProcessCommunity> {
  const dir = await mkdtemp(join(tmpdir(), `tokumei-e2e-${label}-`));
  const children = new ChildSet();
  t.after(async () => {
    await children.killAll();
    await removeTestDir(dir);
  });
  const caDir = join(dir, 'ca');
  await createCa(caDir);
  const ports = await freeLoopbackPorts(count);
  const nodes: TestNode[] = [];
  for (let i = 0; i < count; i++) {
    const node: TestNode = { name: `n${i + 1}`, dir: join(dir, `n${i + 1}`), listen: `127.0.0.1:${ports[i]}` };
    await issue(caDir, node.name, node.dir);
    nodes.push(node);
  }
  const prefs = join(dir, 'preference.txt');
  await writePreferences(prefs, [nodes[0]!.listen, nodes[1]!.listen]);
  return { dir, caDir, nodes, prefs, children };
}

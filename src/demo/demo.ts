/**
 * `startDemo`: the local demo community `npm start` runs (issue 6, item 8) — a passport office
 * with trustees, a board with three replicas, an intermediary, a clinic, an authority and members
 * with generated health data, each a `tokumei node` process on loopback over real TLS. The
 * scenario (demo-scenario.ts) then runs by itself through the nodes' control APIs, exactly as a
 * person would through the dashboard. The browser test and `tokumei demo` both start it here.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { initCa, issueMember } from '../identity/ca-store.js';
import { generateBoardKeys, writeBoardDir } from '../board/board-keys.js';
import { readControlFile } from '../control/control-file.js';
import { NodeClient } from '../node/node-client.js';
import { freePorts } from './free-ports.js';
import { spawnNode, stopAll, type NodeProcess } from './node-processes.js';
import { demoLayout, DEMO_KDF, DEMO_PASSPHRASE, DEMO_STUDY, DEMO_THRESHOLD, DEMO_TRUSTEES, type DemoNodeSpec, type DemoRole } from './demo-layout.js';
import { authorityArgs, prepareAuthority, trusteeArgs } from './demo-authority.js';
import { DemoErrors } from './demo-errors.js';

export interface DemoNodeInfo {
  label: string;
  role: DemoRole;
  dir: string;
  listen: string;
  process: NodeProcess;
}

export interface DemoOptions {
  /** An empty or new directory for the community. */
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Progress lines (the command prints them). */
  onProgress?: (line: string) => void;
}

export interface Demo {
  dir: string;
  caDir: string;
  boardDir: string;
  boardAddress: string;
  nodes: DemoNodeInfo[];
  node(label: string): DemoNodeInfo;
  /** A control API client for a running node (waits for its control.json). */
  client(label: string, timeoutMs?: number): Promise<NodeClient>;
  /** The node's dashboard URL with its token (in the fragment, never sent to the server). */
  dashboardUrl(label: string): Promise<string>;
  /** Kills a node (SIGKILL) and starts it again with the same directory (churn). */
  restart(label: string): Promise<void>;
  kill(label: string): void;
  start(label: string): void;
  stop(): Promise<void>;
}

export async function startDemo(options: DemoOptions): Promise<Demo> {
  const { dir } = options;
  const say = options.onProgress ?? (() => undefined);
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0) throw DemoErrors.DEMO_DIR_NOT_EMPTY(`${dir} is not empty; give an empty or new --dir`);
  const layout = demoLayout();
  const caDir = join(dir, 'ca');
  say(`passport office: CA with ${DEMO_TRUSTEES} trustees (any ${DEMO_THRESHOLD} can open one anonymous ID)`);
  await initCa(caDir, { keyType: 'ed25519', trustees: DEMO_TRUSTEES, threshold: DEMO_THRESHOLD, passphrase: DEMO_PASSPHRASE, kdf: DEMO_KDF });
  const ports = await freePorts(layout.length);
  const specs: (DemoNodeSpec & { dir: string; listen: string })[] = [];
  for (const [i, spec] of layout.entries()) {
    const nodeDir = join(dir, 'nodes', spec.label);
    await issueMember(caDir, { label: spec.label, outDir: nodeDir, passphrase: DEMO_PASSPHRASE, kdf: DEMO_KDF });
    specs.push({ ...spec, dir: nodeDir, listen: `127.0.0.1:${ports[i]}` });
  }
  say(`issued ${layout.length} passports (anonymity keys escrowed with the trustees)`);
  const boardDir = join(dir, 'board');
  const keys = generateBoardKeys();
  await writeBoardDir(boardDir, keys, DEMO_PASSPHRASE, { kdf: DEMO_KDF });
  say(`board ${keys.address.slice(0, 24)}… with replicas ${layout.filter((n) => n.role === 'replica').map((n) => n.label).join(', ')}`);
  const authority = await prepareAuthority(dir, caDir, specs, keys.address);

  const preferenceFile = join(dir, 'preference.txt');
  await writeFile(preferenceFile, `# first nodes of the demo community\n${specs.slice(0, 3).map((n) => n.listen).join('\n')}\n`);
  const env = { ...options.env, TOKUMEI_PASSPHRASE: DEMO_PASSPHRASE };
  const argsOf = (spec: DemoNodeSpec): string[] => {
    if (spec.role === 'replica') return ['--board', boardDir];
    if (spec.role === 'trustee') return trusteeArgs(authority, spec.trustee!);
    if (spec.role === 'authority') return authorityArgs(authority);
    return [];
  };
  const nodes: DemoNodeInfo[] = specs.map((s) => ({
    label: s.label,
    role: s.role,
    dir: s.dir,
    listen: s.listen,
    process: spawnNode({ label: s.label, dir: s.dir, listen: s.listen, peersFile: preferenceFile, extraArgs: argsOf(s) }, env),
  }));
  const byLabel = new Map(nodes.map((n) => [n.label, n]));
  const node = (label: string): DemoNodeInfo => {
    const n = byLabel.get(label);
    if (!n) throw DemoErrors.DEMO_NO_SUCH_NODE(`no demo node ${label}`);
    return n;
  };
  const start = (label: string): void => {
    const n = node(label);
    const spec = specs.find((s) => s.label === label)!;
    n.process = spawnNode({ label, dir: n.dir, listen: n.listen, peersFile: preferenceFile, extraArgs: argsOf(spec) }, env);
  };
  const kill = (label: string): void => {
    const n = node(label);
    if (!n.process.exit) n.process.child.kill('SIGKILL');
  };
  say(`started ${nodes.length} node processes on 127.0.0.1 (real TLS 1.3 links)`);
  const demo: Demo = {
    dir,
    caDir,
    boardDir,
    boardAddress: keys.address,
    nodes,
    node,
    async client(label, timeoutMs = 60_000) {
      const n = node(label);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (n.process.exit) throw DemoErrors.DEMO_NODE_EXITED(`${label} exited (${n.process.exit.code ?? n.process.exit.signal}); see ${n.dir}/node.log`);
        if (existsSync(join(n.dir, 'control.json'))) {
          try {
            const info = await readControlFile(n.dir);
            if (info.pid === n.process.child.pid) return new NodeClient(info, 120_000);
          } catch {
            // being written: try again
          }
        }
        if (Date.now() > deadline) throw DemoErrors.DEMO_NODE_TIMEOUT(`${label} did not start within ${timeoutMs} ms; see ${n.dir}/node.log`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async dashboardUrl(label) {
      const c = await demo.client(label);
      const info = c.info as { url: string; token: string; dashboardUrl?: string };
      // The fragment (never sent to the server) also names the board and the study to show.
      const base = info.dashboardUrl ?? `${info.url.replace(/\/$/, '')}/#token=${info.token}`;
      return `${base}&board=${encodeURIComponent(keys.address)}&study=${encodeURIComponent(DEMO_STUDY)}`;
    },
    async restart(label) {
      kill(label);
      const n = node(label);
      await new Promise<void>((resolve) => (n.process.exit ? resolve() : n.process.child.once('exit', () => resolve())));
      start(label);
    },
    kill,
    start,
    stop: () => stopAll(nodes.map((n) => n.process)),
  };
  return demo;
}

/**
 * `createTestnet(n, options)`: an in-process tokumei network — a community CA and n nodes — on the
 * simulated runtime (virtual time, in-memory links) or the real one (TLS on loopback). Tests, the
 * demo and the simulator all build networks this way (hyperdht's testnet habit).
 */
import { createCommunity, type Community } from '../identity/community.js';
import type { KeyType, NodeIdentity } from '../identity/types.js';
import { createRealRuntime } from '../runtime/real/real-runtime.js';
import { SimNetwork, type SimNetworkOptions } from '../runtime/sim/sim-runtime.js';
import type { Runtime } from '../runtime/runtime.js';
import { silentLogger, type Logger } from '../log.js';
import type { LinkConfig } from '../link/link.js';
import type { OverlayConfig } from '../overlay/overlay-types.js';
import type { RoutingConfig } from '../routing/core/routing-config.js';
import { TokumeiNode } from './node.js';
import type { ServiceMap } from './service.js';
import { NodeErrors } from './node-errors.js';

export interface TestnetOptions {
  runtime?: 'sim' | 'real';
  /** Seed of the simulation (latencies, random choices, member serials). */
  seed?: number;
  latencyMs?: SimNetworkOptions['latencyMs'];
  loss?: number;
  keyType?: KeyType;
  /** How many nodes every preference file names (default 2). */
  bootstrap?: number;
  /**
   * Which: 'first' — the first nodes, as a small community publishes a few well-known addresses;
   * 'random' — random nodes started earlier, as preference files spread in a large network.
   */
  bootstrapFrom?: 'first' | 'random';
  overlay?: Partial<OverlayConfig>;
  link?: Partial<LinkConfig>;
  routing?: Partial<RoutingConfig>;
  /**
   * The services node i hosts (src/node/service.ts), asked again when a node is revived; none by
   * default. The standard ones are composed by src/services/node-services.ts.
   */
  services?: (i: number, identity: NodeIdentity) => ServiceMap | Promise<ServiceMap>;
  /** Escrow each member's anonymity key with the trustees (off by default, see below). */
  escrow?: boolean;
  logger?: Logger;
}

export interface Testnet {
  readonly community: Community;
  readonly nodes: TokumeiNode[];
  /** identities[i] is the identity node i runs with. */
  readonly identities: NodeIdentity[];
  /** The simulated network, when `runtime` is 'sim'. */
  readonly sim: SimNetwork | undefined;
  /** Starts one more node (optionally with a given identity) and returns it. */
  addNode(options?: { identity?: NodeIdentity }): Promise<TokumeiNode>;
  /** Stops node i abruptly ('crash': silence; 'exit': its links close) — sim only for 'crash'. */
  kill(i: number, mode?: 'exit' | 'crash'): Promise<void>;
  /** Starts node i again (simulator only), with its identity, as a fresh process would. */
  revive(i: number): Promise<TokumeiNode>;
  /** True while node i runs. */
  isAlive(i: number): boolean;
  /** Lets time pass: virtual in the simulator, real otherwise. */
  advance(ms: number): Promise<void>;
  /** Waits until `predicate` holds or `timeoutMs` (virtual in the simulator) has passed. */
  waitFor(predicate: () => boolean, timeoutMs: number): Promise<boolean>;
  /** The nodes still running. */
  live(): TokumeiNode[];
  stop(): Promise<void>;
}

export async function createTestnet(n: number, options: TestnetOptions = {}): Promise<Testnet> {
  const kind = options.runtime ?? 'sim';
  const sim = kind === 'sim' ? new SimNetwork({ seed: options.seed ?? 1, latencyMs: options.latencyMs, loss: options.loss }) : undefined;
  const seedRuntime = sim ? sim.createRuntime('passport-office') : createRealRuntime();
  // No trustee escrow here: its HPKE runs on WebCrypto, in real time, outside the simulation's
  // control; a testnet is a network to route over, not a passport office (tests of escrow use
  // createCommunity directly).
  const community = await createCommunity({ keyType: options.keyType ?? 'ed25519', trustees: 3, threshold: 2, random: seedRuntime.random, now: seedRuntime.clock.now(), escrow: options.escrow ?? false });
  const nodes: TokumeiNode[] = [];
  const identities: NodeIdentity[] = [];
  const hosts: string[] = [];
  const dead = new Set<number>();
  const bootstrap = options.bootstrap ?? 2;
  const logger = options.logger ?? silentLogger;

  const pick = sim ? sim.createRuntime('preference-files').random : seedRuntime.random;
  const preferences = (): string[] => {
    if (options.bootstrapFrom !== 'random' || nodes.length <= bootstrap) return nodes.slice(0, bootstrap).map((x) => x.address);
    const chosen = new Set<number>();
    while (chosen.size < bootstrap) chosen.add(pick.int(nodes.length));
    return [...chosen].map((i) => nodes[i]!.address);
  };

  const startNode = async (i: number, identity: NodeIdentity | undefined): Promise<{ node: TokumeiNode; identity: NodeIdentity; host: string }> => {
    const host = sim ? `node-${i}` : '127.0.0.1';
    const runtime: Runtime = sim ? sim.createRuntime(host) : createRealRuntime();
    const id = identity ?? community.issue({ now: runtime.clock.now() }).identity;
    const node = await TokumeiNode.start({
      runtime,
      identity: id,
      listen: sim ? `${host}:7000` : '127.0.0.1:0',
      peers: preferences(),
      crl: community.crl(),
      logger: logger.child({ i }),
      overlay: options.overlay,
      link: options.link,
      routing: options.routing,
      services: options.services ? await options.services(i, id) : undefined,
    });
    return { node, identity: id, host };
  };

  const addNode = async (o: { identity?: NodeIdentity } = {}): Promise<TokumeiNode> => {
    const started = await startNode(nodes.length, o.identity);
    nodes.push(started.node);
    identities.push(started.identity);
    hosts.push(started.host);
    return started.node;
  };

  for (let i = 0; i < n; i++) await addNode();

  const advance = async (ms: number): Promise<void> => {
    if (sim) await sim.runFor(ms);
    else await new Promise((r) => setTimeout(r, ms));
  };

  return {
    community,
    nodes,
    identities,
    sim,
    addNode,
    async kill(i, mode = 'exit') {
      const node = nodes[i];
      if (!node || dead.has(i)) return;
      dead.add(i);
      if (sim) sim.kill(hosts[i]!, mode);
      else await node.stop();
    },
    async revive(i) {
      if (!sim) throw NodeErrors.TESTNET_REAL_REVIVE('revive is for simulated testnets');
      if (!dead.has(i)) return nodes[i]!;
      sim.revive(hosts[i]!);
      const started = await startNode(i, identities[i]);
      nodes[i] = started.node;
      dead.delete(i);
      return started.node;
    },
    isAlive: (i) => i < nodes.length && !dead.has(i),
    advance,
    async waitFor(predicate, timeoutMs) {
      if (sim) return sim.runUntil(predicate, { timeoutMs });
      const until = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > until) return false;
        await new Promise((r) => setTimeout(r, 50));
      }
      return true;
    },
    live: () => nodes.filter((_, i) => !dead.has(i)),
    async stop() {
      for (let i = 0; i < nodes.length; i++) if (!dead.has(i)) await nodes[i]!.stop().catch(() => undefined);
      dead.clear();
      for (let i = 0; i < nodes.length; i++) dead.add(i);
    },
  };
}

/**
 * A tokumei node: the passport-holding process that listens for links, keeps its overlay, and
 * enforces the CRL. Everything it does goes through the injected Runtime, so the same class runs
 * over real TLS (`tokumei node`) and inside the simulator (`createTestnet`).
 */
import type { Listener, Runtime, TransportConnection } from '../runtime/runtime.js';
import type { NodeIdentity, RevocationList } from '../identity/types.js';
import { describeError, LinkRefusal, TokumeiError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { DEFAULT_LINK_CONFIG, type LinkConfig } from '../link/link.js';
import { Overlay } from '../overlay/overlay.js';
import { DEFAULT_OVERLAY_CONFIG, type OverlayConfig, type RefusalEvent } from '../overlay/overlay-types.js';
import type { NeighbourStatus, NodeStatus, RefusalRecord } from './status.js';
import { Router } from '../routing/router.js';
import type { RoutingConfig } from '../routing/core/routing-config.js';
import { NodeErrors } from './node-errors.js';
import { checkServiceName, MAX_SERVICES, type NodeComponents, type NodeService, type ServiceFactory, type ServiceMap } from './service.js';

export interface NodeOptions {
  runtime: Runtime;
  identity: NodeIdentity;
  /** `host:port` to listen on (port 0 picks one). */
  listen: string;
  /** Address to advertise in descriptors; defaults to the bound listen address. */
  advertise?: string;
  /** Preference file entries: first neighbours. */
  peers: string[];
  crl?: RevocationList;
  logger?: Logger;
  overlay?: Partial<OverlayConfig>;
  link?: Partial<LinkConfig>;
  routing?: Partial<RoutingConfig>;
  /** Persists a newer CRL the node adopted. */
  onCrl?: (crl: RevocationList) => void;
  /** The services this node hosts, built and started in this order (src/node/service.ts). */
  services?: ServiceMap;
}

/** BOUNDED: refusals kept for status. */
const REFUSALS_KEPT = 64;

export class TokumeiNode {
  readonly id: string;
  readonly startedAt: number;
  private crl: RevocationList | undefined;
  private readonly refusals: RefusalRecord[] = []; // BOUNDED(REFUSALS_KEPT)
  private stopped = false;
  readonly counters = { inboundHandshakeFailures: 0 };

  private constructor(
    private readonly options: NodeOptions,
    private readonly listener: Listener,
    readonly address: string,
    readonly overlay: Overlay,
    private readonly logger: Logger,
    startedAt: number,
  ) {
    this.id = options.identity.passport.serial;
    this.startedAt = startedAt;
    this.crl = options.crl;
    this.router = new Router({ runtime: options.runtime, identity: options.identity, overlay, logger, startedAt, crl: () => this.crl, config: options.routing });
    this.components = {
      runtime: options.runtime,
      identity: options.identity,
      logger,
      router: this.router,
      crl: () => this.crl,
      service: <S extends NodeService>(name: string) => this.service<S>(name),
      findService: <S extends NodeService>(name: string) => this.services.get(name) as S | undefined,
    };
  }

  /** The routing layer: one-time addresses, sending, inbox and replies. */
  readonly router: Router;
  /** What every service is built from. */
  private readonly components: NodeComponents;
  /** BOUNDED(MAX_SERVICES): the services this node hosts, in the order they were added. */
  private readonly services = new Map<string, NodeService>();

  static async start(options: NodeOptions): Promise<TokumeiNode> {
    const { runtime, identity } = options;
    const logger = (options.logger ?? silentLogger).child({ node: identity.passport.serial.slice(0, 8) });
    let node: TokumeiNode | undefined;
    const early: TransportConnection[] = []; // BOUNDED(64): connections that arrive before start() returns
    const listener = await runtime.net.listen({
      address: options.listen,
      credentials: { passportPem: identity.passport.pem, keyPem: identity.signingKeyPem, caPem: identity.caPem },
      onConnection: (conn) => (node ? node.overlay.accept(conn) : early.length < 64 ? early.push(conn) : conn.close()),
      onHandshakeFailure: ({ remoteAddress, error }) => {
        if (!node) return;
        node.counters.inboundHandshakeFailures++;
        node.recordRefusal({ remoteAddress, error: error instanceof TokumeiError ? error : new TokumeiError('refused', LinkRefusal.HANDSHAKE_FAILED, error.message) });
      },
    });
    const address = options.advertise ?? listener.address;
    const startedAt = runtime.clock.now();
    const overlay: Overlay = new Overlay({
      runtime,
      identity,
      address,
      preferences: options.peers.filter((p) => p !== address),
      logger,
      config: { ...DEFAULT_OVERLAY_CONFIG, ...options.overlay },
      linkConfig: { ...DEFAULT_LINK_CONFIG, ...options.link },
      startedAt,
      crl: () => node?.crl ?? options.crl,
      adoptCrl: (crl) => node!.adoptCrl(crl),
      onRefusal: (event) => node?.recordRefusal(event),
    });
    node = new TokumeiNode(options, listener, address, overlay, logger, startedAt);
    logger.log('info', 'node.started', { id: node.id, address, peers: options.peers.length, crl: options.crl?.number ?? 0 });
    const built: NodeService[] = [];
    try {
      for (const [name, factory] of Object.entries(options.services ?? {})) built.push(await node.build(name, factory));
    } catch (e) {
      // A service that cannot be built (a replica's database will not open) stops the node from starting.
      for (const s of built.reverse()) await Promise.resolve(s.stop?.()).catch(() => undefined);
      node.router.stop();
      await listener.close();
      throw e;
    }
    overlay.start();
    for (const conn of early) overlay.accept(conn);
    for (const s of node.services.values()) await s.start?.();
    return node;
  }

  /** Adds a service to a running node (composition after start, e.g. a test giving a testnet node a trustee's role). */
  async addService<S extends NodeService>(name: string, factory: ServiceFactory<S>): Promise<S> {
    const service = await this.build(name, factory);
    await service.start?.();
    return service;
  }

  private async build<S extends NodeService>(name: string, factory: ServiceFactory<S>): Promise<S> {
    checkServiceName(name);
    if (this.services.has(name)) throw NodeErrors.NODE_ROLE_TAKEN(`this node already runs a service named ${name}`);
    if (this.services.size >= MAX_SERVICES) throw NodeErrors.NODE_TOO_MANY_SERVICES(`a node hosts at most ${MAX_SERVICES} services`);
    const service = await factory(this.components);
    this.services.set(name, service);
    return service;
  }

  /** The service of that name (NODE_NO_SERVICE when this node runs none). */
  service<S extends NodeService>(name: string): S {
    const s = this.services.get(name);
    if (!s) throw NodeErrors.NODE_NO_SERVICE(`this node runs no ${name} service`);
    return s as S;
  }

  /** The service of that name, or undefined. */
  findService<S extends NodeService>(name: string): S | undefined {
    return this.services.get(name) as S | undefined;
  }

  /** The names of the services this node runs, in order. */
  serviceNames(): string[] {
    return [...this.services.keys()];
  }

  /** Each service with its name, in order (the control API mounts their routes). */
  serviceEntries(): [string, NodeService][] {
    return [...this.services.entries()];
  }

  /** Adopts `crl` if it is newer than the one in force, spreads it, and drops revoked links. */
  installCrl(crl: RevocationList): boolean {
    if (!this.adoptCrl(crl)) return false;
    this.overlay.spreadCrl(crl);
    return true;
  }

  private adoptCrl(crl: RevocationList): boolean {
    if (this.crl && crl.number <= this.crl.number) return false;
    this.crl = crl;
    this.logger.log('info', 'node.crl', { number: crl.number, revoked: crl.revoked.size });
    try {
      this.options.onCrl?.(crl);
    } catch (e) {
      this.logger.log('error', 'node.crl-persist-failed', { reason: (e as Error).message });
    }
    return true;
  }

  get crlNumber(): number {
    return this.crl?.number ?? 0;
  }

  private recordRefusal(event: RefusalEvent): void {
    const { error } = event;
    this.logger.log('warn', 'link.refused', { peer: event.remoteAddress, id: event.peerId, code: error.code, reason: error.message });
    this.refusals.push({ at: this.options.runtime.clock.now(), remoteAddress: event.remoteAddress, code: error.code, message: error.message, peerId: event.peerId });
    if (this.refusals.length > REFUSALS_KEPT) this.refusals.shift();
  }

  status(): NodeStatus {
    const now = this.options.runtime.clock.now();
    const neighbours: NeighbourStatus[] = this.overlay.neighbourList().map((n) => {
      const d = n.descriptor?.descriptor;
      return {
        id: n.id,
        address: d?.address ?? n.address,
        direction: n.direction,
        rttMs: n.link.rttMs,
        linkUptimeMs: now - n.link.establishedAt,
        uptimeMs: d ? Math.max(0, now - d.startedAt) : null,
        loadCellsPerSec: n.link.loadCellsPerSec,
        degree: d ? d.degree : null,
      };
    });
    const config = { ...DEFAULT_OVERLAY_CONFIG, ...this.options.overlay };
    return {
      id: this.id,
      address: this.address,
      startedAt: this.startedAt,
      uptimeMs: now - this.startedAt,
      degree: { current: neighbours.length, min: config.minDegree, max: config.maxDegree },
      neighbours,
      knownPeers: this.overlay.knownPeers,
      crlNumber: this.crlNumber,
      refusals: [...this.refusals],
      counters: { ...this.overlay.counters, ...this.counters },
      services: this.serviceNames(),
      serviceStatus: Object.fromEntries([...this.services].filter(([, s]) => s.status).map(([name, s]) => [name, s.status!()])),
    };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const [name, s] of [...this.services].reverse()) {
      try {
        await s.stop?.();
      } catch (e) {
        this.logger.log('error', 'node.service-stop-failed', { service: name, error: describeError(e) });
      }
    }
    this.router.stop();
    this.overlay.stop();
    await this.listener.close();
    this.logger.log('info', 'node.stopped', { id: this.id });
  }
}

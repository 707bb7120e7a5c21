/**
 * A tokumei node: the passport-holding process that listens for links, keeps its overlay, and
 * enforces the CRL. Everything it does goes through the injected Runtime, so the same class runs
 * over real TLS (`tokumei node`) and inside the simulator (`createTestnet`).
 */
import type { Listener, Runtime, TransportConnection } from '../runtime/runtime.js';
import type { NodeIdentity, RevocationList } from '../identity/types.js';
import { TokumeiError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { DEFAULT_LINK_CONFIG, type LinkConfig } from '../link/link.js';
import { DEFAULT_OVERLAY_CONFIG, Overlay, type OverlayConfig, type RefusalEvent } from '../overlay/overlay.js';
import type { NeighbourStatus, NodeStatus, RefusalRecord } from './status.js';
import { Router } from '../routing/router.js';
import type { RoutingConfig } from '../routing/routing-config.js';
import type { BoardKeys } from '../board/board-keys.js';
import { BoardStore } from '../board/board-store.js';
import { BoardReplica, type ReplicaConfig } from '../board/replica.js';
import { BoardClient } from '../board/client.js';
import { HealthNode } from '../health/health-node.js';
import { TrusteeService, type TrusteeServiceOptions } from '../trustees/trustee-service.js';
import { OpeningService, type OpeningServiceOptions } from '../trustees/opening-service.js';

/** What a trustee's node needs to take part in openings (docs/protocol.md §2.8). */
export type TrusteeSetup = Omit<TrusteeServiceOptions, 'router' | 'board' | 'runtime' | 'logger'>;
/** What an authority's node needs to run openings (docs/protocol.md §2.8). */
export type AuthoritySetup = Omit<OpeningServiceOptions, 'router' | 'board' | 'runtime' | 'logger'>;

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
  /** Run a replica of this board too, its database in `databasePath` (docs/protocol.md §7). */
  board?: { keys: BoardKeys; databasePath: string; config?: Partial<ReplicaConfig> };
  /** Where the board client keeps the ids of this member's own posts (in memory if absent). */
  boardStatePath?: string;
  /** NODEDIR/health: the health application's encrypted profile (in memory if absent). */
  healthDir?: string;
  /** The member keystore's text: signing a health letter of intent checks the passphrase against it. */
  keystoreText?: string;
  /** Act as an opening trustee: list requests on the board, approve on demand, countersign. */
  trustee?: TrusteeSetup;
  /** Act as an opening authority: request openings and run them. */
  authority?: AuthoritySetup;
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
    this.router = new Router({ runtime: options.runtime, identity: options.identity, overlay, logger, startedAt, config: options.routing });
    this.board = new BoardClient({ router: this.router, runtime: options.runtime, identity: options.identity, logger, statePath: options.boardStatePath });
    this.health = new HealthNode({ router: this.router, board: this.board, runtime: options.runtime, identity: options.identity, logger, dataDir: options.healthDir, keystoreText: options.keystoreText, crl: () => this.crl });
  }

  /** The routing layer: one-time addresses, sending, inbox and replies. */
  readonly router: Router;
  /** This member's side of bulletin boards: post, search, reply, replies, reservations. */
  readonly board: BoardClient;
  /** The health application (docs/protocol.md §8): member, intermediary and clinic. */
  readonly health: HealthNode;
  /** This node's trustee role in emergency openings, if it has one. */
  trustee: TrusteeService | undefined;
  /** This node's authority role in emergency openings, if it has one. */
  authority: OpeningService | undefined;
  /** The board replica this node runs, if any. */
  replica: BoardReplica | undefined;
  private boardStore: BoardStore | undefined;

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
        node.recordRefusal({ remoteAddress, error: error instanceof TokumeiError ? error : new TokumeiError('refused', 'LINK_HANDSHAKE_FAILED', error.message) });
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
    if (options.board) {
      try {
        node.boardStore = BoardStore.open(options.board.databasePath);
        node.replica = new BoardReplica({ router: node.router, runtime, keys: options.board.keys, store: node.boardStore, logger, config: options.board.config });
      } catch (e) {
        node.boardStore?.close();
        await listener.close();
        throw e;
      }
    }
    if (options.trustee) node.enableTrustee(options.trustee);
    if (options.authority) node.enableAuthority(options.authority);
    overlay.start();
    for (const conn of early) overlay.accept(conn);
    node.replica?.start();
    return node;
  }

  /** Gives this node a trustee's role (also for tests on a testnet's running nodes). */
  enableTrustee(setup: TrusteeSetup): TrusteeService {
    if (this.trustee) throw new TokumeiError('bad-input', 'NODE_ROLE_TAKEN', 'this node is already a trustee');
    this.trustee = new TrusteeService({ ...setup, router: this.router, board: this.board, runtime: this.options.runtime, logger: this.logger });
    return this.trustee;
  }

  /** Gives this node an authority's role (also for tests on a testnet's running nodes). */
  enableAuthority(setup: AuthoritySetup): OpeningService {
    if (this.authority) throw new TokumeiError('bad-input', 'NODE_ROLE_TAKEN', 'this node is already an authority');
    this.authority = new OpeningService({ ...setup, router: this.router, board: this.board, runtime: this.options.runtime, logger: this.logger });
    return this.authority;
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
    };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.trustee?.stop();
    this.authority?.stop();
    this.replica?.stop();
    this.router.stop();
    this.boardStore?.close();
    this.overlay.stop();
    await this.listener.close();
    this.logger.log('info', 'node.stopped', { id: this.id });
  }
}

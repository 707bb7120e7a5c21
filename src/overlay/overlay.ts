/**
 * The overlay (DESIGN §5, docs/protocol.md §5): keeps this node's neighbours at a target degree as
 * peers come and go. This file owns the neighbour table and the links' life (accept, establish,
 * close, route each link message to its part); the parts are the dialer with back-off and bans
 * (dialer.ts), degree maintenance (degree-maintenance.ts), peer exchange (peer-exchange.ts), the
 * own descriptor (descriptor-refresh.ts) and CRL spreading (crl-spreading.ts).
 */
import type { TimerHandle, TransportConnection } from '../runtime/runtime.js';
import type { RevocationList } from '../identity/types.js';
import { Command } from '../wire/cell.js';
import { LinkRefusal, TokumeiError, describeError } from '../errors.js';
import { Link } from '../link/link.js';
import { CrlSpreading } from './crl-spreading.js';
import { DegreeMaintenance } from './degree-maintenance.js';
import { DescriptorRefresh } from './descriptor-refresh.js';
import { Dialer } from './dialer.js';
import { MAX_PEERS_PER_MESSAGE } from './messages.js';
import type { Neighbour, OverlayContext, OverlayCounters, OverlayServices, OverlayState } from './overlay-types.js';
import { PeerExchange } from './peer-exchange.js';
import { PeerTable } from './peer-table.js';
import { OverlayErrors } from './overlay-errors.js';

/** Inbound links in their challenge at once. */
const MAX_PENDING_LINKS = 64;

export class Overlay {
  private readonly neighbours = new Map<string, Neighbour>(); // BOUNDED(maxDegree + inboundSlack)
  private readonly pending = new Set<Link>(); // BOUNDED(MAX_PENDING_LINKS + maxConcurrentDials)
  private readonly known: PeerTable;
  private readonly dialer: Dialer;
  private readonly peers: PeerExchange;
  private readonly descriptors: DescriptorRefresh;
  private readonly crls: CrlSpreading;
  private readonly maintenance: DegreeMaintenance;
  private timers: TimerHandle[] = [];
  private stopped = false;
  private services: OverlayServices | undefined;
  readonly counters: OverlayCounters = {
    dials: 0,
    dialFailures: 0,
    refusals: 0,
    protocolErrors: 0,
    descriptorsAccepted: 0,
    descriptorsRejected: 0,
    crlsAdopted: 0,
    linksShed: 0,
  };

  constructor(private readonly ctx: OverlayContext) {
    this.known = new PeerTable(ctx.config.knownPeersCapacity);
    const state: OverlayState = {
      ctx,
      neighbours: this.neighbours,
      known: this.known,
      counters: this.counters,
      refused: (remoteAddress, error, peerId) => this.refused(remoteAddress, error, peerId),
    };
    this.dialer = new Dialer(state, (conn, address, expectedId) => this.startLink(conn, 'outbound', address, expectedId), () => this.stopped);
    this.peers = new PeerExchange(state);
    this.descriptors = new DescriptorRefresh(state, this.peers);
    this.crls = new CrlSpreading(state, () => this.descriptors.invalidate());
    this.maintenance = new DegreeMaintenance(state, this.dialer, this.peers);
  }

  start(): void {
    const { clock } = this.ctx.runtime;
    this.timers.push(clock.setInterval(() => this.tick(), this.ctx.config.tickMs));
    this.timers.push(clock.setInterval(() => this.refreshDescriptor(), this.ctx.config.descriptorRefreshMs));
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) t.cancel();
    this.timers = [];
    for (const l of [...this.pending]) l.close();
    for (const n of [...this.neighbours.values()]) n.link.close();
  }

  /** Connects the routing layer. */
  attach(services: OverlayServices): void {
    this.services = services;
  }

  neighbour(id: string): Neighbour | undefined {
    return this.neighbours.get(id);
  }

  get degree(): number {
    return this.neighbours.size;
  }

  get knownPeers(): number {
    return this.known.size;
  }

  neighbourList(): Neighbour[] {
    return [...this.neighbours.values()];
  }

  /** Takes an inbound transport connection from the listener. */
  accept(conn: TransportConnection): void {
    if (this.stopped || this.pending.size >= MAX_PENDING_LINKS) {
      // Links still in their challenge are bounded too: a member opening connection after
      // connection cannot make us hold them all.
      conn.close();
      return;
    }
    this.startLink(conn, 'inbound', conn.remoteAddress);
  }

  /** Sends a (newer) CRL to every neighbour except `except`, and enforces it. */
  spreadCrl(crl: RevocationList, except?: string): void {
    this.crls.spread(crl, except);
  }

  private tick(): void {
    if (!this.stopped) this.maintenance.tick();
  }

  private refreshDescriptor(): void {
    if (!this.stopped) this.descriptors.refresh();
  }

  // ── links ──────────────────────────────────────────────────────────────────────────────────

  private startLink(conn: TransportConnection, direction: 'inbound' | 'outbound', address: string, expectedId?: string): void {
    const link = new Link(
      { runtime: this.ctx.runtime, identity: this.ctx.identity, crl: () => this.ctx.crl(), logger: this.ctx.logger, config: this.ctx.linkConfig },
      conn,
      {
        onEstablished: (l) => this.onEstablished(l, direction, address, expectedId),
        onMessage: (l, command, body) => this.onMessage(l, command, body),
        onCircuitCell: (l, cell) => {
          const n = this.neighbours.get(l.peerId!);
          if (n && n.link === l) this.services?.onCircuitCell(n, cell);
        },
        onClose: (l, error) => this.onClosed(l, direction, address, error, expectedId),
      },
    );
    this.pending.add(link);
    link.start();
  }

  private onEstablished(link: Link, direction: 'inbound' | 'outbound', address: string, expectedId?: string): void {
    this.pending.delete(link);
    const id = link.peerId!;
    const { config } = this.ctx;
    if (this.dialer.isBanned(id)) {
      link.close(new TokumeiError('refused', LinkRefusal.FLOODING, 'neighbour is banned for flooding'));
      return;
    }
    if (expectedId && expectedId !== id) this.ctx.logger.log('info', 'overlay.address-moved', { peer: address, expected: expectedId, id });
    const existing = this.neighbours.get(id);
    if (existing) {
      // Two links to one peer (both dialled at once, or two addresses): both sides keep the link
      // dialled by the smaller id, the older one on a tie, so they agree without talking.
      const me = this.ctx.identity.passport.serial;
      const dialer = (l: Link): string => (l.initiator ? me : id);
      const keepNew = dialer(link) < dialer(existing.link);
      const loser = keepNew ? existing.link : link;
      if (keepNew) {
        this.neighbours.delete(id);
        this.services?.onNeighbourDown(id, existing.link);
      }
      loser.close(new TokumeiError('io', LinkRefusal.DUPLICATE, 'already linked to this peer'));
      if (!keepNew) return;
    }
    const n: Neighbour = { link, id, direction, address, descriptor: undefined, lastPeersServed: 0 };
    if (direction === 'inbound' && this.neighbours.size >= config.maxDegree + config.inboundSlack) {
      this.peers.send(n, MAX_PEERS_PER_MESSAGE);
      link.close(OverlayErrors.LINK_FULL('neighbour table full'));
      return;
    }
    this.neighbours.set(id, n);
    this.known.markSuccess(id);
    this.dialer.succeeded(address);
    this.ctx.logger.log('info', 'overlay.neighbour-up', { id, peer: address, direction, degree: this.neighbours.size });
    link.sendMessage(Command.DESCRIPTOR, this.descriptors.current().bytes);
    this.services?.onNeighbourUp(n);
    if (this.neighbours.size < config.minDegree) this.peers.ask(n);
  }

  private onClosed(link: Link, direction: 'inbound' | 'outbound', address: string, error: TokumeiError | undefined, expectedId?: string): void {
    this.pending.delete(link);
    const id = link.peerId;
    if (id && error?.code === LinkRefusal.FLOODING) this.dialer.ban(id);
    const n = id ? this.neighbours.get(id) : undefined;
    if (n && n.link === link) {
      this.neighbours.delete(id!);
      this.ctx.logger.log('info', 'overlay.neighbour-down', { id, peer: n.address, code: error?.code, degree: this.neighbours.size });
      this.services?.onNeighbourDown(id!, link);
      if (error && error.code !== LinkRefusal.DUPLICATE && error.code !== 'LINK_SHED' && direction === 'outbound') this.dialer.backoff(address, id);
      if (error?.code === LinkRefusal.FLOODING) this.refused(n.address, error, id);
      return;
    }
    if (link.state !== 'open' && error && link.establishedAt === 0) {
      // Failed before it was established: a refusal (ours or the peer's).
      if (error.code === LinkRefusal.SELF) this.dialer.markSelf(address);
      if (direction === 'outbound') this.dialer.backoff(address, expectedId);
      if (error.kind === 'refused') this.refused(address, error, id);
    }
  }

  private refused(remoteAddress: string, error: TokumeiError, peerId?: string): void {
    this.counters.refusals++;
    this.ctx.onRefusal({ remoteAddress, error, peerId });
  }

  // ── messages ───────────────────────────────────────────────────────────────────────────────

  private onMessage(link: Link, command: number, body: Uint8Array): void {
    const n = this.neighbours.get(link.peerId!);
    if (!n || n.link !== link) return; // a link being closed as duplicate or full
    try {
      switch (command) {
        case Command.DESCRIPTOR:
          return this.descriptors.onDescriptor(n, body);
        case Command.PEERS_REQUEST:
          return this.peers.onPeersRequest(n, body);
        case Command.PEERS:
          return this.peers.onPeers(n, body);
        case Command.CRL:
          return this.crls.onCrl(n, body);
        default:
          if (this.services?.handlesMessage(command)) return this.services.onLinkMessage(n, command, body);
          throw OverlayErrors.OVERLAY_UNKNOWN_MESSAGE(`unknown link message 0x${command.toString(16)}`);
      }
    } catch (e) {
      this.counters.protocolErrors++;
      const error = e instanceof TokumeiError ? e : OverlayErrors.OVERLAY_BAD_MESSAGE(describeError(e));
      this.ctx.logger.log('warn', 'overlay.bad-message', { id: n.id, command, code: error.code, reason: error.message });
      n.link.close(error);
    }
  }
}

/**
 * The overlay (DESIGN §5, docs/protocol.md §5): keeps this node's neighbours at a target degree as
 * peers come and go. First neighbours come from the preference file; after that, neighbours trade
 * signed descriptors, and the node dials known peers whenever its degree falls under the minimum,
 * sheds links above the maximum, and spreads newer CRLs to every neighbour.
 */
import type { Runtime, TimerHandle, TransportConnection } from '../runtime/runtime.js';
import type { NodeIdentity, RevocationList } from '../identity/types.js';
import { parseCrl } from '../identity/crl.js';
import { Command, type Cell } from '../wire/cell.js';
import { LinkRefusal, TokumeiError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { Link, type LinkConfig } from '../link/link.js';
import { openDescriptor, peekDescriptor, signDescriptor, type SignedDescriptor } from './descriptor.js';
import { PeerTable } from './peer-table.js';
import { MAX_PEERS_PER_MESSAGE, decodePeers, decodePeersRequest, encodePeers, encodePeersRequest } from './messages.js';

export interface OverlayConfig {
  minDegree: number;
  maxDegree: number;
  /** Extra inbound links accepted above maxDegree before new ones are turned away. */
  inboundSlack: number;
  tickMs: number;
  descriptorRefreshMs: number;
  peersRequestMs: number;
  maxConcurrentDials: number;
  /** BOUNDED: known-peer table size. */
  knownPeersCapacity: number;
  descriptorMaxAgeMs: number;
  maxClockSkewMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Dial failures after which a known peer is forgotten. */
  maxDialFailures: number;
  /** A neighbour may ask for peers at most this often. */
  peersRequestMinIntervalMs: number;
  /** How long a flooding neighbour is refused. */
  banMs: number;
  /** BOUNDED: ban list and address back-off table sizes. */
  banCapacity: number;
  dialTimeoutMs: number;
}

export const DEFAULT_OVERLAY_CONFIG: OverlayConfig = {
  minDegree: 4,
  maxDegree: 8,
  inboundSlack: 2,
  tickMs: 1_000,
  descriptorRefreshMs: 30_000,
  peersRequestMs: 10_000,
  maxConcurrentDials: 4,
  knownPeersCapacity: 1_024,
  descriptorMaxAgeMs: 30 * 60_000,
  maxClockSkewMs: 10 * 60_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 60_000,
  maxDialFailures: 5,
  peersRequestMinIntervalMs: 2_000,
  banMs: 10 * 60_000,
  banCapacity: 256,
  dialTimeoutMs: 10_000,
};

export interface Neighbour {
  link: Link;
  id: string;
  direction: 'inbound' | 'outbound';
  /** The address we dialled (outbound) until its descriptor tells the advertised one. */
  address: string;
  descriptor: SignedDescriptor | undefined;
  lastPeersServed: number;
}

export interface RefusalEvent {
  remoteAddress: string;
  error: TokumeiError;
  peerId?: string;
}

/** The routing layer's hooks into the overlay: link messages it owns, circuit cells, neighbour churn. */
export interface OverlayServices {
  /** Link messages the overlay does not handle itself (route seeks, route info, multicast). */
  handlesMessage(command: number): boolean;
  onLinkMessage(n: Neighbour, command: number, body: Uint8Array): void;
  onCircuitCell(n: Neighbour, cell: Cell): void;
  onNeighbourUp(n: Neighbour): void;
  onNeighbourDown(id: string, link: Link): void;
}

export interface OverlayContext {
  runtime: Runtime;
  identity: NodeIdentity;
  /** The address this node listens on and advertises. */
  address: string;
  preferences: string[];
  logger: Logger;
  config: OverlayConfig;
  linkConfig: LinkConfig;
  startedAt: number;
  crl(): RevocationList | undefined;
  /** Adopts a newer CRL (persisting it); returns false when it is not newer. */
  adoptCrl(crl: RevocationList): boolean;
  onRefusal(event: RefusalEvent): void;
}

/** Inbound links in their challenge at once. */
const MAX_PENDING_LINKS = 64;

/** Stale descriptors and expired bans are swept this often (not every tick: tables are large). */
const PRUNE_EVERY_MS = 10_000;

interface AddressBackoff {
  failures: number;
  retryAt: number;
}

export class Overlay {
  private readonly neighbours = new Map<string, Neighbour>(); // BOUNDED(maxDegree + inboundSlack)
  private readonly pending = new Set<Link>(); // BOUNDED(MAX_PENDING_LINKS + maxConcurrentDials)
  private readonly dialing = new Set<string>(); // BOUNDED(maxConcurrentDials)
  private readonly known: PeerTable;
  private readonly addressBackoff = new Map<string, AddressBackoff>(); // BOUNDED(banCapacity)
  private readonly banned = new Map<string, number>(); // BOUNDED(banCapacity): id → until
  private readonly selfAddresses = new Set<string>(); // BOUNDED: addresses that led back to us
  private timers: TimerHandle[] = [];
  private ownDescriptor: SignedDescriptor | undefined;
  private lastPeersRequest = 0;
  private lastPrune = 0;
  private stopped = false;
  private services: OverlayServices | undefined;
  readonly counters = {
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
    this.selfAddresses.add(ctx.address);
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

  /** Sends a (newer) CRL to every neighbour except `except`. */
  spreadCrl(crl: RevocationList, except?: string): void {
    this.ownDescriptor = undefined; // it states the CRL number we enforce
    for (const n of this.neighbours.values()) if (n.id !== except) n.link.sendMessage(Command.CRL, crl.der);
    this.enforceCrl(crl);
  }

  // ── degree maintenance ────────────────────────────────────────────────────────────────────

  private tick(): void {
    if (this.stopped) return;
    const { config } = this.ctx;
    const now = this.ctx.runtime.clock.now();
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      this.known.prune(now, config.descriptorMaxAgeMs);
      for (const [id, until] of this.banned) if (until < now) this.banned.delete(id);
    }

    const want = config.minDegree - this.neighbours.size - this.dialing.size;
    if (want > 0) this.dialMore(Math.min(want, config.maxConcurrentDials - this.dialing.size), now);

    if (this.neighbours.size > config.maxDegree) this.shed(this.neighbours.size - config.maxDegree);

    // Ask a neighbour for peers now and then; often while we know too few to reach the minimum.
    const hungry = this.neighbours.size < config.minDegree && this.candidateCount(now) === 0;
    const interval = hungry ? Math.min(2_000, config.peersRequestMs) : config.peersRequestMs;
    if (this.neighbours.size > 0 && now - this.lastPeersRequest >= interval) this.requestPeers(now);
  }

  private candidateCount(now: number): number {
    let n = 0;
    for (const p of this.known.values()) if (this.isCandidate(p.signed, p.retryAt, now)) n++;
    return n;
  }

  private isCandidate(s: SignedDescriptor, retryAt: number, now: number): boolean {
    const d = s.descriptor;
    return (
      d.id !== this.ctx.identity.passport.serial &&
      !this.neighbours.has(d.id) &&
      !this.banned.has(d.id) &&
      !this.dialing.has(d.address) &&
      !this.selfAddresses.has(d.address) &&
      retryAt <= now &&
      !this.addressBlocked(d.address, now)
    );
  }

  private addressBlocked(address: string, now: number): boolean {
    const b = this.addressBackoff.get(address);
    return b !== undefined && b.retryAt > now;
  }

  private connectedAddresses(): Set<string> {
    const out = new Set<string>();
    for (const n of this.neighbours.values()) {
      out.add(n.address);
      if (n.descriptor) out.add(n.descriptor.descriptor.address);
    }
    return out;
  }

  private dialMore(count: number, now: number): void {
    if (count <= 0) return;
    const picks = this.known.sample(count, this.ctx.runtime.random, (p) => this.isCandidate(p.signed, p.retryAt, now));
    const targets = picks.map((p) => ({ address: p.signed.descriptor.address, id: p.signed.descriptor.id as string | undefined }));
    if (targets.length < count) {
      // Fall back to the preference file: needed at start, and when the known table ran dry.
      const connected = this.connectedAddresses();
      for (const address of this.ctx.preferences) {
        if (targets.length >= count) break;
        if (connected.has(address) || this.dialing.has(address) || this.selfAddresses.has(address) || this.addressBlocked(address, now)) continue;
        if (targets.some((t) => t.address === address)) continue;
        targets.push({ address, id: undefined });
      }
    }
    for (const t of targets) this.dial(t.address, t.id);
  }

  private dial(address: string, expectedId: string | undefined): void {
    const { runtime, identity, config, logger } = this.ctx;
    this.dialing.add(address);
    this.counters.dials++;
    const credentials = { passportPem: identity.passport.pem, keyPem: identity.signingKeyPem, caPem: identity.caPem };
    runtime.net.dial(address, credentials, config.dialTimeoutMs).then(
      (conn) => {
        this.dialing.delete(address);
        if (this.stopped) {
          conn.close();
          return;
        }
        this.startLink(conn, 'outbound', address, expectedId);
      },
      (e: unknown) => {
        this.dialing.delete(address);
        this.counters.dialFailures++;
        const error = e instanceof TokumeiError ? e : new TokumeiError('io', LinkRefusal.UNREACHABLE, describeError(e));
        this.backoff(address, expectedId);
        logger.log('debug', 'overlay.dial-failed', { peer: address, code: error.code, reason: error.message });
        if (error.kind === 'refused' && error.code !== LinkRefusal.UNREACHABLE) this.refused(address, error, expectedId);
      },
    );
  }

  private backoff(address: string, id: string | undefined): void {
    const { config } = this.ctx;
    const now = this.ctx.runtime.clock.now();
    if (id) this.known.markFailure(id, now, config.backoffBaseMs, config.backoffMaxMs, config.maxDialFailures);
    const b = this.addressBackoff.get(address) ?? { failures: 0, retryAt: 0 };
    b.failures++;
    b.retryAt = now + Math.min(config.backoffMaxMs, config.backoffBaseMs * 2 ** (b.failures - 1));
    this.addressBackoff.delete(address);
    this.addressBackoff.set(address, b);
    if (this.addressBackoff.size > config.banCapacity) this.addressBackoff.delete(this.addressBackoff.keys().next().value!);
  }

  private shed(count: number): void {
    // Shed the newest inbound links first: they are the likeliest to find other neighbours, and
    // we hand them peers before closing.
    const victims = [...this.neighbours.values()]
      .sort((a, b) => (a.direction === b.direction ? b.link.establishedAt - a.link.establishedAt : a.direction === 'inbound' ? -1 : 1))
      .slice(0, count);
    for (const v of victims) {
      this.sendPeers(v, MAX_PEERS_PER_MESSAGE);
      this.counters.linksShed++;
      v.link.close(new TokumeiError('io', 'LINK_SHED', 'degree above maximum'));
    }
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
    if (this.banned.has(id)) {
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
    if (direction === 'inbound' && this.neighbours.size >= config.maxDegree + config.inboundSlack) {
      const n: Neighbour = { link, id, direction, address, descriptor: undefined, lastPeersServed: 0 };
      this.sendPeers(n, MAX_PEERS_PER_MESSAGE);
      link.close(new TokumeiError('io', 'LINK_FULL', 'neighbour table full'));
      return;
    }
    const n: Neighbour = { link, id, direction, address, descriptor: undefined, lastPeersServed: 0 };
    this.neighbours.set(id, n);
    this.known.markSuccess(id);
    this.addressBackoff.delete(address);
    this.ctx.logger.log('info', 'overlay.neighbour-up', { id, peer: address, direction, degree: this.neighbours.size });
    link.sendMessage(Command.DESCRIPTOR, this.descriptor().bytes);
    this.services?.onNeighbourUp(n);
    if (this.neighbours.size < config.minDegree) link.sendMessage(Command.PEERS_REQUEST, encodePeersRequest(MAX_PEERS_PER_MESSAGE));
  }

  private onClosed(link: Link, direction: 'inbound' | 'outbound', address: string, error: TokumeiError | undefined, expectedId?: string): void {
    this.pending.delete(link);
    const id = link.peerId;
    if (id && error?.code === LinkRefusal.FLOODING) this.ban(id);
    const n = id ? this.neighbours.get(id) : undefined;
    if (n && n.link === link) {
      this.neighbours.delete(id!);
      this.ctx.logger.log('info', 'overlay.neighbour-down', { id, peer: n.address, code: error?.code, degree: this.neighbours.size });
      this.services?.onNeighbourDown(id!, link);
      if (error && error.code !== LinkRefusal.DUPLICATE && error.code !== 'LINK_SHED' && direction === 'outbound') this.backoff(address, id);
      if (error?.code === LinkRefusal.FLOODING) this.refused(n.address, error, id);
      return;
    }
    if (link.state !== 'open' && error && link.establishedAt === 0) {
      // Failed before it was established: a refusal (ours or the peer's).
      if (error.code === LinkRefusal.SELF) this.selfAddresses.add(address);
      if (direction === 'outbound') this.backoff(address, expectedId);
      if (error.kind === 'refused') this.refused(address, error, id);
    }
  }

  private ban(id: string): void {
    this.banned.delete(id);
    this.banned.set(id, this.ctx.runtime.clock.now() + this.ctx.config.banMs);
    if (this.banned.size > this.ctx.config.banCapacity) this.banned.delete(this.banned.keys().next().value!);
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
          return this.onDescriptor(n, body);
        case Command.PEERS_REQUEST:
          return this.onPeersRequest(n, body);
        case Command.PEERS:
          return this.onPeers(n, body);
        case Command.CRL:
          return this.onCrl(n, body);
        default:
          if (this.services?.handlesMessage(command)) return this.services.onLinkMessage(n, command, body);
          throw new TokumeiError('protocol', 'OVERLAY_UNKNOWN_MESSAGE', `unknown link message 0x${command.toString(16)}`);
      }
    } catch (e) {
      this.counters.protocolErrors++;
      const error = e instanceof TokumeiError ? e : new TokumeiError('protocol', 'OVERLAY_BAD_MESSAGE', describeError(e));
      this.ctx.logger.log('warn', 'overlay.bad-message', { id: n.id, command, code: error.code, reason: error.message });
      n.link.close(error);
    }
  }

  private checkOptions() {
    const now = this.ctx.runtime.clock.now();
    return { caPem: this.ctx.identity.caPem, crl: this.ctx.crl(), now, maxAgeMs: this.ctx.config.descriptorMaxAgeMs, maxSkewMs: this.ctx.config.maxClockSkewMs };
  }

  private onDescriptor(n: Neighbour, body: Uint8Array): void {
    const signed = openDescriptor(body, this.checkOptions());
    if (signed.descriptor.id !== n.id) throw new TokumeiError('protocol', 'DESCRIPTOR_MISMATCH', 'neighbour sent a descriptor that is not its own');
    n.descriptor = signed;
    this.known.upsert(signed, this.ctx.runtime.clock.now());
    this.known.markSuccess(n.id);
    this.counters.descriptorsAccepted++;
    const crl = this.ctx.crl();
    if (crl && signed.descriptor.crlNumber < crl.number) n.link.sendMessage(Command.CRL, crl.der);
  }

  private onPeersRequest(n: Neighbour, body: Uint8Array): void {
    const max = decodePeersRequest(body);
    const now = this.ctx.runtime.clock.now();
    if (now - n.lastPeersServed < this.ctx.config.peersRequestMinIntervalMs) return; // rate-limited: ignore
    n.lastPeersServed = now;
    this.sendPeers(n, max);
  }

  private sendPeers(n: Neighbour, max: number): void {
    const entries = this.known
      .sample(max, this.ctx.runtime.random, (p) => p.signed.descriptor.id !== n.id && p.failures === 0)
      .map((p) => p.signed.bytes);
    if (entries.length > 0) n.link.sendMessage(Command.PEERS, encodePeers(entries));
  }

  private onPeers(n: Neighbour, body: Uint8Array): void {
    const entries = decodePeers(body);
    const check = this.checkOptions();
    const me = this.ctx.identity.passport.serial;
    for (const bytes of entries) {
      try {
        // Cheap look first: most gossip repeats what we already hold.
        const claimed = peekDescriptor(bytes);
        if (claimed.id === me) continue;
        const existing = this.known.get(claimed.id);
        if (existing && existing.signed.descriptor.issuedAt >= claimed.issuedAt) continue;
        const signed = openDescriptor(bytes, check);
        this.known.upsert(signed, check.now);
        this.counters.descriptorsAccepted++;
      } catch (e) {
        // A stale or revoked entry is not the neighbour's fault; count it and go on.
        this.counters.descriptorsRejected++;
        this.ctx.logger.log('debug', 'overlay.descriptor-rejected', { from: n.id, reason: describeError(e) });
      }
    }
  }

  private onCrl(n: Neighbour, body: Uint8Array): void {
    const crl = parseCrl(body, this.ctx.identity.caPem);
    if (!this.ctx.adoptCrl(crl)) return;
    this.counters.crlsAdopted++;
    this.ctx.logger.log('info', 'overlay.crl-adopted', { number: crl.number, revoked: crl.revoked.size, from: n.id });
    this.spreadCrl(crl, n.id);
  }

  /** Drops links to revoked members and forgets their descriptors. */
  private enforceCrl(crl: RevocationList): void {
    for (const n of [...this.neighbours.values()]) {
      if (crl.revoked.has(n.id)) {
        const error = new TokumeiError('refused', LinkRefusal.REVOKED, `passport ${n.id} is revoked`);
        this.refused(n.address, error, n.id);
        n.link.close(error);
      }
    }
    for (const id of crl.revoked) this.known.delete(id);
  }

  // ── own descriptor ─────────────────────────────────────────────────────────────────────────

  private descriptor(): SignedDescriptor {
    if (!this.ownDescriptor) this.ownDescriptor = this.signOwn();
    return this.ownDescriptor;
  }

  private signOwn(): SignedDescriptor {
    const { identity, runtime, address, startedAt } = this.ctx;
    let load = 0;
    for (const n of this.neighbours.values()) load += n.link.loadCellsPerSec;
    return signDescriptor(
      {
        id: identity.passport.serial,
        address,
        onionKey: identity.passport.onionKey,
        issuedAt: runtime.clock.now(),
        startedAt,
        degree: this.neighbours.size,
        load,
        crlNumber: this.ctx.crl()?.number ?? 0,
      },
      identity.passport,
      identity.signingPrivateKey,
    );
  }

  private refreshDescriptor(): void {
    if (this.stopped) return;
    this.ownDescriptor = this.signOwn();
    for (const n of this.neighbours.values()) n.link.sendMessage(Command.DESCRIPTOR, this.ownDescriptor.bytes);
  }

  private requestPeers(now: number): void {
    const list = [...this.neighbours.values()];
    const n = list[this.ctx.runtime.random.int(list.length)];
    if (!n) return;
    this.lastPeersRequest = now;
    n.link.sendMessage(Command.PEERS_REQUEST, encodePeersRequest(MAX_PEERS_PER_MESSAGE));
  }
}

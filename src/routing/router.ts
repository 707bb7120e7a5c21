/**
 * A node's routing layer (DESIGN §6, docs/protocol.md §6): onion router and onion proxy in one.
 * It plugs into the overlay for route seeks, route information, multicast and circuit cells, and
 * offers the node three things: a fresh one-time address, sending to an address, and the inbox
 * with replies.
 */
import type { KeyObject } from 'node:crypto';
import { toHex } from '../crypto/bytes.js';
import { generateX25519 } from '../crypto/x25519.js';
import { describeError } from '../errors.js';
import type { NodeIdentity, RevocationList } from '../identity/types.js';
import type { Link } from '../link/link.js';
import type { Logger } from '../log.js';
import type { Overlay } from '../overlay/overlay.js';
import type { Neighbour } from '../overlay/overlay-types.js';
import type { Runtime, TimerHandle } from '../runtime/runtime.js';
import { CircuitCommand, Command, encodeMessage, type Cell } from '../wire/cell.js';
import { AnonymousIdBook, createAnonymousId } from '../anonymous-id/anonymous-id.js';
import { CircuitTable } from './relay/circuit-table.js';
import { Conversation, MAX_ROUTE_RELAYS, type RouteStrategy, type SendOutcome } from './proxy/conversation.js';
import { Destination, type Delivery, type InboundPath } from './destination/destination.js';
import type { CandidateGraph } from './proxy/candidate-graph.js';
import { Inbox, type InboxEntry } from './destination/inbox.js';
import { Multicast } from './relay/multicast.js';
import { decodeAddress, encodeAddress } from './formats/one-time-address.js';
import { RelayCircuit, relayKnowledge } from './relay/relay-circuit.js';
import { ReturnPathKeys } from './formats/return-path.js';
import { newCounters, type CircuitOwner, type OwnAddress, type RelayObserver, type RelayTamper, type RoutingContext, type RoutingCounters } from './relay/routing-context.js';
import { DEFAULT_ROUTING_CONFIG, epochOf, type RoutingConfig } from './core/routing-config.js';
import { RoutingEvents, type RoutingEvent } from './core/routing-events.js';
import { SeekRelay } from './relay/seek-relay.js';
import { ConversationBook } from './proxy/conversation-book.js';
import type { ServedAddress, ServiceHandler } from './destination/service-request.js';
export type { ServiceHandler, ServiceRequest } from './destination/service-request.js';
import { SeekProxy } from './proxy/seek-proxy.js';
import { handleCreate } from './relay/onion-create.js';
import { IntroPoint } from './relay/intro-point.js';
import { Introductions } from './destination/introductions.js';
import { passportSlot } from './formats/hop-record.js';
import { decodeRouteInfo } from './formats/route-seek.js';
import { ReplayCache } from './formats/replay-cache.js';
import { decodeEnvelope, type ChunkKind } from './end-to-end/session.js';
import { RoutingErrors } from './core/routing-errors.js';

/** BOUNDED: circuit endpoints per node. */
const MAX_CIRCUIT_ENDPOINTS = 8_192;
/** BOUNDED: address keys a destination tries on a CREATE its onion key does not open. */
const ADDRESS_KEYS_TRIED = 32;
/** BOUNDED: conversations this node keeps open as a sender. */
const MAX_CONVERSATIONS = 256;
/** BOUNDED: addresses served by a service (a board replica's board and sync addresses, reservations). */
const MAX_SERVICES = 64;
/** BOUNDED: one-off request conversations in flight. */
const MAX_REQUESTS = 256;

export interface RouterOptions {
  runtime: Runtime;
  identity: NodeIdentity;
  overlay: Overlay;
  logger: Logger;
  startedAt: number;
  /** The CRL in force: hop records of revoked members are refused. */
  crl: () => RevocationList | undefined;
  config?: Partial<RoutingConfig>;
}

export interface RoutingStatus {
  counters: RoutingCounters;
  circuits: number;
  conversations: { address: string; route: string[]; alternatives: number[]; multicast: boolean; repairs: number; localRepairs: number }[];
  events: RoutingEvent[];
}

export class Router {
  readonly ctx: RoutingContext;
  private readonly book = new AnonymousIdBook<OwnAddress>(4_096); // BOUNDED(4096)
  private readonly recent: OwnAddress[] = []; // BOUNDED(ADDRESS_KEYS_TRIED)
  private readonly seeks: SeekProxy;
  private readonly seekRelay: SeekRelay;
  private readonly intro: IntroPoint;
  /** This node's introduction relays, when its addresses are served through them. */
  readonly introductions: Introductions | undefined;
  /** Room for a passport in this community's hop records. */
  private readonly slot: number;
  private readonly multicast: Multicast;
  private readonly destination: Destination;
  readonly inbox: Inbox;
  private readonly conversations = new ConversationBook(MAX_CONVERSATIONS);
  private readonly services = new Map<string, ServedAddress>(); // BOUNDED(MAX_SERVICES): by ID hex
  private readonly requests = new Map<string, (bytes: Uint8Array) => void>(); // BOUNDED(MAX_REQUESTS): by session
  private readonly timers: TimerHandle[] = [];

  constructor(o: RouterOptions) {
    const config = { ...DEFAULT_ROUTING_CONFIG, ...o.config };
    const { runtime } = o;
    this.ctx = {
      runtime,
      identity: o.identity,
      overlay: o.overlay,
      crl: o.crl,
      logger: o.logger,
      config,
      events: new RoutingEvents(() => runtime.clock.now()),
      circuits: new CircuitTable<CircuitOwner>(MAX_CIRCUIT_ENDPOINTS),
      replay: new ReplayCache(),
      rpKeys: new ReturnPathKeys(runtime.random.bytes(32)),
      counters: newCounters(),
      observer: undefined,
      tamper: undefined,
      epoch: () => epochOf(runtime.clock.now()),
      uptimeMs: () => runtime.clock.now() - o.startedAt,
      recentAddresses: () => this.recent,
      addressFor: (id) => (id.length === 64 ? (this.services.get(toHex(id))?.address ?? this.book.lookup(id)) : undefined),
      sendCell: (link, circId, command, payload) => {
        this.ctx.counters.routingCells++;
        link.sendCircuitCell({ circId, command, flags: 0, payload });
      },
      sendMessage: (links, command, body) => {
        const list = Array.isArray(links) ? links : [links as Link];
        if (list.length === 0) return;
        const cells = encodeMessage(command, body); // once, whatever the number of links
        this.ctx.counters.routingCells += cells.length * list.length;
        for (const link of list) link.sendEncoded(cells);
      },
    };
    this.inbox = new Inbox(runtime.random);
    this.slot = passportSlot(o.identity.passport.keyType);
    this.seeks = new SeekProxy(this.ctx, this.slot);
    this.intro = new IntroPoint(this.ctx, this.slot);
    this.seekRelay = new SeekRelay(this.ctx, this.slot, { isOwnSeek: (id) => this.seeks.owns(id) && !this.seeks.isProbe(id), intro: this.intro });
    this.multicast = new Multicast(this.ctx, (address, kind, envelope, from) => this.onMulticastFor(address, kind, envelope, from));
    this.destination = new Destination(this.ctx, {
      multicast: (id, kind, envelope) => this.multicast.send(id, kind, envelope),
      sendTo: (address, bytes) => this.send(address, bytes),
      deliver: (d) => this.onDelivery(d),
    });
    const deliver = (address: OwnAddress, cmd: number, data: Uint8Array, path: InboundPath) => this.destination.onSpliced(address, cmd, data, path);
    this.introductions = config.introductions ? new Introductions(this.ctx, { probe: () => this.probe(), deliver }) : undefined;
    this.introductions?.start();
    o.overlay.attach({
      handlesMessage: (c) => c === Command.ROUTE_SEEK || c === Command.ROUTE_INFO || c === Command.MULTICAST,
      onLinkMessage: (n, command, body) => this.onLinkMessage(n, command, body),
      onCircuitCell: (n, cell) => this.onCircuitCell(n, cell),
      onNeighbourUp: () => undefined,
      onNeighbourDown: (id, link) => this.onNeighbourDown(id, link),
    });
    this.timers.push(runtime.clock.setInterval(() => this.sweep(), 60_000));
  }

  // ── the node's API ─────────────────────────────────────────────────────────────────────────

  /** A fresh one-time address of this node (docs/protocol.md §6.1), served through its introduction relays when it has them (§6.10). */
  newAddress(purpose: 'inbox' | 'reply' = 'inbox'): OwnAddress {
    const address = this.ownAddress(purpose);
    this.introductions?.register(address);
    return address;
  }

  /** A seek for a fresh address of our own, which we answer when it comes back (introductions.ts). */
  private probe(): Promise<CandidateGraph> {
    const p = this.ownAddress('reply');
    return this.seeks.seek(p.id, p.publicKey, { probe: true });
  }

  private ownAddress(purpose: 'inbox' | 'reply'): OwnAddress {
    const { runtime, identity } = this.ctx;
    const id = createAnonymousId(identity.anonymityKey, runtime.random);
    const key = generateX25519(runtime.random);
    const address: OwnAddress = { id, text: encodeAddress({ id, key: key.publicRaw }), privateKey: key.privateKey, publicKey: key.publicRaw, createdAt: runtime.clock.now(), purpose };
    this.book.add(id, address);
    this.recent.unshift(address);
    if (this.recent.length > ADDRESS_KEYS_TRIED) this.recent.pop();
    return address;
  }

  /** Sends `bytes` to a one-time address and waits for the end-to-end acknowledgement. */
  async send(addressText: string, bytes: Uint8Array, strategy?: RouteStrategy): Promise<SendOutcome> {
    const conv = this.conversationFor(addressText, strategy);
    return conv.send(bytes);
  }

  /**
   * Sends one request on a conversation of its own (a fresh route, session and reply address, so
   * two requests cannot be linked by the receiver) and resolves with the first answer.
   * A service that is also what it asks (a board replica asking its own board) reaches another node.
   */
  async request(addressText: string, bytes: Uint8Array, options: { timeoutMs: number; strategy?: RouteStrategy }): Promise<Uint8Array> {
    if (this.requests.size >= MAX_REQUESTS) throw RoutingErrors.TOO_MANY_REQUESTS(`already ${MAX_REQUESTS} requests in flight`);
    const conv = this.newConversation(addressText, options.strategy, true);
    this.conversations.track(conv);
    const { clock } = this.ctx.runtime;
    let timer: TimerHandle | undefined;
    try {
      return await new Promise<Uint8Array>((resolve, reject) => {
        this.requests.set(conv.sessionHex, resolve);
        timer = clock.setTimeout(() => reject(RoutingErrors.REQUEST_TIMEOUT(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
        conv.send(bytes).catch(reject);
      });
    } finally {
      timer?.cancel();
      this.requests.delete(conv.sessionHex);
      this.conversations.forget(conv);
      conv.close();
    }
  }

  /**
   * Serves `address` with `handler` until `unserve`: messages to it go to the handler instead of
   * the inbox, and the address stays known (seeks, last onion layer, multicast) however many
   * one-time addresses are made after it.
   */
  serve(address: OwnAddress, handler: ServiceHandler): void {
    const key = toHex(address.id);
    if (!this.services.has(key) && this.services.size >= MAX_SERVICES) throw RoutingErrors.TOO_MANY_SERVICES(`already ${MAX_SERVICES} served addresses`);
    this.services.set(key, { address, handler });
  }

  unserve(address: OwnAddress): void {
    this.services.delete(toHex(address.id));
  }

  /** An address made from fixed keys (a board's): not one-time, so not in the address book. */
  fixedAddress(id: Uint8Array, privateKey: KeyObject, publicKey: Uint8Array, anycast: boolean): OwnAddress {
    return { id, text: encodeAddress({ id, key: publicKey }), privateKey, publicKey, createdAt: this.ctx.runtime.clock.now(), purpose: 'inbox', anycast };
  }

  private conversationFor(addressText: string, strategy?: RouteStrategy): Conversation {
    const existing = this.conversations.get(addressText);
    if (existing) return existing;
    const conv = this.newConversation(addressText, strategy, false);
    this.conversations.add(addressText, conv);
    return conv;
  }

  private newConversation(addressText: string, strategy: RouteStrategy | undefined, allowServed: boolean): Conversation {
    const dest = decodeAddress(addressText);
    const served = this.services.get(toHex(dest.id));
    if (this.book.lookup(dest.id) || (served && !(allowServed && served.address.anycast))) {
      throw RoutingErrors.ADDRESS_IS_OWN('that address is this node\'s own');
    }
    const reply = this.newAddress('reply');
    return new Conversation(this.ctx, addressText, dest.id, dest.key, reply.text, {
      seek: (id, key) => this.seeks.seek(id, key),
      multicast: (id, kind, envelope) => this.multicast.send(id, kind, envelope),
      onReply: (c, _msgNo, bytes) => {
        this.ctx.counters.messagesReceived++;
        const waiter = this.requests.get(c.sessionHex);
        if (waiter) return waiter(bytes);
        const entry = this.inbox.add({ bytes, receivedAt: this.ctx.runtime.clock.now(), kind: 'reply', session: c.sessionHex, via: c.multicastMode ? 'multicast' : 'circuit' });
        this.ctx.events.add('received', { id: entry.id, bytes: bytes.length, reply: true });
      },
    }, strategy);
  }

  /** A whole message reached one of our addresses: to its service, else to the inbox. */
  private onDelivery(d: Delivery): void {
    const service = this.services.get(toHex(d.address.id));
    if (service) {
      this.ctx.events.add('received', { bytes: d.bytes.length, via: d.via, service: true });
      try {
        service.handler({ bytes: d.bytes, via: d.via, previousHop: d.previousHop, respond: async (b) => void (await this.destination.reply(d.session, b)) });
      } catch (e) {
        this.ctx.logger.log('error', 'routing.service-failed', { reason: describeError(e) });
      }
      return;
    }
    const entry = this.inbox.add({ bytes: d.bytes, receivedAt: this.ctx.runtime.clock.now(), kind: d.address.purpose === 'reply' ? 'reply' : 'message', session: d.session, via: d.via });
    this.ctx.events.add('received', { id: entry.id, bytes: d.bytes.length, via: d.via });
  }

  /** Answers a message in the inbox; the receiver of a message never learns who sent it. */
  async reply(messageId: string, bytes: Uint8Array): Promise<{ via: string; bytes: number }> {
    const entry = this.inbox.get(messageId);
    if (!entry) throw RoutingErrors.NO_SUCH_MESSAGE(`no message ${messageId} in the inbox`);
    if (entry.kind === 'reply') {
      const conv = this.conversations.session(entry.session);
      if (!conv) throw RoutingErrors.CONVERSATION_GONE('that conversation is closed');
      await conv.send(bytes);
      return { via: 'conversation', bytes: bytes.length };
    }
    const r = await this.destination.reply(entry.session, bytes);
    return { via: r.via, bytes: bytes.length };
  }

  inboxEntry(id: string): InboxEntry | undefined {
    return this.inbox.get(id);
  }

  /** Reports what this relay sees of route seeks (experiments only: colluding relays). */
  observe(observer: RelayObserver | undefined): void {
    this.ctx.observer = observer;
  }

  /** The sender's reply address behind an inbox message (experiments: what a curious destination keeps). */
  replyAddressOf(messageId: string): string | undefined {
    const entry = this.inbox.get(messageId);
    return entry ? this.destination.replyAddressOf(entry.session) : undefined;
  }

  /** Makes this relay run modified code (the simulator's colluding relays only). */
  tamperWith(tamper: RelayTamper | undefined): void {
    this.ctx.tamper = tamper;
  }

  /**
   * The routes this proxy would choose to `addressText` now — a seek and route choice, nothing
   * built — with each relay's onion key as the proxy holds it (experiments: who owns a route).
   */
  planRoutes(addressText: string): Promise<{ serial: string; onionKey: Uint8Array }[][]> {
    return this.seeks.plan(decodeAddress(addressText), MAX_ROUTE_RELAYS);
  }

  status(): RoutingStatus {
    return {
      counters: { ...this.ctx.counters },
      circuits: this.ctx.circuits.size,
      conversations: this.conversations.list().map((c) => ({ address: c.addressText.slice(0, 16) + '…', route: c.currentRelays(), alternatives: c.currentAlternatives(), multicast: c.multicastMode, repairs: c.repairs, localRepairs: c.localRepairs })),
      events: this.ctx.events.list(),
    };
  }

  /**
   * Every member serial this node's routing state holds about other nodes' traffic — the relays'
   * previous and next hops — for audits of who knows whom. The proxy's own routes are excluded
   * (it chose them).
   */
  relayKnowledge(): string[][] {
    return relayKnowledge(this.ctx.circuits);
  }

  stop(): void {
    for (const t of this.timers) t.cancel();
    this.introductions?.stop();
    this.seeks.stop();
    this.conversations.closeAll();
    this.services.clear();
  }

  // ── overlay hooks ──────────────────────────────────────────────────────────────────────────

  private onLinkMessage(n: Neighbour, command: number, body: Uint8Array): void {
    if (command === Command.ROUTE_SEEK) return this.seekRelay.onSeek(n, body);
    if (command === Command.ROUTE_INFO) {
      const info = decodeRouteInfo(body, this.slot);
      return this.seeks.owns(toHex(info.seekId)) ? this.seeks.onRouteInfo(info) : this.seekRelay.onRouteInfo(n, info);
    }
    if (command === Command.MULTICAST) return this.multicast.onMessage(n, body);
  }

  private onNeighbourDown(id: string, link: Link): void {
    this.seekRelay.forgetNeighbour(id);
    this.multicast.forgetNeighbour(id);
    for (const ep of this.ctx.circuits.takeAll(link)) {
      try {
        ep.owner.onLinkGone(ep);
      } catch (e) {
        this.ctx.logger.log('error', 'routing.link-gone-failed', { reason: describeError(e) });
      }
    }
  }

  private onCircuitCell(n: Neighbour, cell: Cell): void {
    const ep = this.ctx.circuits.get(n.link, cell.circId);
    if (ep) return ep.owner.onCell(ep, cell);
    if (cell.command === CircuitCommand.CREATE) return handleCreate(this.ctx, n, cell, { keysToTry: () => this.keysToTry(), destination: this.destination, intro: this.intro });
    this.ctx.counters.cellsDropped++;
  }

  /** Last-layer keys: recent one-time addresses, then served ones. */
  private *keysToTry(): Iterable<OwnAddress> {
    yield* this.recent;
    for (const s of this.services.values()) yield s.address;
  }

  private onMulticastFor(address: OwnAddress, kind: ChunkKind, envelope: Uint8Array, from: string): void {
    if (address.purpose === 'reply') {
      try {
        const env = decodeEnvelope(envelope);
        const conv = this.conversations.session(toHex(env.sessionId));
        if (conv) return conv.onEnvelope(kind, env.sealed);
      } catch {
        this.ctx.counters.cellsDropped++;
        return;
      }
    }
    this.destination.onMulticast(address, kind, envelope, from);
  }

  private sweep(): void {
    const now = this.ctx.runtime.clock.now();
    const idle = this.ctx.config.circuitIdleMs;
    const stale = new Set<RelayCircuit>();
    for (const ep of this.ctx.circuits.endpoints()) {
      if (ep.owner instanceof RelayCircuit && ep.owner.lastActive < now - idle) stale.add(ep.owner);
    }
    for (const c of stale) c.destroy();
    this.conversations.sweep(now - idle);
  }
}


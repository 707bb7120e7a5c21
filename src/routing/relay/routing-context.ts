/**
 * What every part of a node's routing layer shares: the runtime, the node's keys, its overlay,
 * the circuit table, replay cache, return-path keys, its own one-time addresses, counters and the
 * visible event log.
 */
import type { KeyObject } from 'node:crypto';
import type { Runtime } from '../../runtime/runtime.js';
import type { NodeIdentity, RevocationList } from '../../identity/types.js';
import type { Overlay } from '../../overlay/overlay.js';
import type { Link } from '../../link/link.js';
import type { Cell } from '../../wire/cell.js';
import type { Logger } from '../../log.js';
import type { CircuitEndpoint, CircuitTable } from './circuit-table.js';
import type { ReplayCache } from '../formats/replay-cache.js';
import type { ReturnPathKeys } from '../formats/return-path.js';
import type { RoutingConfig } from '../core/routing-config.js';
import type { RoutingEvents } from '../core/routing-events.js';
import type { RouteInfo, RouteSeek } from '../formats/route-seek.js';

/** Anything that owns circuit endpoints: a relay's circuit, or a proxy's route. */
export interface CircuitOwner {
  onCell(ep: CircuitEndpoint<CircuitOwner>, cell: Cell): void;
  /** The endpoint's link went away (neighbour left). */
  onLinkGone(ep: CircuitEndpoint<CircuitOwner>): void;
}

/** One of this node's one-time addresses (§6.1): the ID, and the X25519 key behind it. */
export interface OwnAddress {
  id: Uint8Array;
  text: string;
  privateKey: KeyObject;
  publicKey: Uint8Array;
  createdAt: number;
  /** 'inbox': handed out for others to write to; 'reply': made by a conversation for answers. */
  purpose: 'inbox' | 'reply';
  /** Answered by several nodes holding the same keys (a board's replicas): answers only go back
   * along the circuit a message came on (destination.ts). */
  anycast?: boolean;
  /** Served through introduction relays: seeks for it are answered there, never here (§6.10). */
  introduced?: boolean;
}

export interface RoutingCounters {
  seeksSent: number;
  /** Route seeks that arrived from a neighbour (within its rate limit). */
  seeksReceived: number;
  seeksForwarded: number;
  seeksDropped: number;
  seeksAnswered: number;
  routeInfoForwarded: number;
  routeInfoDropped: number;
  circuitsCreated: number;
  onionsRejected: number;
  cellsRelayed: number;
  cellsDropped: number;
  backtracks: number;
  switches: number;
  multicastSent: number;
  multicastForwarded: number;
  multicastDropped: number;
  messagesDelivered: number;
  messagesReceived: number;
  /** Cells this node sent for routing (seeks, route information, circuits, multicast). */
  routingCells: number;
}

export function newCounters(): RoutingCounters {
  return {
    seeksSent: 0,
    seeksReceived: 0,
    seeksForwarded: 0,
    seeksDropped: 0,
    seeksAnswered: 0,
    routeInfoForwarded: 0,
    routeInfoDropped: 0,
    circuitsCreated: 0,
    onionsRejected: 0,
    cellsRelayed: 0,
    cellsDropped: 0,
    backtracks: 0,
    switches: 0,
    multicastSent: 0,
    multicastForwarded: 0,
    multicastDropped: 0,
    messagesDelivered: 0,
    messagesReceived: 0,
    routingCells: 0,
  };
}

/**
 * What a relay legitimately sees of route seeks, reported as it happens. Only experiments set it
 * (colluding relays in the anonymity experiment); a node never needs it.
 */
export interface RelayObserver {
  /** `ttl` as the seek arrived (what a relay reads from it). */
  onSeek?(seekId: string, fromNeighbour: string, at: number, ttl: number): void;
  /** A relay cell arrived from the proxy's side on a circuit this relay carries (`circuit` names it), whether for it or to pass on. */
  onForwardCell?(circuit: object, previousHop: string, at: number): void;
  /** This relay passed route information for `seekId` back toward its proxy. */
  onRouteInfoPassed?(seekId: string, at: number): void;
}

/**
 * A colluding relay's modified code: it may rewrite a seek or route information before passing it
 * on. Only the simulator's attackers set it (docs/threat-model.md); a node never does.
 */
export interface RelayTamper {
  forwardSeek?(seek: RouteSeek, fromNeighbour: string): RouteSeek;
  forwardRouteInfo?(info: RouteInfo, fromNeighbour: string, toNeighbour: string): RouteInfo;
}

export interface RoutingContext {
  runtime: Runtime;
  identity: NodeIdentity;
  overlay: Overlay;
  /** The CRL in force (the node's). */
  crl(): RevocationList | undefined;
  logger: Logger;
  config: RoutingConfig;
  events: RoutingEvents;
  circuits: CircuitTable<CircuitOwner>;
  replay: ReplayCache;
  rpKeys: ReturnPathKeys;
  counters: RoutingCounters;
  observer: RelayObserver | undefined;
  tamper: RelayTamper | undefined;
  epoch(): number;
  /** How long this node has been running. */
  uptimeMs(): number;
  /** Own addresses, newest first (BOUNDED); the destination tries their keys on CREATE. */
  recentAddresses(): OwnAddress[];
  /** The own address whose ID is `id`, if any. */
  addressFor(id: Uint8Array): OwnAddress | undefined;
  sendCell(link: Link, circId: number, command: number, payload: Uint8Array): void;
  /** Sends a routing link message (route seek, route information, multicast) on one or more links. */
  sendMessage(links: Link | readonly Link[], command: number, body: Uint8Array): void;
}

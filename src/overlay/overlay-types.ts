/**
 * The overlay's configuration and the shapes its parts share (docs/protocol.md §5): a neighbour,
 * a refusal, the routing layer's hooks, and what the node hands the overlay.
 */
import type { Runtime } from '../runtime/runtime.js';
import type { NodeIdentity, RevocationList } from '../identity/types.js';
import type { Cell } from '../wire/cell.js';
import type { TokumeiError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Link, LinkConfig } from '../link/link.js';
import type { SignedDescriptor } from './descriptor.js';
import type { PeerTable } from './peer-table.js';

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

/** The overlay's counters, shared by its parts and reported in the node's status. */
export interface OverlayCounters {
  dials: number;
  dialFailures: number;
  refusals: number;
  protocolErrors: number;
  descriptorsAccepted: number;
  descriptorsRejected: number;
  crlsAdopted: number;
  linksShed: number;
}

/** What the overlay's parts share: the node's context, the neighbour table, known peers, counters. */
export interface OverlayState {
  readonly ctx: OverlayContext;
  readonly neighbours: Map<string, Neighbour>; // BOUNDED(maxDegree + inboundSlack)
  readonly known: PeerTable;
  readonly counters: OverlayCounters;
  /** Counts a refusal and hands it to the node (its log and status). */
  refused(remoteAddress: string, error: TokumeiError, peerId?: string): void;
}

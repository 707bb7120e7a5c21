/**
 * The node's state as the control API and `tokumei status --json` report it.
 */
export interface NeighbourStatus {
  /** The neighbour's member serial (hex), authenticated by its passport. */
  id: string;
  /** Its listening address (from its signed descriptor), or the remote socket address. */
  address: string;
  direction: 'inbound' | 'outbound';
  /** Smoothed round-trip time of keep-alive pings, ms (null before the first pong). */
  rttMs: number | null;
  /** How long this link has been up, ms. */
  linkUptimeMs: number;
  /** How long the neighbour says it has been running, ms (from its descriptor). */
  uptimeMs: number | null;
  /** Cells per second received from it over the last window. */
  loadCellsPerSec: number;
  /** The neighbour's own reported degree (from its descriptor). */
  degree: number | null;
}

export interface RefusalRecord {
  at: number;
  remoteAddress: string;
  code: string;
  message: string;
  peerId?: string;
}

export interface NodeStatus {
  id: string;
  address: string;
  startedAt: number;
  uptimeMs: number;
  degree: { current: number; min: number; max: number };
  neighbours: NeighbourStatus[];
  /** Descriptors of other members this node knows (bounded table). */
  knownPeers: number;
  crlNumber: number;
  /** Most recent refusals (bounded ring). */
  refusals: RefusalRecord[];
  counters: Record<string, number>;
  /** The services this node hosts (src/node/service.ts), in order: the dashboard shows their views. */
  services: string[];
  /** What each service that reports itself says (its `status()`), by name. */
  serviceStatus: Record<string, unknown>;
}

/**
 * Routing constants (docs/protocol.md §6). The simulator's experiments vary some of them.
 */
export interface RoutingConfig {
  /** Copies of one seek a node forwards (flood copy cap). */
  seekCopyCap: number;
  /** Independent seeks sent (through different first hops) when a route is needed: each has its
   * own stem, so the proxy gets routes that do not share their first relays. */
  seekFanout: number;
  /** Send seeks through a stem (false: the proxy floods to every neighbour at once). */
  seekStem: boolean;
  /** Hop budget a seek keeps once it is in the flood (bounds the flood's radius). */
  floodHops: number;
  /** Probability a stem hop switches to the flood. */
  stemFluffProbability: number;
  /** Route-info answers a destination sends per seek. */
  answersPerSeek: number;
  /** How long the proxy collects answers after the first one. */
  collectMs: number;
  seekTimeoutMs: number;
  /** Route seeks a neighbour may send per second, and its burst. */
  seekRate: number;
  seekBurst: number;
  minRelays: number;
  /** Alternative suffixes per relay (A). */
  alternatives: number;
  /** Whole routes the proxy keeps as its own alternatives. */
  proxyRoutes: number;
  buildTimeoutMs: number;
  /** Retransmission timeout floor for end-to-end chunks. */
  minRtoMs: number;
  /** How long a message may take before send() gives up. */
  messageDeadlineMs: number;
  /** Try backtracking (false = the fixed-route strategy of Tor-like networks: re-seek only). */
  backtracking: boolean;
  /** Fall back to multicast when every route is gone. */
  multicastFallback: boolean;
  multicastTtl: number;
  circuitIdleMs: number;
  /** Serve this node's addresses through introduction relays (§6.10) instead of answering seeks itself. */
  introductions: boolean;
}

export const DEFAULT_ROUTING_CONFIG: RoutingConfig = {
  seekCopyCap: 1,
  seekFanout: 2,
  seekStem: true,
  floodHops: 12,
  stemFluffProbability: 0.35,
  answersPerSeek: 4,
  collectMs: 2_000,
  seekTimeoutMs: 10_000,
  seekRate: 5,
  seekBurst: 20,
  minRelays: 3,
  alternatives: 2,
  proxyRoutes: 3,
  buildTimeoutMs: 10_000,
  minRtoMs: 1_000,
  messageDeadlineMs: 120_000,
  backtracking: true,
  multicastFallback: true,
  multicastTtl: 10,
  circuitIdleMs: 10 * 60_000,
  introductions: false,
};

/** Epochs are 10-minute windows (docs/protocol.md §6). */
export const EPOCH_MS = 600_000;
export function epochOf(ms: number): number {
  return Math.floor(ms / EPOCH_MS);
}

/**
 * tokumei's public API: what the CLI, the demo, the simulator and embedders use.
 */
export { TokumeiNode, type NodeOptions } from './node/node.js';
export type { NodeComponents, NodeService, ServiceFactory, ServiceHost, ServiceMap } from './node/service.js';
export { createTestnet, type Testnet, type TestnetOptions } from './node/testnet.js';
export type { NodeStatus, NeighbourStatus, RefusalRecord } from './node/status.js';
export type { Runtime, Clock, Random, Net, TransportConnection, LinkCredentials } from './runtime/runtime.js';
export { createRealRuntime } from './runtime/real/real-runtime.js';
export { SimNetwork } from './runtime/sim/sim-runtime.js';
export { SeededRandom } from './runtime/sim/prng.js';
export { TokumeiError, LinkRefusal, retrying, type ErrorKind, type RetryTime } from './errors.js';
export { createLogger, createMemoryLogger, type Logger } from './log.js';
export { DEFAULT_OVERLAY_CONFIG, type OverlayConfig } from './overlay/overlay-types.js';
export { DEFAULT_LINK_CONFIG, type LinkConfig } from './link/link.js';
export { CELL_SIZE, CELL_PAYLOAD_SIZE } from './wire/cell.js';
export { Router, type RoutingStatus } from './routing/router.js';
export type { RouteStrategy, SendOutcome } from './routing/proxy/conversation.js';
export { DEFAULT_ROUTING_CONFIG, type RoutingConfig } from './routing/core/routing-config.js';
export { MAX_SEEK_TTL } from './routing/formats/route-seek.js';

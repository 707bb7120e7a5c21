/**
 * What a node hosts besides its links, overlay and routing: services (a board replica, the board
 * client, the health roles, a trustee's or an authority's role in openings, …). The node knows no
 * application: each one exports a `ServiceFactory` from its own folder, and whoever starts a node
 * (the node command, `createTestnet`, the demo, a test) composes them by name. After js-libp2p's
 * `services` map: every factory gets the same components, and every service the same life
 * (started in the order given, stopped in reverse).
 */
import type { NodeIdentity, RevocationList } from '../identity/types.js';
import type { Logger } from '../log.js';
import type { Router } from '../routing/router.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Router as ControlRouter } from '../control/router.js';
import { NodeErrors } from './node-errors.js';

/** What every service is built from: the node's runtime, identity, routing layer and its other services. */
export interface NodeComponents {
  readonly runtime: Runtime;
  readonly identity: NodeIdentity;
  readonly logger: Logger;
  /** The routing layer: one-time addresses, served addresses, sends, requests. */
  readonly router: Router;
  /** The CRL this node enforces now. */
  crl(): RevocationList | undefined;
  /** A service composed before this one (NODE_NO_SERVICE when there is none of that name). */
  service<S extends NodeService>(name: string): S;
  /** The same, or undefined. */
  findService<S extends NodeService>(name: string): S | undefined;
}

export interface NodeService {
  /** Called once the node runs (its overlay started), in composition order. */
  start?(): void | Promise<void>;
  /** Called when the node stops, in reverse order; must not throw. */
  stop?(): void | Promise<void>;
  /** What `/api/status` shows of this service, under `serviceStatus[name]`. */
  status?(): unknown;
  /** Adds this service's control API routes (`/api/<service>/…`). */
  routes?(router: ControlRouter): void;
  /** The routing addresses (one-time or anycast) this service serves now, as text. */
  addresses?(): string[];
}

/** Anything that hosts services by name: a node, or the components a service is built from. */
export interface ServiceHost {
  service<S extends NodeService>(name: string): S;
  findService<S extends NodeService>(name: string): S | undefined;
}

/** Builds one service; it may use the components and the services composed before it. */
export type ServiceFactory<S extends NodeService = NodeService> = (components: NodeComponents) => S | Promise<S>;

/** Services by name, in the order they are built and started. */
export type ServiceMap = Record<string, ServiceFactory>;

/** BOUNDED: services one node hosts (configuration, never peer-grown). */
export const MAX_SERVICES = 32;
const SERVICE_NAME = /^[a-z][a-z0-9-]{0,31}$/;

export function checkServiceName(name: string): void {
  if (!SERVICE_NAME.test(name)) throw NodeErrors.NODE_BAD_SERVICE_NAME(`service name ${JSON.stringify(name.slice(0, 40))} must match ${SERVICE_NAME.source}`);
}

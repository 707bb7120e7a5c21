/**
 * The health application as a node service (src/node/service.ts): the member, intermediary and
 * clinic roles of health-node.ts on the node's routing layer and board client. Its control routes
 * are /api/health/… (health-api.ts).
 */
import type { NodeService, ServiceFactory, ServiceHost } from '../../node/service.js';
import type { Router as ControlRouter } from '../../control/router.js';
import { boardClientOf } from '../../board/service/board-service.js';
import { HealthNode } from './health-node.js';
import { addHealthRoutes } from './health-api.js';
import { healthControl } from './health-control.js';

export const HEALTH_SERVICE = 'health';

export interface HealthServiceOptions {
  /** NODEDIR/health: where the encrypted profile is kept; in memory when absent. */
  dataDir?: string;
  /** The member keystore's text: signing a letter of intent checks the passphrase against it. */
  keystoreText?: string;
  /** How long one exchange message waits for its answer (default 30 s). */
  requestTimeoutMs?: number;
}

export class HealthService implements NodeService {
  constructor(readonly health: HealthNode) {}

  routes(router: ControlRouter): void {
    addHealthRoutes(router, healthControl(this.health));
  }
}

/** The health service's factory, for a node's `services` map under HEALTH_SERVICE (needs the board service). */
export function healthService(o: HealthServiceOptions = {}): ServiceFactory<HealthService> {
  return (c) =>
    new HealthService(
      new HealthNode({
        router: c.router,
        board: boardClientOf(c),
        runtime: c.runtime,
        identity: c.identity,
        logger: c.logger,
        crl: () => c.crl(),
        ...(o.dataDir !== undefined ? { dataDir: o.dataDir } : {}),
        ...(o.keystoreText !== undefined ? { keystoreText: o.keystoreText } : {}),
        ...(o.requestTimeoutMs !== undefined ? { requestTimeoutMs: o.requestTimeoutMs } : {}),
      }),
    );
}

/** A node's health application (NODE_NO_SERVICE when it runs none). */
export function healthOf(node: ServiceHost): HealthNode {
  return node.service<HealthService>(HEALTH_SERVICE).health;
}

/**
 * The two roles of an emergency opening (docs/protocol.md §2.8) as node services
 * (src/node/service.ts): a trustee's (list requests on the board, approve on a human's word,
 * countersign) and an authority's (request openings and run them). Both use the node's board
 * client. Their control routes are /api/trustee/… and /api/opening/… (trustee-api.ts).
 */
import type { NodeService, ServiceFactory, ServiceHost } from '../../node/service.js';
import type { Router as ControlRouter } from '../../control/router.js';
import { boardClientOf } from '../../board/service/board-service.js';
import { OpeningService, type OpeningServiceOptions } from '../opening-service.js';
import { TrusteeService, type TrusteeServiceOptions } from '../trustee-service.js';
import { addOpeningRoutes } from './trustee-api.js';
import { openingControl, trusteeControl } from './trustee-control.js';

export const TRUSTEE_SERVICE = 'trustee';
export const AUTHORITY_SERVICE = 'authority';

/** What a trustee's node needs to take part in openings. */
export type TrusteeSetup = Omit<TrusteeServiceOptions, 'router' | 'board' | 'runtime' | 'logger'>;
/** What an authority's node needs to run openings. */
export type AuthoritySetup = Omit<OpeningServiceOptions, 'router' | 'board' | 'runtime' | 'logger'>;

export class TrusteeRole implements NodeService {
  constructor(readonly trustee: TrusteeService) {}

  stop(): void {
    this.trustee.stop();
  }

  status(): unknown {
    return { index: this.trustee.index, threshold: this.trustee.threshold, boards: this.trustee.watchedBoards() };
  }

  routes(router: ControlRouter): void {
    addOpeningRoutes(router, { trustee: trusteeControl(this.trustee) });
  }
}

export class AuthorityRole implements NodeService {
  constructor(readonly authority: OpeningService) {}

  stop(): void {
    this.authority.stop();
  }

  status(): unknown {
    return { authority: this.authority.authority.name, openings: this.authority.list().length };
  }

  routes(router: ControlRouter): void {
    addOpeningRoutes(router, { opening: openingControl(this.authority) });
  }
}

/** A trustee's role, for a node's `services` map under TRUSTEE_SERVICE (needs the board service). */
export function trusteeRole(setup: TrusteeSetup): ServiceFactory<TrusteeRole> {
  return (c) => new TrusteeRole(new TrusteeService({ ...setup, router: c.router, board: boardClientOf(c), runtime: c.runtime, logger: c.logger }));
}

/** An authority's role, for a node's `services` map under AUTHORITY_SERVICE (needs the board service). */
export function authorityRole(setup: AuthoritySetup): ServiceFactory<AuthorityRole> {
  return (c) => new AuthorityRole(new OpeningService({ ...setup, router: c.router, board: boardClientOf(c), runtime: c.runtime, logger: c.logger }));
}

/** A node's trustee role, if it has one. */
export function trusteeOf(node: ServiceHost): TrusteeService | undefined {
  return node.findService<TrusteeRole>(TRUSTEE_SERVICE)?.trustee;
}

/** A node's authority role, if it has one. */
export function authorityOf(node: ServiceHost): OpeningService | undefined {
  return node.findService<AuthorityRole>(AUTHORITY_SERVICE)?.authority;
}

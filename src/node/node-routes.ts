/**
 * The node's own control routes (status, CRL, routing) and the mounting of its services' routes.
 * The node command supplies the implementation (from a running TokumeiNode); tests supply fakes.
 */
import type { NodeStatus } from './status.js';
import { readBody } from '../control/read-body.js';
import { ControlHttpError } from '../control/http-error.js';
import { Router } from '../control/router.js';
import { addRoutingRoutes, type RoutingControl } from './routing-api.js';
import type { NodeService } from './service.js';

/** A CRL is a few KiB per thousand revocations; 1 MiB is far beyond any real community's list. */
export const MAX_CRL_BODY_BYTES = 1024 * 1024;

export interface CrlInstallResult {
  /** True when the CRL was newer than the node's and is now enforced (and flooded). */
  installed: boolean;
  /** The CRL number the node enforces after the call. */
  crlNumber: number;
}

export interface ControlApi extends RoutingControl {
  status(): NodeStatus;
  /** Parses and verifies a PEM CRL (throws a TokumeiError if it is bad), then installs it if newer. */
  installCrl(pem: string): Promise<CrlInstallResult> | CrlInstallResult;
}

/** The node's routes, then each service's, in composition order: a service's routes exist only on a node that runs it. */
export function controlRoutes(api: ControlApi, services: Iterable<Pick<NodeService, 'routes'>> = []): Router {
  const router = new Router()
    .on('GET', '/api/status', () => ({ status: 200, body: api.status() }))
    .on('POST', '/api/crl', async (req) => {
      const body = await readBody(req, MAX_CRL_BODY_BYTES);
      const pem = body.toString('utf8');
      if (!pem.includes('-----BEGIN X509 CRL-----')) {
        throw new ControlHttpError(400, 'CRL_INVALID', 'body must be a PEM CRL (-----BEGIN X509 CRL-----)');
      }
      return { status: 200, body: await api.installCrl(pem) };
    });
  addRoutingRoutes(router, api);
  for (const s of services) s.routes?.(router);
  return router;
}

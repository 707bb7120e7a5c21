/**
 * What the control API can do to a node, and its routes. The node command supplies the
 * implementation (so this folder does not depend on the node class); tests supply fakes.
 */
import type { NodeStatus } from '../node/status.js';
import { readBody } from './read-body.js';
import { ControlHttpError } from './http-error.js';
import { Router } from './router.js';
import { addRoutingRoutes, type RoutingControl } from './routing-api.js';
import { addBoardRoutes, type BoardControl } from './board-api.js';
import { addHealthRoutes, type HealthControl } from './health-api.js';
import { addOpeningRoutes, type OpeningControl, type TrusteeControl } from './trustee-api.js';

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
  /** The bulletin board (docs/protocol.md §7): its routes exist only when this is given. */
  board?: BoardControl;
  /** The health application (docs/protocol.md §8): its routes exist only when this is given. */
  health?: HealthControl;
  /** An opening trustee's endpoints (docs/protocol.md §2.8): only when the node is a trustee. */
  trustee?: TrusteeControl;
  /** An opening authority's endpoints (docs/protocol.md §2.8): only when the node is an authority. */
  opening?: OpeningControl;
}

export function controlRoutes(api: ControlApi): Router {
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
  if (api.board) addBoardRoutes(router, api.board);
  if (api.health) addHealthRoutes(router, api.health);
  if (api.trustee || api.opening) addOpeningRoutes(router, { trustee: api.trustee, opening: api.opening });
  return router;
}

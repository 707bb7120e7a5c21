/**
 * Adapts a node's opening roles (the trustee and authority services, opening-roles.ts; docs/protocol.md §2.8) to the
 * control API's `TrusteeControl` and `OpeningControl`.
 */
import type { OpeningService } from '../opening-service.js';
import type { TrusteeService } from '../trustee-service.js';
import type { OpeningControl, TrusteeControl } from './trustee-api.js';

export function trusteeControl(t: TrusteeService): TrusteeControl {
  return {
    info: async () => ({ index: t.index, threshold: t.threshold, trustees: t.trustees, authorities: [...(await t.authorities())], boards: t.watchedBoards() }),
    requests: (board) => t.requests(board),
    approve: (requestId, board) => t.approve(requestId, board),
    audits: (board) => t.audits(board),
  };
}

export function openingControl(a: OpeningService): OpeningControl {
  return {
    authority: () => a.authority,
    request: (p) => a.request(p),
    status: (requestId) => a.status(requestId),
    list: () => a.list(),
    audits: (board) => a.audits(board),
  };
}

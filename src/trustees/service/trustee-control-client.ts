/**
 * The emergency-opening endpoints of a running node's control API (trustee-api.ts), for the CLI
 * (`tokumei opening …`, `tokumei trustee …`). A call may take minutes: board searches and posts
 * over onion routes, an approval that opens every escrow share and waits for the authority.
 */
import type { AuditView } from '../opening-audits.js';
import type { OpeningStatus } from '../opening-state.js';
import type { OpeningAuthority } from '../opening-request.js';
import type { TrusteeRequestView } from '../trustee-service.js';
import { ControlClient } from '../../control/control-client.js';
import type { TrusteeInfo } from './trustee-api.js';

export const OPENING_CALL_TIMEOUT_MS = 300_000;

export class TrusteeControlClient {
  constructor(private readonly client: ControlClient) {}

  static async forNodeDir(nodeDir: string): Promise<TrusteeControlClient> {
    return new TrusteeControlClient(await ControlClient.forNodeDir(nodeDir, OPENING_CALL_TIMEOUT_MS));
  }

  info(): Promise<TrusteeInfo> {
    return this.client.call<TrusteeInfo>('GET', '/api/trustee');
  }

  async requests(board?: string): Promise<TrusteeRequestView[]> {
    return (await this.client.call<{ requests: TrusteeRequestView[] }>('GET', `/api/trustee/requests${query(board)}`)).requests;
  }

  approve(requestId: string, board?: string): Promise<TrusteeRequestView> {
    return this.postJson('/api/trustee/approve', { requestId, board });
  }

  async audits(board: string): Promise<AuditView[]> {
    return (await this.client.call<{ audits: AuditView[] }>('GET', `/api/trustee/audits${query(board)}`)).audits;
  }

  request(board: string, anonymousId: string, reason: string): Promise<OpeningStatus> {
    return this.postJson('/api/opening/request', { board, anonymousId, reason });
  }

  status(requestId: string): Promise<OpeningStatus> {
    return this.client.call<OpeningStatus>('GET', `/api/opening/${encodeURIComponent(requestId)}`);
  }

  list(): Promise<{ authority: OpeningAuthority; openings: OpeningStatus[] }> {
    return this.client.call('GET', '/api/opening');
  }

  private postJson<T>(path: string, body: object): Promise<T> {
    return this.client.call<T>('POST', path, JSON.stringify(body), 'application/json');
  }
}

function query(board: string | undefined): string {
  return board === undefined ? '' : `?board=${encodeURIComponent(board)}`;
}

/**
 * The node's own endpoints of its control API (node-routes.ts, routing-api.ts), for `tokumei
 * status`, `ca revoke --push` and the routing commands (`address`, `send`, `inbox`, `reply`,
 * `routing`). The transport is control/control-client.ts.
 */
import { base64, ControlClient, MAX_RAW_RESPONSE_BYTES } from '../control/control-client.js';
import { readControlFile } from '../control/control-file.js';
import type { RoutingStatus } from '../routing/router.js';
import type { CrlInstallResult } from './node-routes.js';
import type { InboxItem, ReplyResult, SendResult } from './routing-api.js';
import type { NodeStatus } from './status.js';

/**
 * Sends and replies wait for the end-to-end acknowledgement: a route seek, then up to the
 * routing layer's 2-minute message deadline. The node answers by then with its own timeout.
 */
export const MESSAGE_TIMEOUT_MS = 150_000;

export class NodeClient extends ControlClient {
  static override async forNodeDir(nodeDir: string, timeoutMs?: number): Promise<NodeClient> {
    return new NodeClient(await readControlFile(nodeDir), timeoutMs);
  }

  status(): Promise<NodeStatus> {
    return this.call<NodeStatus>('GET', '/api/status');
  }

  pushCrl(pem: string): Promise<CrlInstallResult> {
    return this.call<CrlInstallResult>('POST', '/api/crl', pem, 'application/pkix-crl');
  }

  async newAddress(): Promise<string> {
    return (await this.call<{ address: string }>('POST', '/api/address')).address;
  }

  send(to: string, data: Uint8Array): Promise<SendResult> {
    return this.json<SendResult>('POST', '/api/send', { body: JSON.stringify({ to, data: base64(data) }), contentType: 'application/json', timeoutMs: MESSAGE_TIMEOUT_MS });
  }

  inbox(): Promise<InboxItem[]> {
    return this.call<InboxItem[]>('GET', '/api/inbox');
  }

  /** One message's bytes. */
  inboxMessage(id: string): Promise<Buffer> {
    return this.request('GET', `/api/inbox/${encodeURIComponent(id)}`, {}, MAX_RAW_RESPONSE_BYTES);
  }

  reply(messageId: string, data: Uint8Array): Promise<ReplyResult> {
    return this.json<ReplyResult>('POST', '/api/reply', { body: JSON.stringify({ messageId, data: base64(data) }), contentType: 'application/json', timeoutMs: MESSAGE_TIMEOUT_MS });
  }

  routing(): Promise<RoutingStatus> {
    return this.call<RoutingStatus>('GET', '/api/routing');
  }
}

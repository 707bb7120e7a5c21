/**
 * Client of a running node's control API, found through NODEDIR/control.json. Used by
 * `tokumei status`, `ca revoke --push` and the routing commands (`address`, `send`, `inbox`,
 * `reply`, `routing`).
 */
import { request } from 'node:http';
import { TokumeiError } from '../errors.js';
import type { NodeStatus } from '../node/status.js';
import type { RoutingStatus } from '../routing/router.js';
import type { CrlInstallResult } from './control-api.js';
import { readControlFile, type ControlInfo } from './control-file.js';
import { kindForStatus } from './http-error.js';
import type { InboxItem, ReplyResult, SendResult } from './routing-api.js';

/** A status answer is a few KiB; refuse to buffer anything absurd from whatever listens there. */
const MAX_JSON_RESPONSE_BYTES = 8 * 1024 * 1024;
/** One message's bytes (16 MiB) and a margin. */
const MAX_RAW_RESPONSE_BYTES = 16 * 1024 * 1024 + 1024;
/**
 * Sends and replies wait for the end-to-end acknowledgement: a route seek, then up to the
 * routing layer's 2-minute message deadline. The node answers by then with its own timeout.
 */
export const MESSAGE_TIMEOUT_MS = 150_000;

interface CallOptions {
  body?: string;
  contentType?: string;
  /** Longest silence from the node, in ms (default: the client's). */
  timeoutMs?: number;
}

export class ControlClient {
  constructor(readonly info: ControlInfo, private readonly timeoutMs = 5_000) {}

  static async forNodeDir(nodeDir: string, timeoutMs?: number): Promise<ControlClient> {
    return new ControlClient(await readControlFile(nodeDir), timeoutMs);
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

  call<T>(method: string, path: string, body?: string, contentType?: string): Promise<T> {
    return this.json<T>(method, path, { body, contentType });
  }

  private async json<T>(method: string, path: string, options: CallOptions): Promise<T> {
    const raw = await this.request(method, path, options, MAX_JSON_RESPONSE_BYTES);
    try {
      return JSON.parse(raw.toString('utf8')) as T;
    } catch {
      throw new TokumeiError('protocol', 'CONTROL_BAD_RESPONSE', 'control API answered 200 with non-JSON');
    }
  }

  /** The body of a 200 answer; any other status becomes the TokumeiError its JSON error names. */
  private request(method: string, path: string, options: CallOptions, maxBytes: number): Promise<Buffer> {
    const url = new URL(path, this.info.url);
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const { body } = options;
    return new Promise<Buffer>((resolve, reject) => {
      const req = request(url, {
        method,
        headers: {
          authorization: `Bearer ${this.info.token}`,
          ...(body !== undefined ? { 'content-type': options.contentType ?? 'text/plain', 'content-length': Buffer.byteLength(body) } : {}),
        },
        timeout: timeoutMs,
      });
      req.on('timeout', () => req.destroy(new TokumeiError('timeout', 'CONTROL_TIMEOUT', `node at ${this.info.url} did not answer within ${timeoutMs} ms`)));
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e instanceof TokumeiError) return reject(e);
        if (e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET') {
          return reject(new TokumeiError('io', 'CONTROL_UNREACHABLE', `no node answers at ${this.info.url} (pid ${this.info.pid}); it has stopped or control.json is stale`));
        }
        reject(new TokumeiError('io', 'CONTROL_UNREACHABLE', `cannot reach ${this.info.url}: ${e.code ?? e.message}`));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = []; // BOUNDED(maxBytes)
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) req.destroy(new TokumeiError('protocol', 'CONTROL_BAD_RESPONSE', 'control response too large'));
          else chunks.push(c);
        });
        res.on('end', () => {
          const data = Buffer.concat(chunks);
          if (res.statusCode === 200) return resolve(data);
          reject(errorFromAnswer(res.statusCode ?? 0, data));
        });
      });
      req.end(body);
    });
  }
}

function errorFromAnswer(status: number, data: Buffer): TokumeiError {
  let json: unknown;
  try {
    json = JSON.parse(data.toString('utf8'));
  } catch {
    return new TokumeiError('protocol', 'CONTROL_BAD_RESPONSE', `control API answered ${status} with non-JSON`);
  }
  const err = (json as { error?: { code?: unknown; message?: unknown } })?.error;
  const code = typeof err?.code === 'string' ? err.code : `CONTROL_HTTP_${status}`;
  const message = typeof err?.message === 'string' ? err.message : `HTTP ${status}`;
  return new TokumeiError(kindForStatus(status), code, message);
}

function base64(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.length).toString('base64');
}

/**
 * Client of a running node's control API, found through NODEDIR/control.json. Used by
 * `tokumei status` and `tokumei ca revoke --push`.
 */
import { request } from 'node:http';
import { TokumeiError } from '../errors.js';
import type { NodeStatus } from '../node/status.js';
import type { CrlInstallResult } from './control-api.js';
import { readControlFile, type ControlInfo } from './control-file.js';

/** A status answer is a few KiB; refuse to buffer anything absurd from whatever listens there. */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

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

  call<T>(method: string, path: string, body?: string, contentType?: string): Promise<T> {
    const url = new URL(path, this.info.url);
    return new Promise<T>((resolve, reject) => {
      const req = request(url, {
        method,
        headers: {
          authorization: `Bearer ${this.info.token}`,
          ...(body !== undefined ? { 'content-type': contentType ?? 'text/plain', 'content-length': Buffer.byteLength(body) } : {}),
        },
        timeout: this.timeoutMs,
      });
      req.on('timeout', () => req.destroy(new TokumeiError('timeout', 'CONTROL_TIMEOUT', `node at ${this.info.url} did not answer within ${this.timeoutMs} ms`)));
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e instanceof TokumeiError) return reject(e);
        if (e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET') {
          return reject(new TokumeiError('io', 'CONTROL_UNREACHABLE', `no node answers at ${this.info.url} (pid ${this.info.pid}); it has stopped or control.json is stale`));
        }
        reject(new TokumeiError('io', 'CONTROL_UNREACHABLE', `cannot reach ${this.info.url}: ${e.code ?? e.message}`));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = []; // BOUNDED(MAX_RESPONSE_BYTES)
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) req.destroy(new TokumeiError('protocol', 'CONTROL_BAD_RESPONSE', 'control response too large'));
          else chunks.push(c);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            return reject(new TokumeiError('protocol', 'CONTROL_BAD_RESPONSE', `control API answered ${res.statusCode} with non-JSON`));
          }
          if (res.statusCode !== 200) {
            const err = (json as { error?: { code?: unknown; message?: unknown } })?.error;
            const code = typeof err?.code === 'string' ? err.code : `CONTROL_HTTP_${res.statusCode}`;
            const message = typeof err?.message === 'string' ? err.message : `HTTP ${res.statusCode}`;
            return reject(new TokumeiError(res.statusCode === 401 ? 'refused' : 'bad-input', code, message));
          }
          resolve(json as T);
        });
      });
      req.end(body);
    });
  }
}

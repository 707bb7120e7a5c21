/**
 * Client of a running node's control API, found through NODEDIR/control.json: the bearer token,
 * bounded answers, and the error each status and JSON error body stands for. The node's own
 * endpoints are node/node-client.ts; each service's are in its folder (board-control-client.ts, …).
 */
import { request } from 'node:http';
import { TokumeiError } from '../errors.js';
import { readControlFile, type ControlInfo } from './control-file.js';
import { kindForStatus } from './http-error.js';
import { ControlErrors } from './control-errors.js';

/** A status answer is a few KiB; refuse to buffer anything absurd from whatever listens there. */
const MAX_JSON_RESPONSE_BYTES = 8 * 1024 * 1024;
/** One message's bytes (16 MiB) and a margin. */
export const MAX_RAW_RESPONSE_BYTES = 16 * 1024 * 1024 + 1024;
export interface CallOptions {
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

  call<T>(method: string, path: string, body?: string, contentType?: string): Promise<T> {
    return this.json<T>(method, path, { body, contentType });
  }

  async json<T>(method: string, path: string, options: CallOptions): Promise<T> {
    const raw = await this.request(method, path, options, MAX_JSON_RESPONSE_BYTES);
    try {
      return JSON.parse(raw.toString('utf8')) as T;
    } catch {
      throw ControlErrors.CONTROL_BAD_RESPONSE('control API answered 200 with non-JSON');
    }
  }

  /** The body of a 200 answer; any other status becomes the TokumeiError its JSON error names. */
  request(method: string, path: string, options: CallOptions, maxBytes: number): Promise<Buffer> {
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
      req.on('timeout', () => req.destroy(ControlErrors.CONTROL_TIMEOUT(`node at ${this.info.url} did not answer within ${timeoutMs} ms`)));
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e instanceof TokumeiError) return reject(e);
        if (e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET') {
          return reject(ControlErrors.CONTROL_UNREACHABLE(`no node answers at ${this.info.url} (pid ${this.info.pid}); it has stopped or control.json is stale`));
        }
        reject(ControlErrors.CONTROL_UNREACHABLE(`cannot reach ${this.info.url}: ${e.code ?? e.message}`));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = []; // BOUNDED(maxBytes)
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) req.destroy(ControlErrors.CONTROL_BAD_RESPONSE('control response too large'));
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
    return ControlErrors.CONTROL_BAD_RESPONSE(`control API answered ${status} with non-JSON`);
  }
  const err = (json as { error?: { code?: unknown; message?: unknown } })?.error;
  const code = typeof err?.code === 'string' ? err.code : `CONTROL_HTTP_${status}`;
  const message = typeof err?.message === 'string' ? err.message : `HTTP ${status}`;
  return new TokumeiError(kindForStatus(status), code, message);
}

export function base64(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.length).toString('base64');
}

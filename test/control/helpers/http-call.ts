/** A raw HTTP call to a control server, for tests that look at status codes, headers and bodies. */
import { request } from 'node:http';
import type { ControlServer } from '../../../src/control/control-server.js';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

export interface CallOptions {
  /** null: no Authorization header; default: the server's bearer token. */
  auth?: string | null;
  body?: Buffer | string;
  /** Stream the body in pieces without a content-length. */
  chunked?: boolean;
  contentType?: string;
}

export function call(server: ControlServer, method: string, path: string, opts: CallOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (opts.auth !== null) headers.authorization = opts.auth ?? `Bearer ${server.token}`;
    if (opts.chunked) headers['transfer-encoding'] = 'chunked';
    if (opts.contentType) headers['content-type'] = opts.contentType;
    const req = request(new URL(path, server.url), { method, headers, timeout: 10_000 });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        let json: unknown;
        try {
          json = JSON.parse(body.toString('utf8'));
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      });
    });
    if (opts.body === undefined) req.end();
    else if (!opts.chunked) req.end(opts.body);
    else {
      const body = Buffer.from(opts.body);
      const piece = 64 * 1024;
      let off = 0;
      const pump = () => {
        while (off < body.length) {
          const ok = req.write(body.subarray(off, off + piece));
          off += piece;
          if (!ok) return void req.once('drain', pump);
        }
        req.end();
      };
      req.on('error', () => {}); // the server may close while we still write
      pump();
    }
  });
}

/** POSTs `value` as JSON. */
export function postJson(server: ControlServer, path: string, value: unknown): Promise<Answer> {
  return call(server, 'POST', path, { body: JSON.stringify(value), contentType: 'application/json' });
}

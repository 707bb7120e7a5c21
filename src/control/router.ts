/**
 * A small method + path router. Paths are exact strings (`/api/status`); later issues add the
 * dashboard's pages and API routes the same way. Unknown path → 404, known path with another
 * method → 405 with an `Allow` header.
 */
import type { IncomingMessage } from 'node:http';
import { ControlHttpError } from './http-error.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Reply {
  status: number;
  /** Serialised as JSON unless `contentType` says otherwise (then it must be a string or Buffer). */
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export type Handler = (req: IncomingMessage, url: URL) => Promise<Reply> | Reply;

export class Router {
  private readonly routes = new Map<string, Map<Method, Handler>>(); // fixed at start-up, not peer-grown

  on(method: Method, path: string, handler: Handler): this {
    let byMethod = this.routes.get(path);
    if (!byMethod) this.routes.set(path, (byMethod = new Map()));
    byMethod.set(method, handler);
    return this;
  }

  /** Finds the handler or throws the 404 / 405 the client should get. */
  resolve(method: string, path: string): Handler {
    const byMethod = this.routes.get(path);
    if (!byMethod) throw new ControlHttpError(404, 'CONTROL_NOT_FOUND', `no such endpoint: ${path.slice(0, 200)}`);
    const handler = byMethod.get(method as Method);
    if (!handler) {
      const allow = [...byMethod.keys()].join(', ');
      const e = new ControlHttpError(405, 'CONTROL_METHOD_NOT_ALLOWED', `${method.slice(0, 16)} not allowed on ${path}; use ${allow}`);
      (e as ControlHttpError & { allow?: string }).allow = allow;
      throw e;
    }
    return handler;
  }
}

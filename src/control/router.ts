/**
 * A small method + path router. Paths are exact strings (`/api/status`), or a prefix for routes
 * that name a resource in their last segment (`/api/inbox/` + id); later issues add the
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

/** `rest` is what follows a prefix route's prefix ('' for exact routes). */
export type Handler = (req: IncomingMessage, url: URL, rest: string) => Promise<Reply> | Reply;

export class Router {
  private readonly routes = new Map<string, Map<Method, Handler>>(); // fixed at start-up, not peer-grown
  private readonly prefixes = new Map<string, Map<Method, Handler>>(); // fixed at start-up, not peer-grown

  on(method: Method, path: string, handler: Handler): this {
    return this.add(this.routes, method, path, handler);
  }

  /** True when `method path` (an exact route) is already served. */
  has(method: Method, path: string): boolean {
    return this.routes.get(path)?.has(method) ?? false;
  }

  /** Routes every path `prefix + rest` with a non-empty `rest` holding no `/`. */
  onPrefix(method: Method, prefix: string, handler: Handler): this {
    if (!prefix.endsWith('/')) throw new Error(`route prefix ${prefix} must end with /`);
    return this.add(this.prefixes, method, prefix, handler);
  }

  private add(table: Map<string, Map<Method, Handler>>, method: Method, path: string, handler: Handler): this {
    let byMethod = table.get(path);
    if (!byMethod) table.set(path, (byMethod = new Map()));
    byMethod.set(method, handler);
    return this;
  }

  /** Finds the handler (with its `rest`) or throws the 404 / 405 the client should get. */
  resolve(method: string, path: string): (req: IncomingMessage, url: URL) => Promise<Reply> | Reply {
    let byMethod = this.routes.get(path);
    let rest = '';
    if (!byMethod) {
      const slash = path.lastIndexOf('/');
      const prefix = path.slice(0, slash + 1);
      rest = path.slice(slash + 1);
      if (rest !== '') byMethod = this.prefixes.get(prefix);
    }
    if (!byMethod) throw new ControlHttpError(404, 'CONTROL_NOT_FOUND', `no such endpoint: ${path.slice(0, 200)}`);
    const handler = byMethod.get(method as Method);
    if (!handler) {
      const allow = [...byMethod.keys()].join(', ');
      const e = new ControlHttpError(405, 'CONTROL_METHOD_NOT_ALLOWED', `${method.slice(0, 16)} not allowed on ${path.slice(0, 200)}; use ${allow}`);
      (e as ControlHttpError & { allow?: string }).allow = allow;
      throw e;
    }
    return (req, url) => handler(req, url, rest);
  }
}

/**
 * The node's control API (DESIGN §9): node:http on loopback, every request authenticated with the
 * bearer token from NODEDIR/control.json — except the dashboard's static files (dashboard-site.ts),
 * which hold no data. Responses are JSON (one message's bytes excepted);
 * errors are `{"error": {"code", "message"}}` with 400 / 401 / 404 / 405 / 409 / 413 / 500 / 502 /
 * 503 / 504.
 *
 * Timeouts bound how long a client may take to send its request (headers, then body), never how
 * long the node takes to answer: a send waits for its end-to-end acknowledgement, up to minutes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokumeiError } from '../errors.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { ControlHttpError, statusForError } from './http-error.js';
import { isLoopbackHost, type ControlAddress } from './loopback.js';
import type { Reply, Router } from './router.js';
import type { PublicSite } from './dashboard-site.js';
import { bearerMatches, newControlToken } from './token.js';
import { ControlErrors } from './control-errors.js';

/** BOUNDED: a local tool or a browser tab or two, never more. */
const MAX_CONNECTIONS = 32;
/** A 22 MB send body takes well under a second on loopback; a client slower than this is stuck. */
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface ControlServerOptions {
  listen: ControlAddress;
  router: Router;
  /** Token-free static files (the dashboard, dashboard-site.ts); every other path needs the token. */
  site?: PublicSite;
  /** Generated when absent. */
  token?: string;
  logger?: Logger;
  /** How long a client may take to send a whole request (default 30 s); headers get at most a third. */
  requestTimeoutMs?: number;
}

export interface ControlServer {
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  if (!isLoopbackHost(options.listen.host)) {
    throw ControlErrors.CONTROL_NOT_LOOPBACK(`control API must listen on loopback, not ${options.listen.host}`);
  }
  const token = options.token ?? newControlToken();
  const logger = options.logger ?? silentLogger;
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // The timeouts are enforced by a periodic sweep; check often enough that they mean what they say.
  const server = createServer({ connectionsCheckingInterval: Math.min(1_000, Math.max(50, requestTimeout / 4)) }, (req, res) => {
    void handle(req, res, options.router, token, logger, options.site);
  });
  server.maxConnections = MAX_CONNECTIONS;
  server.headersTimeout = Math.ceil(requestTimeout / 3);
  server.requestTimeout = requestTimeout;
  // No idle timeout on a socket whose request is in: the answer may be minutes away.
  server.timeout = 0;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(ControlErrors.CONTROL_LISTEN_FAILED(`control API cannot listen on ${options.listen.host}:${options.listen.port}: ${e.code ?? e.message}`)),
    );
    server.listen(options.listen.port, options.listen.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    token,
    close: () => closeServer(server),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, router: Router, token: string, logger: Logger, site?: PublicSite): Promise<void> {
  let reply: Reply;
  try {
    // The dashboard's files hold no data: served without the token, matched on the raw path.
    const file = site ? await site.serve(req.method ?? 'GET', req.url ?? '/') : undefined;
    if (file) return send(req, res, file);
    const url = new URL(req.url ?? '/', 'http://control.invalid');
    // Authenticate before routing so that an unauthenticated caller learns nothing, not even which paths exist.
    if (!bearerMatches(req.headers.authorization, token)) {
      throw new ControlHttpError(401, 'CONTROL_UNAUTHORIZED', 'missing or wrong bearer token (see NODEDIR/control.json)');
    }
    reply = await router.resolve(req.method ?? 'GET', url.pathname)(req, url);
  } catch (e) {
    reply = errorReply(e);
    if (reply.status >= 500) logger.log('error', 'control.error', { path: req.url?.slice(0, 200), error: String(e) });
  }
  send(req, res, reply);
}

function errorReply(e: unknown): Reply {
  if (e instanceof ControlHttpError) {
    const allow = (e as ControlHttpError & { allow?: string }).allow;
    return { status: e.status, body: { error: { code: e.code, message: e.message } }, headers: allow ? { allow } : undefined };
  }
  if (e instanceof TokumeiError) return { status: statusForError(e), body: { error: { code: e.code, message: e.message } } };
  return { status: 500, body: { error: { code: 'CONTROL_INTERNAL', message: 'internal error' } } };
}

function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  const isRaw = reply.contentType !== undefined;
  const payload = isRaw ? (reply.body as string | Buffer) : JSON.stringify(reply.body) + '\n';
  res.statusCode = reply.status;
  res.setHeader('content-type', reply.contentType ?? 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-content-type-options', 'nosniff');
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  // A refused upload may still be streaming in; do not keep reading it.
  if (reply.status === 413 || !req.complete) res.setHeader('connection', 'close');
  res.end(payload);
  if (!req.complete) req.resume();
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

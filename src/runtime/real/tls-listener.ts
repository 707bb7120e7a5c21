/**
 * Accepting TLS 1.3 links: mutual authentication against the community CA, a bound on
 * handshakes in progress, and every refused handshake reported with its LinkRefusal code.
 */
import type { Socket } from 'node:net';
import * as tls from 'node:tls';
import { LinkRefusal, TokumeiError } from '../../errors.js';
import { formatAddress, parseAddress } from '../address.js';
import type { Listener, ListenOptions } from '../runtime.js';
import { TlsConnection } from './tls-connection.js';
import { checkCredentials, exportChannelBinding, TLS_VERSION } from './tls-settings.js';
import { linkError, mapHandshakeError, refusalForVerifyCode, TransportFailure } from '../transport-errors.js';

export interface TlsListenConfig {
  handshakeTimeoutMs: number;
  maxPending: number;
  maxWriteBufferBytes: number;
}

export async function listenTls(listenOptions: ListenOptions, config: TlsListenConfig): Promise<Listener> {
  const { handshakeTimeoutMs, maxPending, maxWriteBufferBytes } = config;
  const { host, port } = parseAddress(listenOptions.address);
  const { credentials, onConnection, onHandshakeFailure } = listenOptions;
  checkCredentials(credentials);
  let server: tls.Server;
  try {
    server = tls.createServer({
      ...TLS_VERSION,
      ca: [credentials.caPem],
      cert: credentials.passportPem,
      key: credentials.keyPem,
      requestCert: true,
      rejectUnauthorized: true,
      handshakeTimeout: handshakeTimeoutMs,
      noDelay: true,
    });
  } catch (error) {
    throw new TokumeiError('bad-input', TransportFailure.BAD_CREDENTIALS,
      `listener credentials rejected by OpenSSL: ${(error as Error).message}`, { cause: error });
  }

  // BOUNDED(maxPendingHandshakes): raw sockets whose handshake has not finished.
  const pending = new Map<string, Socket>();
  // BOUNDED(maxPendingHandshakes): names of raw sockets, to report failed handshakes by address.
  const rawNames = new WeakMap<object, string>();
  // UNBOUNDED: accepted links; each one is a peer that passed mutual authentication, and the
  // link layer above bounds how many it keeps.
  const live = new Set<TlsConnection>();
  let closing = false;

  const report = (remoteAddress: string, error: Error): void => {
    onHandshakeFailure?.({ remoteAddress, error });
  };

  server.on('connection', (raw: Socket) => {
    const name = formatAddress(raw.remoteAddress ?? 'unknown', raw.remotePort ?? 0);
    if (closing || pending.size >= maxPending) {
      raw.destroy();
      report(name, linkError(LinkRefusal.FLOODING, `accept ${name}: ${pending.size} handshakes already pending`));
      return;
    }
    rawNames.set(raw, name);
    pending.set(name, raw);
    raw.once('close', () => {
      if (pending.get(name) === raw) pending.delete(name);
    });
  });

  server.on('tlsClientError', (error: Error, socket: tls.TLSSocket) => {
    if (closing) return; // our own close() dropped it
    // Node keeps the raw socket in `_parent`; it is the only way back to the peer's address
    // once the TLS socket is destroyed. Best effort: fall back to what the TLS socket knows.
    const raw = (socket as unknown as { _parent?: object })._parent;
    if (raw && !rawNames.has(raw)) return; // shed by the pending bound, already reported
    const name = (raw && rawNames.get(raw)) ?? formatAddress(socket.remoteAddress ?? 'unknown', socket.remotePort ?? 0);
    // A client passport that fails verification is dropped by Node without an alert; the
    // reason is left in authorizationError.
    const verified = refusalForVerifyCode(String(socket.authorizationError ?? ''));
    report(name, verified ? linkError(verified, `accept ${name} (${String(socket.authorizationError)})`, error)
      : mapHandshakeError(error, `accept ${name}`));
  });

  server.on('secureConnection', (socket: tls.TLSSocket) => {
    const name = formatAddress(socket.remoteAddress ?? 'unknown', socket.remotePort ?? 0);
    pending.delete(name);
    const peer = socket.getPeerCertificate();
    if (closing || !socket.authorized || !peer?.raw) {
      socket.destroy();
      return;
    }
    const conn = new TlsConnection({
      socket,
      initiator: false,
      remoteAddress: name,
      peerPassportDer: new Uint8Array(peer.raw),
      channelBinding: exportChannelBinding(socket),
      maxWriteBufferBytes,
    });
    live.add(conn);
    socket.once('close', () => live.delete(conn));
    onConnection(conn);
  });

  await new Promise<void>((resolve, reject) => {
    const onListenError = (error: NodeJS.ErrnoException): void => {
      const code = error.code === 'EADDRINUSE' ? TransportFailure.ADDRESS_IN_USE : TransportFailure.LISTEN_FAILED;
      reject(new TokumeiError('io', code, `listen ${listenOptions.address}: ${error.code ?? error.message}`, { cause: error }));
    };
    server.once('error', onListenError);
    server.listen(port, host, () => {
      server.off('error', onListenError);
      resolve();
    });
  });
  // Errors after listening (e.g. EMFILE on accept) must not crash the process.
  server.on('error', () => undefined);

  const bound = server.address();
  const address = bound && typeof bound === 'object' ? formatAddress(bound.address, bound.port) : listenOptions.address;
  let closed: Promise<void> | undefined;
  return {
    address,
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        for (const raw of pending.values()) raw.destroy();
        pending.clear();
        for (const conn of live) conn.destroy();
        live.clear();
      });
      return closed;
    },
  };
}

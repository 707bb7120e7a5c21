/**
 * Dialling a TLS 1.3 link. TLS 1.3 note: the client's handshake is finished before the server has
 * looked at the client's passport, so a refused dialler would first see a "connected" socket that
 * closes at once. A dial therefore resolves only when the server's first NewSessionTicket
 * (RFC 8446 §4.6.1) arrives: Node's server sends it after it has accepted our passport, and sends
 * nothing but a close when it refuses (then the dial rejects with LINK_HANDSHAKE_FAILED, since
 * the server says no more than that). A server that sends no ticket costs one `acceptGraceMs`.
 */
import * as tls from 'node:tls';
import { LinkRefusal, TokumeiError } from '../../errors.js';
import { formatAddress, parseAddress } from '../address.js';
import type { LinkCredentials, TransportConnection } from '../runtime.js';
import { TlsConnection } from './tls-connection.js';
import { exportChannelBinding, TLS_VERSION } from './tls-settings.js';
import { linkError, mapHandshakeError, refusalForVerifyCode } from '../transport-errors.js';

export interface TlsDialConfig {
  secureContext: (credentials: LinkCredentials) => tls.SecureContext;
  maxWriteBufferBytes: number;
  acceptGraceMs: number;
}

export async function dialTls(address: string, credentials: LinkCredentials, timeoutMs: number, config: TlsDialConfig): Promise<TransportConnection> {
  const { host, port } = parseAddress(address);
  const context = config.secureContext(credentials);
  const { acceptGraceMs, maxWriteBufferBytes } = config;
  const remoteAddress = formatAddress(host, port);
  return new Promise<TransportConnection>((resolve, reject) => {
    const detail = `dial ${remoteAddress}`;
    let done = false;
    let graceTimer: NodeJS.Timeout | undefined;
    let socket: tls.TLSSocket;
    try {
      socket = tls.connect({
        host,
        port,
        ...TLS_VERSION,
        secureContext: context,
        // We check `authorized` ourselves on secureConnect, before any byte is read or written:
        // Node's own rejection destroys the socket so abruptly (RST) that the listener never
        // reads our passport and cannot log why it would have refused us.
        rejectUnauthorized: false,
        // The passport serial is the identity; it is checked above this layer, not a host name.
        checkServerIdentity: () => undefined,
      });
    } catch (error) {
      reject(mapHandshakeError(error, detail));
      return;
    }
    socket.setNoDelay(true); // cells are small and latency-bound; they are coalesced by cork
    const deadline = setTimeout(() => fail(linkError(LinkRefusal.TIMEOUT, `${detail} (over ${timeoutMs} ms)`)), timeoutMs);

    const onError = (error: Error): void => fail(mapHandshakeError(error, detail));
    const onClose = (): void => fail(new TokumeiError('refused', LinkRefusal.HANDSHAKE_FAILED,
      `${detail}: the peer closed the link right after the TLS handshake; it probably refused our passport ` +
      '(expired, not yet valid, revoked or issued by another CA)'));
    socket.on('error', onError);
    socket.once('close', onClose);

    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate();
      if (!socket.authorized || !peer?.raw) {
        const verifyCode = String(socket.authorizationError ?? 'no certificate');
        const code = refusalForVerifyCode(verifyCode) ?? (peer?.raw ? LinkRefusal.BAD_PASSPORT : LinkRefusal.NO_CERTIFICATE);
        fail(linkError(code, `${detail} (${verifyCode})`), true);
        return;
      }
      graceTimer = setTimeout(accept, Math.max(0, Math.min(acceptGraceMs, timeoutMs)));
      socket.once('session', accept);
    });

    function accept(): void {
      if (done || socket.destroyed) return;
      done = true;
      const peer = socket.getPeerCertificate();
      // The connection adds its own error listener before ours goes (see cleanup).
      const conn = new TlsConnection({
        socket,
        initiator: true,
        remoteAddress,
        peerPassportDer: new Uint8Array(peer.raw),
        channelBinding: exportChannelBinding(socket),
        maxWriteBufferBytes,
      });
      cleanup();
      resolve(conn);
    }

    /** `graceful`: close with close_notify + FIN so the listener still reads our passport. */
    function fail(error: TokumeiError, graceful = false): void {
      if (done) return;
      done = true;
      cleanup();
      socket.on('error', () => undefined); // late errors on a dead dial are not news
      if (graceful) {
        socket.end();
        setTimeout(() => socket.destroy(), 1_000).unref();
      } else {
        socket.destroy();
      }
      reject(error);
    }

    function cleanup(): void {
      clearTimeout(deadline);
      if (graceTimer) clearTimeout(graceTimer);
      socket.off('close', onClose);
      socket.off('session', accept);
      socket.off('error', onError);
    }
  });
}

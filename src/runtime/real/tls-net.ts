/**
 * The real link transport (DESIGN §5): TLS 1.3 over TCP with mutual passport authentication, the
 * community CA as the only trust anchor. Identity (the passport serial), CRL and challenge are
 * checked above this layer; here TLS proves the chain and gives a channel binding
 * (tls-settings.ts). Dialling: tls-dial.ts; accepting: tls-listener.ts; a live link:
 * tls-connection.ts.
 */
import * as tls from 'node:tls';
import { TokumeiError } from '../../errors.js';
import type { LinkCredentials, Net } from '../runtime.js';
import { DEFAULT_MAX_WRITE_BUFFER } from './tls-connection.js';
import { dialTls } from './tls-dial.js';
import { listenTls } from './tls-listener.js';
import { checkCredentials, TLS_VERSION, type TlsNetOptions } from './tls-settings.js';
import { TransportFailure } from '../transport-errors.js';


export function createTlsNet(options: TlsNetOptions = {}): Net {
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
  const maxPending = options.maxPendingHandshakes ?? 64;
  const maxWriteBufferBytes = options.maxWriteBufferBytes ?? DEFAULT_MAX_WRITE_BUFFER;
  const acceptGraceMs = options.acceptGraceMs ?? 250;
  // UNBOUNDED: keyed by the credentials objects this process owns (one per identity), weakly held.
  const contexts = new WeakMap<LinkCredentials, tls.SecureContext>();

  function secureContext(credentials: LinkCredentials): tls.SecureContext {
    let context = contexts.get(credentials);
    if (!context) {
      checkCredentials(credentials);
      try {
        context = tls.createSecureContext({
          ...TLS_VERSION,
          ca: [credentials.caPem],
          cert: credentials.passportPem,
          key: credentials.keyPem,
        });
      } catch (error) {
        throw new TokumeiError('bad-input', TransportFailure.BAD_CREDENTIALS,
          `link credentials rejected by OpenSSL: ${(error as Error).message}`, { cause: error });
      }
      contexts.set(credentials, context);
    }
    return context;
  }

  return {
    dial: (address, credentials, timeoutMs = handshakeTimeoutMs) =>
      dialTls(address, credentials, timeoutMs, { secureContext, maxWriteBufferBytes, acceptGraceMs }),
    listen: (listenOptions) => listenTls(listenOptions, { handshakeTimeoutMs, maxPending, maxWriteBufferBytes }),
  };
}

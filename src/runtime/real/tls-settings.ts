/** What the real link transport's parts share: TLS version pinning, the channel binding, checks. */
import type * as tls from 'node:tls';
import { TokumeiError } from '../../errors.js';
import type { LinkCredentials } from '../runtime.js';
import { TransportFailure } from '../transport-errors.js';

/** RFC 8446 §7.5 exporter label for the link challenge's channel binding. */
export const CHANNEL_BINDING_LABEL = 'EXPORTER-tokumei-link-v1';
export const CHANNEL_BINDING_BYTES = 32;

/** TLS 1.3 only: both ends pin it. */
export const TLS_VERSION = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' } as const;

export interface TlsNetOptions {
  /** Default handshake time limit for dials and for inbound handshakes (10 s). */
  handshakeTimeoutMs?: number;
  /** BOUNDED(64): inbound connections still in their handshake; excess ones are dropped at once. */
  maxPendingHandshakes?: number;
  /** BOUNDED(4 MiB) per link: see TlsConnection. */
  maxWriteBufferBytes?: number;
  /** How long a dial waits for the server's session ticket after its own handshake (250 ms). */
  acceptGraceMs?: number;
}

/** RFC 8446 §7.5: in TLS 1.3 an absent and an empty exporter context are the same. */
export function exportChannelBinding(socket: tls.TLSSocket): Uint8Array {
  return new Uint8Array(socket.exportKeyingMaterial(CHANNEL_BINDING_BYTES, CHANNEL_BINDING_LABEL, Buffer.alloc(0)));
}

export function checkCredentials(credentials: LinkCredentials): void {
  const ok = credentials && typeof credentials.passportPem === 'string' && typeof credentials.keyPem === 'string' &&
    typeof credentials.caPem === 'string' && credentials.passportPem && credentials.keyPem && credentials.caPem;
  if (!ok) throw new TokumeiError('bad-input', TransportFailure.BAD_CREDENTIALS, 'link credentials need passportPem, keyPem and caPem');
}

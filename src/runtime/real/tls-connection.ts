/**
 * One established TLS 1.3 link seen as a TransportConnection: write coalescing, the write-buffer
 * bound, and a single onClose carrying the mapped reason.
 */
import type { TLSSocket } from 'node:tls';
import { TokumeiError } from '../../errors.js';
import type { TransportConnection } from '../runtime.js';
import { mapLinkError, TransportFailure } from '../transport-errors.js';
import { RuntimeErrors } from '../runtime-errors.js';

/** BOUNDED(4 MiB): a peer that lets this much pile up in our write buffer is not reading. */
export const DEFAULT_MAX_WRITE_BUFFER = 4 * 1024 * 1024;
/** How long close() waits for queued bytes to leave before it destroys the socket. */
const LINGER_MS = 5_000;

export interface TlsConnectionInit {
  socket: TLSSocket;
  initiator: boolean;
  remoteAddress: string;
  peerPassportDer: Uint8Array;
  channelBinding: Uint8Array;
  maxWriteBufferBytes?: number;
}

export class TlsConnection implements TransportConnection {
  readonly remoteAddress: string;
  readonly initiator: boolean;
  readonly peerPassportDer: Uint8Array;
  readonly channelBinding: Uint8Array;
  private readonly socket: TLSSocket;
  private readonly maxWriteBuffer: number;
  private corked = false;
  private closed = false;
  private closeError: Error | undefined;
  private closeHandler: ((error?: Error) => void) | undefined;
  private dataHandlerSet = false;
  private closeReported = false;

  constructor(init: TlsConnectionInit) {
    this.socket = init.socket;
    this.initiator = init.initiator;
    this.remoteAddress = init.remoteAddress;
    this.peerPassportDer = init.peerPassportDer;
    this.channelBinding = init.channelBinding;
    this.maxWriteBuffer = init.maxWriteBufferBytes ?? DEFAULT_MAX_WRITE_BUFFER;
    this.socket.on('error', (error) => {
      this.closeError ??= mapLinkError(error, `link ${this.remoteAddress}`);
    });
    this.socket.once('close', () => {
      this.closed = true;
      this.reportClose();
    });
    if (this.socket.destroyed) this.closed = true;
  }

  send(data: Uint8Array): void {
    if (this.closed || this.socket.destroyed || !this.socket.writable) return;
    // Cells written in one turn of the event loop leave as one TLS record: cork now, uncork once
    // the current callback and its promise continuations are done.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(this.uncork);
    }
    this.socket.write(Buffer.from(data)); // a copy: the caller may reuse its buffer
    if (this.socket.writableLength > this.maxWriteBuffer) {
      this.fail(new TokumeiError('io', TransportFailure.STALLED,
        `link ${this.remoteAddress}: peer is not reading (over ${this.maxWriteBuffer} bytes queued)`));
    }
  }

  private readonly uncork = (): void => {
    this.corked = false;
    if (!this.socket.destroyed) this.socket.uncork();
  };

  onData(handler: (data: Uint8Array) => void): void {
    if (this.dataHandlerSet) throw handlerSetTwice('onData');
    this.dataHandlerSet = true;
    // Until now the socket was paused, so unread bytes stayed in TCP (backpressure, no buffer here).
    this.socket.on('data', (chunk: Buffer) => {
      handler(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
  }

  onClose(handler: (error?: Error) => void): void {
    if (this.closeHandler) throw handlerSetTwice('onClose');
    this.closeHandler = handler;
    if (this.closed) process.nextTick(() => this.reportClose());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // close_notify + FIN once queued bytes are written, then the socket goes; a peer that does
    // not take them gets LINGER_MS, then a plain destroy.
    if (this.corked) this.uncork();
    this.socket.destroySoon();
    setTimeout(() => this.socket.destroy(), LINGER_MS).unref();
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private fail(error: Error): void {
    this.closeError ??= error;
    this.closed = true;
    this.socket.destroy();
  }

  private reportClose(): void {
    if (this.closeReported || !this.closeHandler || !this.socket.destroyed) return;
    this.closeReported = true;
    this.closeHandler(this.closeError);
  }
}

function handlerSetTwice(what: string): TokumeiError {
  return RuntimeErrors.RUNTIME_HANDLER_SET_TWICE(`${what} handler may be set only once`);
}

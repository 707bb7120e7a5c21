/**
 * The injected runtime (DESIGN §3, sans-I/O rule). Protocol code never touches node:net, node:tls,
 * timers or Math.random directly; it asks a `Runtime`. The real runtime wraps node:tls and the
 * event loop; the simulated runtime runs the same code on virtual time over in-memory links.
 */

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the Unix epoch (virtual in the simulator). */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Runs `fn` every `ms` milliseconds until cancelled. */
  setInterval(fn: () => void, ms: number): TimerHandle;
}

export interface Random {
  /** `n` random bytes (cryptographically strong in the real runtime; seeded in the simulator). */
  bytes(n: number): Uint8Array;
  /** A uniform integer in [0, max). */
  int(max: number): number;
  /** A uniform float in [0, 1). */
  float(): number;
}

/**
 * What a node presents on a link: its passport (X.509, PEM), the passport's private key (PKCS#8
 * PEM) and the community CA certificate (PEM), the only trust anchor.
 */
export interface LinkCredentials {
  passportPem: string;
  keyPem: string;
  caPem: string;
}

/**
 * One authenticated, ordered, reliable byte pipe between two nodes: a TLS 1.3 connection in the
 * real runtime, an in-memory pipe in the simulator. The peer's passport has been presented (and,
 * in the real runtime, chain-verified by TLS against the CA); the link layer still checks it
 * against the CRL and the passport profile, and runs the challenge bound to `channelBinding`.
 */
export interface TransportConnection {
  /** `host:port` of the other end as this side sees it. */
  readonly remoteAddress: string;
  /** True when this side dialled. */
  readonly initiator: boolean;
  /** DER of the certificate the peer presented. */
  readonly peerPassportDer: Uint8Array;
  /**
   * 32 bytes both ends share and nobody else knows: the TLS keying-material exporter
   * (RFC 8446 §7.5, label "EXPORTER-tokumei-link-v1") in the real runtime; a fresh random value
   * per pipe in the simulator.
   */
  readonly channelBinding: Uint8Array;
  /** Queues bytes; never throws once closed (the bytes are dropped). */
  send(data: Uint8Array): void;
  /** Bytes arrive in order, in chunks of any size. Set once. */
  onData(handler: (data: Uint8Array) => void): void;
  /** Called once when the pipe is gone, with the reason if it failed. Set once. */
  onClose(handler: (error?: Error) => void): void;
  close(): void;
  /** Drops the connection without a goodbye (RST); tests use it. */
  destroy(): void;
}

export interface Listener {
  /** The `host:port` actually bound (the port is chosen when 0 was asked). */
  readonly address: string;
  close(): Promise<void>;
}

/** A refused inbound or outbound connection attempt, reported before any TransportConnection. */
export interface HandshakeFailure {
  remoteAddress: string;
  error: Error;
}

export interface ListenOptions {
  address: string; // host:port, port 0 = any
  credentials: LinkCredentials;
  onConnection: (conn: TransportConnection) => void;
  /** Inbound TLS handshakes that fail (no certificate, other CA, expired…) end up here. */
  onHandshakeFailure?: (failure: HandshakeFailure) => void;
}

export interface Net {
  listen(options: ListenOptions): Promise<Listener>;
  /** Rejects with a TokumeiError (`LINK_*` code) when the handshake fails or the peer is gone. */
  dial(address: string, credentials: LinkCredentials, timeoutMs?: number): Promise<TransportConnection>;
}

export interface Runtime {
  readonly clock: Clock;
  readonly random: Random;
  readonly net: Net;
}

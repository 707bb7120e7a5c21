/**
 * A link: one authenticated neighbour connection carrying fixed-size cells (DESIGN §5,
 * docs/protocol.md §3–4). It owns a TransportConnection, checks the peer's passport (CA, validity,
 * CRL), runs the challenge, then delivers link messages (reassembled) and circuit cells upward,
 * keeps the link alive with PING/PONG cells (measuring round-trip time), and rate-limits what the
 * neighbour sends: a neighbour that floods is first throttled (cells dropped), then dropped.
 */
import type { Runtime, TimerHandle, TransportConnection } from '../runtime/runtime.js';
import type { NodeIdentity, Passport, RevocationList } from '../identity/types.js';
import { verifyPassport } from '../identity/passport.js';
import { CellFramer, Command, MessageAssembler, decodeCell, encodeCell, fragmentMessage, type Cell } from '../wire/cell.js';
import { Reader, Writer } from '../wire/codec.js';
import { LinkRefusal, TokumeiError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { LinkHandshake } from './handshake.js';
import { TokenBucket } from './token-bucket.js';
import { LinkErrors } from './link-errors.js';

export interface LinkConfig {
  handshakeTimeoutMs: number;
  keepaliveMs: number;
  /** A link that hears nothing for this long is dead. */
  idleTimeoutMs: number;
  /** Largest reassembled link message. BOUNDED. */
  maxMessageBytes: number;
  /** Inbound cells per second a neighbour may send, and the burst it may save up. */
  cellRate: number;
  cellBurst: number;
  /** Cells dropped by the rate limit within `floodWindowMs` before the link is dropped. */
  floodDropLimit: number;
  floodWindowMs: number;
  /** Weight of a new RTT sample in the moving average. */
  rttAlpha: number;
}

export const DEFAULT_LINK_CONFIG: LinkConfig = {
  handshakeTimeoutMs: 10_000,
  keepaliveMs: 5_000,
  idleTimeoutMs: 20_000,
  maxMessageBytes: 64 * 1024,
  cellRate: 5_000,
  cellBurst: 10_000,
  floodDropLimit: 2_000,
  floodWindowMs: 10_000,
  rttAlpha: 0.25,
};

export interface LinkContext {
  runtime: Runtime;
  identity: NodeIdentity;
  /** The CRL in force now (read at handshake time). */
  crl: () => RevocationList | undefined;
  logger: Logger;
  config: LinkConfig;
}

export interface LinkEvents {
  /** The challenge succeeded: the peer is an authenticated member. */
  onEstablished(link: Link): void;
  /** A whole link message (command ≥ DESCRIPTOR). */
  onMessage(link: Link, command: number, body: Uint8Array): void;
  /** A cell with circ_id ≠ 0, for the routing layer. */
  onCircuitCell?(link: Link, cell: Cell): void;
  /** The link is gone; `error` says why (undefined for an orderly close). Called once. */
  onClose(link: Link, error: TokumeiError | undefined): void;
}

type State = 'handshaking' | 'open' | 'closed';

const CLOSE_REASON_MAX = 200;

export class Link {
  readonly initiator: boolean;
  readonly remoteAddress: string;
  /** The peer's verified passport (set before the handshake starts). */
  peer: Passport | undefined;
  state: State = 'handshaking';
  establishedAt = 0;
  rttMs: number | null = null;
  cellsIn = 0;
  cellsOut = 0;
  droppedByRateLimit = 0;

  private readonly framer = new CellFramer();
  private readonly assembler: MessageAssembler;
  private handshake: LinkHandshake | undefined;
  private readonly bucket: TokenBucket;
  private timers: TimerHandle[] = [];
  private lastHeard: number;
  private pingSentAt = 0;
  private pingNonce = 0;
  private floodDrops: number[] = []; // BOUNDED(floodDropLimit): timestamps of recent drops
  private loadWindow: { at: number; cells: number }[] = []; // BOUNDED(12): 5 s samples

  constructor(
    private readonly ctx: LinkContext,
    private readonly conn: TransportConnection,
    private readonly events: LinkEvents,
  ) {
    this.initiator = conn.initiator;
    this.remoteAddress = conn.remoteAddress;
    this.assembler = new MessageAssembler(ctx.config.maxMessageBytes);
    const now = ctx.runtime.clock.now();
    this.bucket = new TokenBucket(ctx.config.cellRate, ctx.config.cellBurst, now);
    this.lastHeard = now;
  }

  /** Checks the passport and starts the challenge. Closes the link (with reason) on refusal. */
  start(): void {
    const { ctx, conn } = this;
    conn.onData((data) => this.onData(data));
    conn.onClose((error) => this.finish(error ? asLinkError(error) : undefined, false));
    try {
      const peer = verifyPassport(conn.peerPassportDer, { ca: ctx.identity.caPem, crl: ctx.crl(), now: ctx.runtime.clock.now() });
      if (peer.serial === ctx.identity.passport.serial) throw new TokumeiError('refused', LinkRefusal.SELF, 'connected to itself');
      this.peer = peer;
      this.handshake = new LinkHandshake({
        identity: ctx.identity,
        peer,
        initiator: conn.initiator,
        channelBinding: conn.channelBinding,
        nonce: ctx.runtime.random.bytes(32),
      });
    } catch (e) {
      this.fail(e);
      return;
    }
    this.timers.push(
      ctx.runtime.clock.setTimeout(() => {
        if (this.state === 'handshaking') this.fail(new TokumeiError('refused', LinkRefusal.TIMEOUT, 'link handshake timed out'));
      }, ctx.config.handshakeTimeoutMs),
    );
    this.writeCells(this.handshake.start());
  }

  get peerId(): string | undefined {
    return this.peer?.serial;
  }

  /** Cells per second received over the last minute. */
  get loadCellsPerSec(): number {
    const now = this.ctx.runtime.clock.now();
    const first = this.loadWindow[0];
    if (!first) return 0;
    const span = Math.max(1, now - first.at) / 1000;
    return Math.round((this.cellsIn - first.cells) / span);
  }

  /** Sends one link message (fragmented into cells). */
  sendMessage(command: number, body: Uint8Array): void {
    if (this.state !== 'open') return;
    this.writeCells(fragmentMessage(command, body));
  }

  /**
   * Sends a link message already encoded by `encodeMessage` — a flood sends the same cells on
   * many links. The cells are not modified afterwards.
   */
  sendEncoded(cells: readonly Uint8Array[]): void {
    if (this.state !== 'open') return;
    for (const c of cells) {
      this.conn.send(c);
      this.cellsOut++;
    }
  }

  /** Sends one circuit cell (routing layer). */
  sendCircuitCell(cell: Cell): void {
    if (this.state !== 'open') return;
    if (cell.circId === 0) throw LinkErrors.LINK_BAD_CELL('circuit cells need circ_id ≠ 0');
    this.writeCells([cell]);
  }

  /** Closes with a reason the peer is told in a CLOSE cell. */
  close(reason?: TokumeiError): void {
    if (this.state === 'closed') return;
    const text = reason ? `${reason.code} ${reason.message}`.slice(0, CLOSE_REASON_MAX) : 'bye';
    this.writeCells([{ circId: 0, command: Command.CLOSE, flags: 0, payload: new TextEncoder().encode(text) }]);
    this.finish(reason, true);
  }

  private fail(e: unknown): void {
    let error = asLinkError(e);
    // During the challenge, anything but a proper answer (garbage, a wrong cell) is a failed
    // challenge: the peer has a valid passport but did not prove it holds its keys.
    if (this.state === 'handshaking' && this.handshake && error.kind !== 'refused' && error.kind !== 'timeout') {
      error = new TokumeiError('refused', LinkRefusal.CHALLENGE_FAILED, `challenge failed: ${error.code}: ${error.message}`, { cause: error });
    }
    this.close(error);
  }

  private writeCells(cells: Cell[]): void {
    for (const cell of cells) {
      this.conn.send(encodeCell(cell));
      this.cellsOut++;
    }
  }

  private onData(data: Uint8Array): void {
    if (this.state === 'closed') return;
    try {
      this.framer.push(data, (bytes) => {
        if (this.state !== 'closed') this.onCellBytes(bytes);
      });
    } catch (e) {
      this.fail(e);
    }
  }

  private onCellBytes(bytes: Uint8Array): void {
    const now = this.ctx.runtime.clock.now();
    this.lastHeard = now;
    this.cellsIn++;
    if (!this.bucket.take(now)) {
      this.droppedByRateLimit++;
      this.floodDrops.push(now);
      while (this.floodDrops.length > 0 && this.floodDrops[0]! < now - this.ctx.config.floodWindowMs) this.floodDrops.shift();
      if (this.floodDrops.length >= this.ctx.config.floodDropLimit) {
        this.fail(new TokumeiError('refused', LinkRefusal.FLOODING, `neighbour sent over ${this.ctx.config.cellRate} cells/s for too long`));
      }
      return;
    }
    const cell = decodeCell(bytes);
    if (cell.command === Command.CLOSE && cell.circId === 0) {
      const reason = new TextDecoder().decode(cell.payload.subarray(0, CLOSE_REASON_MAX)).replace(/[^\x20-\x7e]/g, '?');
      this.finish(LinkErrors.LINK_CLOSED_BY_PEER(`peer closed the link: ${reason}`), true);
      return;
    }
    if (this.state === 'handshaking') {
      this.writeCells(this.handshake!.receive(cell));
      if (this.handshake!.established) this.open();
      return;
    }
    if (cell.circId !== 0) {
      this.events.onCircuitCell?.(this, cell);
      return;
    }
    switch (cell.command) {
      case Command.PADDING:
        return;
      case Command.PING:
        this.writeCells([{ circId: 0, command: Command.PONG, flags: 0, payload: cell.payload.slice(0, 8) }]);
        return;
      case Command.PONG:
        this.onPong(cell.payload);
        return;
      case Command.CHALLENGE:
      case Command.AUTHENTICATE:
        throw LinkErrors.LINK_UNEXPECTED_CELL('handshake cell on an open link');
    }
    const message = this.assembler.push(cell);
    if (message) this.events.onMessage(this, message.command, message.body);
  }

  private open(): void {
    const { ctx } = this;
    this.state = 'open';
    this.handshake = undefined;
    this.establishedAt = ctx.runtime.clock.now();
    this.timers.push(ctx.runtime.clock.setInterval(() => this.tick(), ctx.config.keepaliveMs));
    this.ping();
    this.events.onEstablished(this);
  }

  private tick(): void {
    const now = this.ctx.runtime.clock.now();
    if (now - this.lastHeard > this.ctx.config.idleTimeoutMs) {
      this.fail(new TokumeiError('timeout', LinkRefusal.TIMEOUT, `nothing heard for ${now - this.lastHeard} ms`));
      return;
    }
    this.loadWindow.push({ at: now, cells: this.cellsIn });
    if (this.loadWindow.length > 12) this.loadWindow.shift();
    this.ping();
  }

  private ping(): void {
    this.pingNonce = (this.pingNonce + 1) >>> 0;
    this.pingSentAt = this.ctx.runtime.clock.now();
    this.writeCells([{ circId: 0, command: Command.PING, flags: 0, payload: new Writer().u32(this.pingNonce).u32(0).finish() }]);
  }

  private onPong(payload: Uint8Array): void {
    const r = new Reader(payload);
    if (r.remaining < 8 || r.u32() !== this.pingNonce || this.pingSentAt === 0) return; // stale or unsolicited
    const sample = this.ctx.runtime.clock.now() - this.pingSentAt;
    this.pingSentAt = 0;
    const a = this.ctx.config.rttAlpha;
    this.rttMs = this.rttMs === null ? sample : Math.round((1 - a) * this.rttMs + a * sample);
  }

  private finish(error: TokumeiError | undefined, closeTransport: boolean): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    for (const t of this.timers) t.cancel();
    this.timers = [];
    if (closeTransport) this.conn.close();
    // Our refusals before the link opened are logged by the node, which sees every kind of them;
    // a peer refusing *us* is worth a warning here, with the reason it gave.
    if (error) {
      const refusedByPeer = !wasOpen && error.code === 'LINK_CLOSED_BY_PEER';
      const level = wasOpen ? 'info' : refusedByPeer ? 'warn' : 'debug';
      const event = wasOpen ? 'link.closed' : refusedByPeer ? 'link.refused-by-peer' : 'link.failed';
      this.ctx.logger.log(level, event, { peer: this.remoteAddress, id: this.peer?.serial, code: error.code, reason: error.message });
    }
    this.events.onClose(this, error);
  }
}

function asLinkError(e: unknown): TokumeiError {
  if (e instanceof TokumeiError) return e;
  return LinkErrors.LINK_IO(describeError(e), { cause: e });
}

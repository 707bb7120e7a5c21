/**
 * The destination's side (docs/protocol.md §6.8): circuits that end here, the end-to-end sessions
 * senders opened to this node's one-time addresses, the inbox, and answers — back along the
 * circuit while it stands, else to the sender's reply address. The destination never learns who
 * the sender is: it holds only the sender's one-time reply address.
 */
import { toHex } from '../../crypto/bytes.js';
import { describeError } from '../../errors.js';
import { acceptSession } from '../end-to-end/e2e.js';
import { RelayCommand } from '../formats/relay-body.js';
import type { DeliveryHandler, RelayCircuit } from '../relay/relay-circuit.js';

/**
 * A way back to the sender that a message came on: a circuit ending here, or one spliced to us at
 * an introduction relay (introductions.ts).
 */
export interface InboundPath {
  readonly isOpen: boolean;
  sendBackward(cmd: number, data: Uint8Array): void;
  /** A per-route key for rate limits: the neighbour the circuit came from, or the splice. */
  readonly previousHopId: string;
  knownPeers(): string[];
}
import type { OwnAddress, RoutingContext } from '../relay/routing-context.js';
import { Session, decodeEnvelope, encodeEnvelope, type ChunkKind, type Envelope } from '../end-to-end/session.js';
import { CHUNK_BYTES, MULTICAST_MAX_MESSAGE } from '../end-to-end/e2e-limits.js';
import { decodeAddress } from '../formats/one-time-address.js';
import { RoutingErrors } from '../core/routing-errors.js';

/** BOUNDED: inbound sessions kept (least recently active goes first). */
const MAX_SESSIONS = 1_024;

interface InboundSession {
  session: Session;
  address: OwnAddress;
  circuit: InboundPath | undefined;
  replyAddress: string | undefined;
  lastActive: number;
  lastVia: 'circuit' | 'multicast';
  lastHop: string;
}

/** A whole message that reached one of our addresses, with what is needed to answer it. */
export interface Delivery {
  address: OwnAddress;
  bytes: Uint8Array;
  /** The inbound session (hex): the key to answer on. */
  session: string;
  via: 'circuit' | 'multicast';
  /** The neighbour the message came from (the route's last relay): a per-route rate-limit key. */
  previousHop: string;
}

export interface DestinationHooks {
  multicast(id: Uint8Array, kind: ChunkKind, envelope: Uint8Array): void;
  /** A whole message arrived (the router puts it in the inbox or hands it to a service). */
  deliver(delivery: Delivery): void;
  /** Sends a whole message to an address over a fresh route (a later reply). */
  sendTo(address: string, bytes: Uint8Array): Promise<unknown>;
}

export class Destination implements DeliveryHandler {
  private readonly sessions = new Map<string, InboundSession>(); // BOUNDED(MAX_SESSIONS)

  constructor(
    private readonly ctx: RoutingContext,
    private readonly hooks: DestinationHooks,
  ) {}

  get sessionCount(): number {
    return this.sessions.size;
  }

  onCircuitBuilt(circuit: RelayCircuit): void {
    circuit.sendBackward(RelayCommand.BUILT, new Uint8Array(0));
  }

  onCircuitData(circuit: RelayCircuit, cmd: number, data: Uint8Array): void {
    if (cmd !== RelayCommand.DATA && cmd !== RelayCommand.ACK) {
      this.ctx.counters.cellsDropped++;
      return;
    }
    this.onEnvelope(circuit.address!, cmd === RelayCommand.DATA ? 'data' : 'ack', data, circuit);
  }

  /** An envelope that reached one of our addresses through an introduction relay. */
  onSpliced(address: OwnAddress, cmd: number, data: Uint8Array, path: InboundPath): void {
    if (cmd !== RelayCommand.DATA && cmd !== RelayCommand.ACK) {
      this.ctx.counters.cellsDropped++;
      return;
    }
    this.onEnvelope(address, cmd === RelayCommand.DATA ? 'data' : 'ack', data, path);
  }

  onCircuitGone(circuit: InboundPath): void {
    for (const s of this.sessions.values()) if (s.circuit === circuit) s.circuit = undefined;
  }

  /** An envelope that reached one of our addresses by multicast. */
  onMulticast(address: OwnAddress, kind: ChunkKind, data: Uint8Array, from: string): void {
    this.onEnvelope(address, kind, data, undefined, from);
  }

  private onEnvelope(address: OwnAddress, kind: ChunkKind, data: Uint8Array, circuit: InboundPath | undefined, from?: string): void {
    try {
      const env = decodeEnvelope(data);
      const s = this.sessionFor(address, env);
      if (!s) {
        this.ctx.counters.cellsDropped++;
        return;
      }
      s.lastActive = this.ctx.runtime.clock.now();
      s.lastVia = circuit ? 'circuit' : 'multicast';
      s.lastHop = (circuit ? circuit.previousHopId : from) ?? 'unknown';
      if (circuit) s.circuit = circuit;
      if (kind === 'data') s.session.onData(env.sealed);
      else s.session.onAck(env.sealed);
    } catch (e) {
      this.ctx.counters.cellsDropped++;
      this.ctx.logger.log('debug', 'routing.bad-envelope', { reason: describeError(e) });
    }
  }

  private sessionFor(address: OwnAddress, env: Envelope): InboundSession | undefined {
    const key = toHex(env.sessionId);
    const existing = this.sessions.get(key);
    if (existing) {
      if (existing.address !== address) return undefined; // a session belongs to one address
      this.sessions.delete(key);
      this.sessions.set(key, existing); // most recently used last
      return existing;
    }
    if (!env.ephemeral) return undefined;
    const keys = acceptSession(address.privateKey, env.sessionId, env.ephemeral);
    let replyAddress: string | undefined;
    if (env.replyAddress) {
      try {
        decodeAddress(env.replyAddress);
        replyAddress = env.replyAddress;
      } catch {
        replyAddress = undefined;
      }
    }
    const s: InboundSession = {
      address,
      circuit: undefined,
      replyAddress,
      lastActive: this.ctx.runtime.clock.now(),
      lastVia: 'circuit',
      lastHop: 'unknown',
      session: undefined as unknown as Session,
    };
    s.session = new Session({
      runtime: this.ctx.runtime,
      keys: { send: keys.toSender, receive: keys.toDest },
      chunkBytes: CHUNK_BYTES,
      minRtoMs: this.ctx.config.minRtoMs,
      deadlineMs: this.ctx.config.messageDeadlineMs,
      transmit: (kind, sealed, messageBytes) => this.transmit(s, env.sessionId, kind, sealed, messageBytes),
      onMessage: (_msgNo, bytes) => {
        this.ctx.counters.messagesReceived++;
        this.hooks.deliver({ address, bytes, session: key, via: s.lastVia, previousHop: s.lastHop });
      },
    });
    this.sessions.set(key, s);
    if (this.sessions.size > MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value!;
      this.sessions.get(oldest)?.session.close(new Error('session evicted'));
      this.sessions.delete(oldest);
    }
    return s;
  }

  private transmit(s: InboundSession, sessionId: Uint8Array, kind: ChunkKind, sealed: Uint8Array, messageBytes: number): boolean {
    const env = encodeEnvelope({ sessionId, sealed });
    if (s.circuit?.isOpen) {
      s.circuit.sendBackward(kind === 'data' ? RelayCommand.DATA : RelayCommand.ACK, env);
      return true;
    }
    // An anycast address (a board every replica answers) speaks only along the circuit: another
    // replica holds the same session keys, so two answers by multicast could share a nonce.
    if (s.address.anycast) return false;
    if (s.replyAddress && this.ctx.config.multicastFallback && messageBytes <= MULTICAST_MAX_MESSAGE) {
      this.hooks.multicast(decodeAddress(s.replyAddress).id, kind, env);
      return true;
    }
    return false;
  }

  /** Answers a received message: along its circuit if it stands, else to the reply address. */
  async reply(session: string, bytes: Uint8Array): Promise<{ via: 'circuit' | 'new-route' }> {
    const s = this.sessions.get(session);
    if (s?.circuit?.isOpen) {
      await s.session.send(bytes);
      this.ctx.counters.messagesDelivered++;
      return { via: 'circuit' };
    }
    if (s?.address.anycast) throw RoutingErrors.CIRCUIT_GONE('the circuit this request came on is gone');
    const replyAddress = s?.replyAddress;
    if (!replyAddress) throw RoutingErrors.NO_REPLY_ADDRESS('the sender left no reply address and its circuit is gone');
    await this.hooks.sendTo(replyAddress, bytes);
    return { via: 'new-route' };
  }

  /** The reply address a sender left with an inbound session (what a curious destination holds). */
  replyAddressOf(session: string): string | undefined {
    return this.sessions.get(session)?.replyAddress;
  }

  /** Member serials this node's destination state holds (for audits). */
  knownPeers(): string[] {
    const out: string[] = [];
    for (const s of this.sessions.values()) if (s.circuit) out.push(...s.circuit.knownPeers());
    return out;
  }
}

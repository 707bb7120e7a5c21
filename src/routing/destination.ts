/**
 * The destination's side (docs/protocol.md §6.8): circuits that end here, the end-to-end sessions
 * senders opened to this node's one-time addresses, the inbox, and answers — back along the
 * circuit while it stands, else to the sender's reply address. The destination never learns who
 * the sender is: it holds only the sender's one-time reply address.
 */
import { toHex } from '../crypto/bytes.js';
import { TokumeiError, describeError } from '../errors.js';
import { acceptSession } from './e2e.js';
import type { Inbox, InboxEntry } from './inbox.js';
import { RelayCommand } from './relay-crypto.js';
import type { DeliveryHandler, RelayCircuit } from './relay-circuit.js';
import type { OwnAddress, RoutingContext } from './routing-context.js';
import { Session, decodeEnvelope, encodeEnvelope, type ChunkKind, type Envelope } from './session.js';
import { CHUNK_BYTES } from './conversation.js';
import { decodeAddress } from './one-time-address.js';

/** BOUNDED: inbound sessions kept (least recently active goes first). */
const MAX_SESSIONS = 1_024;

interface InboundSession {
  session: Session;
  address: OwnAddress;
  circuit: RelayCircuit | undefined;
  replyAddress: string | undefined;
  lastActive: number;
  lastVia: 'circuit' | 'multicast';
}

export interface DestinationHooks {
  multicast(id: Uint8Array, kind: ChunkKind, envelope: Uint8Array): void;
  /** Sends a whole message to an address over a fresh route (a later reply). */
  sendTo(address: string, bytes: Uint8Array): Promise<unknown>;
}

export class Destination implements DeliveryHandler {
  private readonly sessions = new Map<string, InboundSession>(); // BOUNDED(MAX_SESSIONS)

  constructor(
    private readonly ctx: RoutingContext,
    private readonly inbox: Inbox,
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

  onCircuitGone(circuit: RelayCircuit): void {
    for (const s of this.sessions.values()) if (s.circuit === circuit) s.circuit = undefined;
  }

  /** An envelope that reached one of our addresses by multicast. */
  onMulticast(address: OwnAddress, kind: ChunkKind, data: Uint8Array): void {
    this.onEnvelope(address, kind, data, undefined);
  }

  private onEnvelope(address: OwnAddress, kind: ChunkKind, data: Uint8Array, circuit: RelayCircuit | undefined): void {
    try {
      const env = decodeEnvelope(data);
      const s = this.sessionFor(address, env);
      if (!s) {
        this.ctx.counters.cellsDropped++;
        return;
      }
      s.lastActive = this.ctx.runtime.clock.now();
      s.lastVia = circuit ? 'circuit' : 'multicast';
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
      session: undefined as unknown as Session,
    };
    s.session = new Session({
      runtime: this.ctx.runtime,
      keys: { send: keys.toSender, receive: keys.toDest },
      chunkBytes: CHUNK_BYTES,
      minRtoMs: this.ctx.config.minRtoMs,
      deadlineMs: this.ctx.config.messageDeadlineMs,
      transmit: (kind, sealed) => this.transmit(s, env.sessionId, kind, sealed),
      onMessage: (_msgNo, bytes) => {
        this.ctx.counters.messagesReceived++;
        const entry = this.inbox.add({ bytes, receivedAt: this.ctx.runtime.clock.now(), kind: address.purpose === 'reply' ? 'reply' : 'message', session: key, via: s.lastVia });
        this.ctx.events.add('received', { id: entry.id, bytes: bytes.length, via: s.lastVia });
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

  private transmit(s: InboundSession, sessionId: Uint8Array, kind: ChunkKind, sealed: Uint8Array): boolean {
    const env = encodeEnvelope({ sessionId, sealed });
    if (s.circuit?.isOpen) {
      s.circuit.sendBackward(kind === 'data' ? RelayCommand.DATA : RelayCommand.ACK, env);
      return true;
    }
    if (s.replyAddress && this.ctx.config.multicastFallback) {
      this.hooks.multicast(decodeAddress(s.replyAddress).id, kind, env);
      return true;
    }
    return false;
  }

  /** Answers a received message: along its circuit if it stands, else to the reply address. */
  async reply(entry: InboxEntry, bytes: Uint8Array): Promise<{ via: 'circuit' | 'new-route' }> {
    const s = this.sessions.get(entry.session);
    if (s?.circuit?.isOpen) {
      await s.session.send(bytes);
      this.ctx.counters.messagesDelivered++;
      return { via: 'circuit' };
    }
    const replyAddress = s?.replyAddress;
    if (!replyAddress) throw new TokumeiError('refused', 'NO_REPLY_ADDRESS', 'the sender left no reply address and its circuit is gone');
    await this.hooks.sendTo(replyAddress, bytes);
    return { via: 'new-route' };
  }

  /** Member serials this node's destination state holds (for audits). */
  knownPeers(): string[] {
    const out: string[] = [];
    for (const s of this.sessions.values()) if (s.circuit) out.push(...s.circuit.knownPeers());
    return out;
  }
}

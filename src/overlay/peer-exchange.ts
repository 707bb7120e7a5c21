/**
 * Trading known peers with neighbours (docs/protocol.md §5.4): PEERS_REQUEST asks a neighbour for
 * signed descriptors, PEERS carries them. A neighbour is served at most once per
 * `peersRequestMinIntervalMs`; each descriptor received is checked before it enters the table.
 */
import { Command } from '../wire/cell.js';
import { describeError } from '../errors.js';
import { openDescriptor, peekDescriptor } from './descriptor.js';
import { MAX_PEERS_PER_MESSAGE, decodePeers, decodePeersRequest, encodePeers, encodePeersRequest } from './messages.js';
import type { Neighbour, OverlayState } from './overlay-types.js';

export class PeerExchange {
  private lastPeersRequest = 0;

  constructor(private readonly state: OverlayState) {}

  /** When the last PEERS_REQUEST went out (ms). */
  get lastRequestAt(): number {
    return this.lastPeersRequest;
  }

  /** What checking a descriptor needs now: the CA, the CRL, the clock and the age limits. */
  checkOptions() {
    const { ctx } = this.state;
    const now = ctx.runtime.clock.now();
    return { caPem: ctx.identity.caPem, crl: ctx.crl(), now, maxAgeMs: ctx.config.descriptorMaxAgeMs, maxSkewMs: ctx.config.maxClockSkewMs };
  }

  /** Asks `n` for peers (a newcomer under its minimum degree does so as soon as a link is up). */
  ask(n: Neighbour): void {
    n.link.sendMessage(Command.PEERS_REQUEST, encodePeersRequest(MAX_PEERS_PER_MESSAGE));
  }

  /** Asks one random neighbour for peers. */
  askRandom(now: number): void {
    const list = [...this.state.neighbours.values()];
    const n = list[this.state.ctx.runtime.random.int(list.length)];
    if (!n) return;
    this.lastPeersRequest = now;
    this.ask(n);
  }

  onPeersRequest(n: Neighbour, body: Uint8Array): void {
    const max = decodePeersRequest(body);
    const now = this.state.ctx.runtime.clock.now();
    if (now - n.lastPeersServed < this.state.ctx.config.peersRequestMinIntervalMs) return; // rate-limited: ignore
    n.lastPeersServed = now;
    this.send(n, max);
  }

  /** Sends `n` up to `max` descriptors of peers that answered us, never its own. */
  send(n: Neighbour, max: number): void {
    const entries = this.state.known
      .sample(max, this.state.ctx.runtime.random, (p) => p.signed.descriptor.id !== n.id && p.failures === 0)
      .map((p) => p.signed.bytes);
    if (entries.length > 0) n.link.sendMessage(Command.PEERS, encodePeers(entries));
  }

  onPeers(n: Neighbour, body: Uint8Array): void {
    const { known, counters, ctx } = this.state;
    const entries = decodePeers(body);
    const check = this.checkOptions();
    const me = ctx.identity.passport.serial;
    for (const bytes of entries) {
      try {
        // Cheap look first: most gossip repeats what we already hold.
        const claimed = peekDescriptor(bytes);
        if (claimed.id === me) continue;
        const existing = known.get(claimed.id);
        if (existing && existing.signed.descriptor.issuedAt >= claimed.issuedAt) continue;
        const signed = openDescriptor(bytes, check);
        known.upsert(signed, check.now);
        counters.descriptorsAccepted++;
      } catch (e) {
        // A stale or revoked entry is not the neighbour's fault; count it and go on.
        counters.descriptorsRejected++;
        ctx.logger.log('debug', 'overlay.descriptor-rejected', { from: n.id, reason: describeError(e) });
      }
    }
  }
}

/**
 * Keeping the degree between its bounds (docs/protocol.md §5.3): every tick, dial known peers (or
 * the preference file when they ran dry) while under `minDegree`, shed links above `maxDegree`,
 * and ask a neighbour for peers now and then — often while there is nobody left to dial.
 */

import type { SignedDescriptor } from './descriptor.js';
import type { Dialer } from './dialer.js';
import { MAX_PEERS_PER_MESSAGE } from './messages.js';
import type { OverlayState } from './overlay-types.js';
import type { PeerExchange } from './peer-exchange.js';
import { OverlayErrors } from './overlay-errors.js';

/** Stale descriptors and expired bans are swept this often (not every tick: tables are large). */
const PRUNE_EVERY_MS = 10_000;

export class DegreeMaintenance {
  private lastPrune = 0;

  constructor(
    private readonly state: OverlayState,
    private readonly dialer: Dialer,
    private readonly peers: PeerExchange,
  ) {}

  tick(): void {
    const { neighbours, known, ctx } = this.state;
    const { config } = ctx;
    const now = ctx.runtime.clock.now();
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      known.prune(now, config.descriptorMaxAgeMs);
      this.dialer.pruneBans(now);
    }

    const want = config.minDegree - neighbours.size - this.dialer.inFlight;
    if (want > 0) this.dialMore(Math.min(want, config.maxConcurrentDials - this.dialer.inFlight), now);

    if (neighbours.size > config.maxDegree) this.shed(neighbours.size - config.maxDegree);

    // Ask a neighbour for peers now and then; often while we know too few to reach the minimum.
    const hungry = neighbours.size < config.minDegree && this.candidateCount(now) === 0;
    const interval = hungry ? Math.min(2_000, config.peersRequestMs) : config.peersRequestMs;
    if (neighbours.size > 0 && now - this.peers.lastRequestAt >= interval) this.peers.askRandom(now);
  }

  private candidateCount(now: number): number {
    let n = 0;
    for (const p of this.state.known.values()) if (this.isCandidate(p.signed, p.retryAt, now)) n++;
    return n;
  }

  private isCandidate(s: SignedDescriptor, retryAt: number, now: number): boolean {
    const d = s.descriptor;
    const dialer = this.dialer;
    return (
      d.id !== this.state.ctx.identity.passport.serial &&
      !this.state.neighbours.has(d.id) &&
      !dialer.isBanned(d.id) &&
      !dialer.isDialing(d.address) &&
      !dialer.isSelf(d.address) &&
      retryAt <= now &&
      !dialer.addressBlocked(d.address, now)
    );
  }

  private connectedAddresses(): Set<string> {
    const out = new Set<string>();
    for (const n of this.state.neighbours.values()) {
      out.add(n.address);
      if (n.descriptor) out.add(n.descriptor.descriptor.address);
    }
    return out;
  }

  private dialMore(count: number, now: number): void {
    if (count <= 0) return;
    const { known, ctx } = this.state;
    const dialer = this.dialer;
    const picks = known.sample(count, ctx.runtime.random, (p) => this.isCandidate(p.signed, p.retryAt, now));
    const targets = picks.map((p) => ({ address: p.signed.descriptor.address, id: p.signed.descriptor.id as string | undefined }));
    if (targets.length < count) {
      // Fall back to the preference file: needed at start, and when the known table ran dry.
      const connected = this.connectedAddresses();
      for (const address of ctx.preferences) {
        if (targets.length >= count) break;
        if (connected.has(address) || dialer.isDialing(address) || dialer.isSelf(address) || dialer.addressBlocked(address, now)) continue;
        if (targets.some((t) => t.address === address)) continue;
        targets.push({ address, id: undefined });
      }
    }
    for (const t of targets) dialer.dial(t.address, t.id);
  }

  private shed(count: number): void {
    // Shed the newest inbound links first: they are the likeliest to find other neighbours, and
    // we hand them peers before closing.
    const victims = [...this.state.neighbours.values()]
      .sort((a, b) => (a.direction === b.direction ? b.link.establishedAt - a.link.establishedAt : a.direction === 'inbound' ? -1 : 1))
      .slice(0, count);
    for (const v of victims) {
      this.peers.send(v, MAX_PEERS_PER_MESSAGE);
      this.state.counters.linksShed++;
      v.link.close(OverlayErrors.LINK_SHED('degree above maximum'));
    }
  }
}

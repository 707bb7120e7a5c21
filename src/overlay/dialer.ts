/**
 * Dialling known peers (docs/protocol.md §5.3): at most a few dials at once, exponential back-off
 * per address and per known peer after a failure, a ban list for neighbours that flooded, and the
 * addresses that turned out to be our own.
 */
import type { TransportConnection } from '../runtime/runtime.js';
import { LinkRefusal, TokumeiError, describeError } from '../errors.js';
import type { OverlayState } from './overlay-types.js';

interface AddressBackoff {
  failures: number;
  retryAt: number;
}

export class Dialer {
  private readonly dialing = new Set<string>(); // BOUNDED(maxConcurrentDials)
  private readonly addressBackoff = new Map<string, AddressBackoff>(); // BOUNDED(banCapacity)
  private readonly banned = new Map<string, number>(); // BOUNDED(banCapacity): id → until
  private readonly selfAddresses = new Set<string>(); // BOUNDED: addresses that led back to us

  constructor(
    private readonly state: OverlayState,
    private readonly onConnected: (conn: TransportConnection, address: string, expectedId: string | undefined) => void,
    private readonly isStopped: () => boolean,
  ) {
    this.selfAddresses.add(state.ctx.address);
  }

  get inFlight(): number {
    return this.dialing.size;
  }

  isDialing(address: string): boolean {
    return this.dialing.has(address);
  }

  isSelf(address: string): boolean {
    return this.selfAddresses.has(address);
  }

  /** A link to `address` was refused as our own (LINK_SELF): never dial it again. */
  markSelf(address: string): void {
    this.selfAddresses.add(address);
  }

  isBanned(id: string): boolean {
    return this.banned.has(id);
  }

  addressBlocked(address: string, now: number): boolean {
    const b = this.addressBackoff.get(address);
    return b !== undefined && b.retryAt > now;
  }

  /** A link to `address` came up: its back-off starts again from zero. */
  succeeded(address: string): void {
    this.addressBackoff.delete(address);
  }

  dial(address: string, expectedId: string | undefined): void {
    const { runtime, identity, config, logger } = this.state.ctx;
    this.dialing.add(address);
    this.state.counters.dials++;
    const credentials = { passportPem: identity.passport.pem, keyPem: identity.signingKeyPem, caPem: identity.caPem };
    runtime.net.dial(address, credentials, config.dialTimeoutMs).then(
      (conn) => {
        this.dialing.delete(address);
        if (this.isStopped()) {
          conn.close();
          return;
        }
        this.onConnected(conn, address, expectedId);
      },
      (e: unknown) => {
        this.dialing.delete(address);
        this.state.counters.dialFailures++;
        const error = e instanceof TokumeiError ? e : new TokumeiError('io', LinkRefusal.UNREACHABLE, describeError(e));
        this.backoff(address, expectedId);
        logger.log('debug', 'overlay.dial-failed', { peer: address, code: error.code, reason: error.message });
        if (error.kind === 'refused' && error.code !== LinkRefusal.UNREACHABLE) this.state.refused(address, error, expectedId);
      },
    );
  }

  backoff(address: string, id: string | undefined): void {
    const { config } = this.state.ctx;
    const now = this.state.ctx.runtime.clock.now();
    if (id) this.state.known.markFailure(id, now, config.backoffBaseMs, config.backoffMaxMs, config.maxDialFailures);
    const b = this.addressBackoff.get(address) ?? { failures: 0, retryAt: 0 };
    b.failures++;
    b.retryAt = now + Math.min(config.backoffMaxMs, config.backoffBaseMs * 2 ** (b.failures - 1));
    this.addressBackoff.delete(address);
    this.addressBackoff.set(address, b);
    if (this.addressBackoff.size > config.banCapacity) this.addressBackoff.delete(this.addressBackoff.keys().next().value!);
  }

  ban(id: string): void {
    const { ctx } = this.state;
    this.banned.delete(id);
    this.banned.set(id, ctx.runtime.clock.now() + ctx.config.banMs);
    if (this.banned.size > ctx.config.banCapacity) this.banned.delete(this.banned.keys().next().value!);
  }

  /** Forgets bans that have run out. */
  pruneBans(now: number): void {
    for (const [id, until] of this.banned) if (until < now) this.banned.delete(id);
  }
}

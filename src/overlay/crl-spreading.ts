/**
 * Spreading revocations over the overlay (docs/protocol.md §5.5): a newer CRL from a neighbour is
 * checked against the community CA, adopted (the node persists it), sent on to every other
 * neighbour, and enforced at once — links to revoked members close, their descriptors are
 * forgotten.
 */
import type { RevocationList } from '../identity/types.js';
import { parseCrl } from '../identity/crl.js';
import { Command } from '../wire/cell.js';
import { LinkRefusal, TokumeiError } from '../errors.js';
import type { Neighbour, OverlayState } from './overlay-types.js';

export class CrlSpreading {
  constructor(
    private readonly state: OverlayState,
    /** The own descriptor states the CRL number: it must be signed again. */
    private readonly onCrlChanged: () => void,
  ) {}

  /** Sends a (newer) CRL to every neighbour except `except`, and enforces it. */
  spread(crl: RevocationList, except?: string): void {
    this.onCrlChanged();
    for (const n of this.state.neighbours.values()) if (n.id !== except) n.link.sendMessage(Command.CRL, crl.der);
    this.enforce(crl);
  }

  onCrl(n: Neighbour, body: Uint8Array): void {
    const { ctx, counters } = this.state;
    const crl = parseCrl(body, ctx.identity.caPem);
    if (!ctx.adoptCrl(crl)) return;
    counters.crlsAdopted++;
    ctx.logger.log('info', 'overlay.crl-adopted', { number: crl.number, revoked: crl.revoked.size, from: n.id });
    this.spread(crl, n.id);
  }

  /** Drops links to revoked members and forgets their descriptors. */
  private enforce(crl: RevocationList): void {
    for (const n of [...this.state.neighbours.values()]) {
      if (crl.revoked.has(n.id)) {
        const error = new TokumeiError('refused', LinkRefusal.REVOKED, `passport ${n.id} is revoked`);
        this.state.refused(n.address, error, n.id);
        n.link.close(error);
      }
    }
    for (const id of crl.revoked) this.state.known.delete(id);
  }
}

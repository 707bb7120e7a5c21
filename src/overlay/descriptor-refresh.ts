/**
 * This node's own signed descriptor (docs/protocol.md §5.2): signed when first needed, re-signed
 * every `descriptorRefreshMs` and sent to every neighbour, and dropped when what it states (the
 * CRL number) changes. Also the check of a neighbour's descriptor when it arrives.
 */
import { Command } from '../wire/cell.js';

import { openDescriptor, signDescriptor, type SignedDescriptor } from './descriptor.js';
import type { Neighbour, OverlayState } from './overlay-types.js';
import type { PeerExchange } from './peer-exchange.js';
import { OverlayErrors } from './overlay-errors.js';

export class DescriptorRefresh {
  private own: SignedDescriptor | undefined;

  constructor(
    private readonly state: OverlayState,
    private readonly peers: PeerExchange,
  ) {}

  /** The current descriptor, signed now if there is none. */
  current(): SignedDescriptor {
    if (!this.own) this.own = this.sign();
    return this.own;
  }

  /** What the descriptor states has changed: sign a new one when next needed. */
  invalidate(): void {
    this.own = undefined;
  }

  /** Re-signs the descriptor and sends it to every neighbour. */
  refresh(): void {
    this.own = this.sign();
    for (const n of this.state.neighbours.values()) n.link.sendMessage(Command.DESCRIPTOR, this.own.bytes);
  }

  /** A neighbour's own descriptor: checked, kept, and answered with our CRL if its is older. */
  onDescriptor(n: Neighbour, body: Uint8Array): void {
    const { known, counters, ctx } = this.state;
    const signed = openDescriptor(body, this.peers.checkOptions());
    if (signed.descriptor.id !== n.id) throw OverlayErrors.DESCRIPTOR_MISMATCH('neighbour sent a descriptor that is not its own');
    n.descriptor = signed;
    known.upsert(signed, ctx.runtime.clock.now());
    known.markSuccess(n.id);
    counters.descriptorsAccepted++;
    const crl = ctx.crl();
    if (crl && signed.descriptor.crlNumber < crl.number) n.link.sendMessage(Command.CRL, crl.der);
  }

  private sign(): SignedDescriptor {
    const { identity, runtime, address, startedAt } = this.state.ctx;
    let load = 0;
    for (const n of this.state.neighbours.values()) load += n.link.loadCellsPerSec;
    return signDescriptor(
      {
        id: identity.passport.serial,
        address,
        onionKey: identity.passport.onionKey,
        issuedAt: runtime.clock.now(),
        startedAt,
        degree: this.state.neighbours.size,
        load,
        crlNumber: this.state.ctx.crl()?.number ?? 0,
      },
      identity.passport,
      identity.signingPrivateKey,
    );
  }
}

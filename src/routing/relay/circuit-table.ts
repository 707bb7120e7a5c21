/**
 * Which circuit a (link, circ_id) pair belongs to (docs/protocol.md §6.6). The side that dials a
 * link picks circuit ids with the high bit set, the side that accepted picks them without, so the
 * two ends never choose the same id. BOUNDED(maxCircuits) endpoints per node.
 */
import type { Link } from '../../link/link.js';
import type { Random } from '../../runtime/runtime.js';

import { RoutingErrors } from '../core/routing-errors.js';

export interface CircuitEndpoint<T> {
  link: Link;
  circId: number;
  owner: T;
  /** 'prev': this link leads back toward the proxy; 'next': toward the destination. */
  side: 'prev' | 'next';
}

export class CircuitTable<T> {
  private readonly byLink = new Map<Link, Map<number, CircuitEndpoint<T>>>();
  private count = 0;

  constructor(private readonly maxEndpoints: number) {}

  get size(): number {
    return this.count;
  }

  get(link: Link, circId: number): CircuitEndpoint<T> | undefined {
    return this.byLink.get(link)?.get(circId);
  }

  /** Registers an endpoint with an id the peer chose (from its CREATE). */
  register(link: Link, circId: number, owner: T, side: 'prev' | 'next'): CircuitEndpoint<T> {
    if (this.count >= this.maxEndpoints) throw RoutingErrors.CIRCUIT_TABLE_FULL(`more than ${this.maxEndpoints} circuit endpoints`);
    let m = this.byLink.get(link);
    if (!m) this.byLink.set(link, (m = new Map()));
    if (m.has(circId)) throw RoutingErrors.CIRCUIT_ID_IN_USE(`circuit id ${circId} already in use on this link`);
    const ep: CircuitEndpoint<T> = { link, circId, owner, side };
    m.set(circId, ep);
    this.count++;
    return ep;
  }

  /** Picks a fresh id on `link` for a circuit this node extends, and registers it. */
  allocate(link: Link, owner: T, side: 'prev' | 'next', random: Random): CircuitEndpoint<T> {
    const m = this.byLink.get(link);
    const high = link.initiator ? 0x8000_0000 : 0;
    for (let tries = 0; tries < 64; tries++) {
      const id = (high | (random.int(0x7fff_ffff) + 1)) >>> 0;
      if (!m?.has(id)) return this.register(link, id, owner, side);
    }
    throw RoutingErrors.CIRCUIT_ID_EXHAUSTED('no free circuit id');
  }

  remove(ep: CircuitEndpoint<T> | undefined): void {
    if (!ep) return;
    const m = this.byLink.get(ep.link);
    if (m?.get(ep.circId) === ep) {
      m.delete(ep.circId);
      this.count--;
      if (m.size === 0) this.byLink.delete(ep.link);
    }
  }

  /** Every endpoint on a link (which is gone), removed from the table. */
  takeAll(link: Link): CircuitEndpoint<T>[] {
    const m = this.byLink.get(link);
    if (!m) return [];
    this.byLink.delete(link);
    this.count -= m.size;
    return [...m.values()];
  }

  *endpoints(): IterableIterator<CircuitEndpoint<T>> {
    for (const m of this.byLink.values()) yield* m.values();
  }
}

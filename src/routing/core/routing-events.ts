/**
 * What the routing layer shows through the control API (and later the dashboard): route seeks,
 * candidate counts, the route as the onion proxy sees it, backtracks and multicast events. Each
 * node records only what it legitimately knows — a relay's backtrack names no endpoint.
 * BOUNDED(capacity) ring.
 */
export type RoutingEventType =
  | 'seek-sent'
  | 'introduction'
  | 'introduction-lost'
  | 'seek-answered'
  | 'route-info'
  | 'candidates'
  | 'route-built'
  | 'route-failed'
  | 'backtrack'
  | 'switched'
  | 'suffix-replaced'
  | 'proxy-reroute'
  | 'multicast-sent'
  | 'multicast-received'
  | 'delivered'
  | 'received';

export interface RoutingEvent {
  at: number;
  type: RoutingEventType;
  /** Flat, log-safe details. */
  detail: Record<string, string | number | boolean | string[]>;
}

export class RoutingEvents {
  private readonly ring: RoutingEvent[] = []; // BOUNDED(capacity)
  private seq = 0;

  constructor(
    private readonly now: () => number,
    private readonly capacity = 512,
  ) {}

  add(type: RoutingEventType, detail: RoutingEvent['detail'] = {}): void {
    this.seq++;
    this.ring.push({ at: this.now(), type, detail });
    if (this.ring.length > this.capacity) this.ring.shift();
  }

  /** The events still in the ring, oldest first; with `since`, only those recorded after the
   * `since`-th event ever (for polling: pass the `total` of the previous call). */
  list(since?: number): RoutingEvent[] {
    if (since === undefined) return [...this.ring];
    const newer = Math.max(0, this.seq - since);
    return newer === 0 ? [] : this.ring.slice(-Math.min(newer, this.ring.length));
  }

  get total(): number {
    return this.seq;
  }
}

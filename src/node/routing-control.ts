/**
 * Adapts a node's routing layer to the control API's `RoutingControl`: summaries instead of raw
 * inbox entries, and the route length instead of the relays' serials in a send's answer.
 */
import type { Router as RoutingRouter } from '../routing/router.js';
import type { RoutingControl } from './routing-api.js';

export type RoutingLayer = Pick<RoutingRouter, 'newAddress' | 'send' | 'inbox' | 'inboxEntry' | 'reply' | 'status'>;

export function routingControl(router: RoutingLayer): RoutingControl {
  return {
    newAddress: () => router.newAddress().text,
    async send(to, data) {
      const o = await router.send(to, data);
      return { delivered: o.delivered, bytes: o.bytes, repairs: o.repairs, localRepairs: o.localRepairs, multicast: o.multicast, routeLength: o.relays.length };
    },
    inbox: () => router.inbox.list().map((e) => ({ id: e.id, bytes: e.bytes.length, sha256: e.sha256, receivedAt: e.receivedAt, kind: e.kind, via: e.via })),
    inboxMessage: (id) => router.inboxEntry(id)?.bytes,
    reply: (messageId, data) => router.reply(messageId, data),
    routing: () => router.status(),
  };
}

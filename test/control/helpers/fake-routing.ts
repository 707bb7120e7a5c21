/** Routing halves of a fake ControlApi for control-server tests. */
import type { RoutingControl } from '../../../src/node/routing-api.js';
import type { RoutingStatus } from '../../../src/routing/router.js';
import { encodeAddress } from '../../../src/routing/formats/one-time-address.js';
import { newCounters } from '../../../src/routing/relay/routing-context.js';

const unused = (): never => {
  throw new Error('not used by this test');
};

/** For tests of other endpoints: every routing call fails loudly. */
export const unusedRoutingControl: RoutingControl = {
  newAddress: unused,
  send: unused,
  inbox: unused,
  inboxMessage: unused,
  reply: unused,
  routing: unused,
};

/** A syntactically valid one-time address (tk1…) with a fixed ID and key. */
export function fakeAddress(fill: number): string {
  return encodeAddress({ id: new Uint8Array(64).fill(fill), key: new Uint8Array(32).fill(fill + 1) });
}

export const fakeRoutingStatus: RoutingStatus = {
  counters: { ...newCounters(), seeksSent: 2, seeksForwarded: 5, routeInfoForwarded: 3, circuitsCreated: 1, cellsRelayed: 40, cellsDropped: 1, switches: 1, messagesDelivered: 1 },
  circuits: 1,
  conversations: [{ address: 'tk1AQIDBAUGBwgJ…', route: ['0a0b0c0d0e0f', '1a1b1c1d1e1f', '2a2b2c2d2e2f'], alternatives: [2, 1, 0], multicast: false, repairs: 1, localRepairs: 1 }],
  events: [{ at: 1_700_000_000_000, type: 'route-built', detail: { route: ['0a0b0c0d', '1a1b1c1d', '2a2b2c2d'], alternatives: 3 } }],
};

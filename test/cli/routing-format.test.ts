/** The human forms of `tokumei send`, `inbox` and `routing`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSend } from '../../src/cli/send-command.js';
import { formatInbox } from '../../src/cli/inbox-command.js';
import { formatRoute, formatRouting } from '../../src/cli/routing-format.js';
import { fakeRoutingStatus } from '../control/helpers/fake-routing.js';

test('send: one line, route length or multicast, repairs', () => {
  assert.equal(formatSend({ delivered: true, bytes: 4096, repairs: 0, localRepairs: 0, multicast: false, routeLength: 3 }), 'delivered: 4096 bytes over 3 relays, acknowledged end to end; no repairs\n');
  const mc = formatSend({ delivered: true, bytes: 5, repairs: 2, localRepairs: 1, multicast: true, routeLength: 0 });
  assert.equal(mc.split('\n').length, 2);
  assert.match(mc, /by multicast fallback.*2 repairs \(1 local\)/);
});

test('inbox: a table with id, size, kind, via and sha256; or a line when empty', () => {
  assert.equal(formatInbox([]), 'the inbox is empty\n');
  const t = formatInbox([{ id: '0123456789abcdef', bytes: 12, sha256: 'ab'.repeat(32), receivedAt: 0, kind: 'reply', via: 'multicast' }]);
  assert.match(t, /^ID\s+BYTES\s+KIND\s+VIA\s+RECEIVED\s+SHA256\n/);
  assert.match(t, /0123456789abcdef\s+12\s+reply\s+multicast\s+1970-01-01T00:00:00\.000Z\s+(ab){32}/);
});

test('routing: counters, the route relay by relay with alternatives, and events', () => {
  const out = formatRouting(fakeRoutingStatus);
  assert.match(out, /^circuits 1 {2}conversations 1\n/);
  assert.match(out, /seeks +sent 2 {2}forwarded 5/);
  assert.match(out, /repairs +backtracks 0 {2}switches 1/);
  assert.match(out, /me → 0a0b0c0d\+2 → 1a1b1c1d\+1 → 2a2b2c2d → destination/);
  assert.match(out, /\nother +.*routingCells 0/, 'counters without a line of their own are still shown');
  assert.match(out, /route-built {2}route=0a0b0c0d,1a1b1c1d,2a2b2c2d alternatives=3/);
  assert.equal(formatRoute([], [], true), 'multicast');
  assert.equal(formatRoute([], [], false), '-');
  const quiet = formatRouting({ ...fakeRoutingStatus, conversations: [], events: [] });
  assert.doesNotMatch(quiet, /ROUTE|last events/);
});

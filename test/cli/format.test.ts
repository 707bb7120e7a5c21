/** The human forms: `tokumei status` and the demo's overlay table. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeStatus } from '../../src/node/status.js';
import { formatDuration, formatRtt, formatStatus } from '../../src/cli/status-format.js';
import { formatOverlay } from '../../src/cli/overlay-table.js';

function status(id: string, address: string, neighbours: Array<[string, string, number | null]>): NodeStatus {
  return {
    id,
    address,
    startedAt: 0,
    uptimeMs: 65_000,
    degree: { current: neighbours.length, min: 4, max: 8 },
    neighbours: neighbours.map(([nid, naddr, rtt]) => ({ id: nid, address: naddr, direction: 'outbound', rttMs: rtt, linkUptimeMs: 1000, uptimeMs: 2000, loadCellsPerSec: 0, degree: 1 })),
    knownPeers: 2,
    crlNumber: 3,
    refusals: [{ at: 0, remoteAddress: '127.0.0.1:5', code: 'LINK_REVOKED', message: 'passport revoked' }],
    counters: {},
  services: [],
  serviceStatus: {},
  };
}

test('durations and RTTs', () => {
  assert.equal(formatDuration(59_999), '59s');
  assert.equal(formatDuration(65_000), '1m05s');
  assert.equal(formatDuration(3_660_000), '1h01m');
  assert.equal(formatDuration(null), '-');
  assert.equal(formatRtt(0.42), '0.4ms');
  assert.equal(formatRtt(123.4), '123ms');
  assert.equal(formatRtt(null), '-');
});

test('status table lists neighbours and recent refusals', () => {
  const text = formatStatus(status('aaaa', '127.0.0.1:1', [['bbbb', '127.0.0.1:2', 0.5]]));
  assert.match(text, /node aaaa {2}127\.0\.0\.1:1 {2}up 1m05s/);
  assert.match(text, /degree 1 \(target 4-8\)/);
  assert.match(text, /NEIGHBOUR +ADDRESS/);
  assert.match(text, /bbbb +127\.0\.0\.1:2 +outbound +0\.5ms/);
  assert.match(text, /LINK_REVOKED/);
});

test('overlay table names neighbours by label', () => {
  const a = status('aaaa', '127.0.0.1:1', [['bbbb', '127.0.0.1:2', 0.5]]);
  const b = status('bbbb', '127.0.0.1:2', [['aaaa', '127.0.0.1:1', 0.7]]);
  const text = formatOverlay([
    { label: 'node1', state: 'up', status: a },
    { label: 'node2', state: 'up', status: b },
    { label: 'node3', state: 'starting…' },
  ]);
  assert.match(text, /node1 +aaaa +127\.0\.0\.1:1 +1 +node2 0\.5ms/);
  assert.match(text, /node3 .*starting…/);
  assert.match(text, /2\/3 nodes up, 1 links, degree min 1 max 1/);
});

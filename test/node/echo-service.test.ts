/**
 * A service written here, and nowhere else, plugs into a testnet's nodes: it is built from the
 * node's components, started and stopped with the node, serves a one-time address over onion
 * routes, shows in the node's status, and its control routes are mounted beside the node's own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { createTestnet } from '../../src/node/testnet.js';
import type { NodeComponents, NodeService, ServiceFactory } from '../../src/node/service.js';
import type { OwnAddress } from '../../src/routing/relay/routing-context.js';
import type { Router as ControlRouter } from '../../src/control/router.js';
import { controlRoutes, type ControlApi } from '../../src/node/node-routes.js';
import { TokumeiError } from '../../src/errors.js';
import { settle } from '../helpers/settle.js';
import { unusedRoutingControl } from '../control/helpers/fake-routing.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Answers every request to its address with "echo: " and the request. */
class EchoService implements NodeService {
  address: OwnAddress | undefined;
  served = 0;
  stopped = false;
  constructor(private readonly c: NodeComponents) {}

  start(): void {
    this.address = this.c.router.newAddress();
    this.c.router.serve(this.address, (req) => {
      this.served++;
      void req.respond(text(`echo: ${str(req.bytes)}`)).catch(() => undefined);
    });
  }

  stop(): void {
    if (this.address) this.c.router.unserve(this.address);
    this.stopped = true;
  }

  status(): unknown {
    return { served: this.served };
  }

  routes(router: ControlRouter): void {
    router.on('GET', '/api/echo', () => ({ status: 200, body: { address: this.address?.text, served: this.served } }));
  }

  addresses(): string[] {
    return this.address ? [this.address.text] : [];
  }
}

const echoService: ServiceFactory<EchoService> = (c) => new EchoService(c);

test('an echo service composed into a testnet answers over onion routes, shows in status, mounts its routes', async () => {
  const net = await createTestnet(16, { runtime: 'sim', seed: 21, overlay: { minDegree: 4, maxDegree: 6 }, services: () => ({ echo: echoService }) });
  try {
    assert.ok(await net.waitFor(() => net.nodes.every((x) => x.status().neighbours.length >= 4), 120_000), 'overlay did not form');
    await net.advance(10_000);
    const server = net.nodes[5]!;
    const echo = server.service<EchoService>('echo');
    assert.deepEqual(server.status().services, ['echo']);
    assert.equal(echo.addresses().length, 1);

    const answer = await settle(net, net.nodes[12]!.router.request(echo.addresses()[0]!, text('hello'), { timeoutMs: 60_000 }));
    assert.equal(str(answer), 'echo: hello');
    assert.equal(echo.served, 1);

    // The node's control routes and the service's, side by side.
    const api: ControlApi = { ...unusedRoutingControl, status: () => server.status(), installCrl: () => ({ installed: false, crlNumber: 0 }) };
    const router = controlRoutes(api, server.serviceEntries().map(([, s]) => s));
    const call = (path: string) => router.resolve('GET', path)({} as IncomingMessage, new URL(path, 'http://control.invalid'));
    assert.deepEqual((await call('/api/echo')).body, { address: echo.addresses()[0], served: 1 });
    const status = (await call('/api/status')).body as { services: string[]; serviceStatus: Record<string, unknown> };
    assert.deepEqual([status.services, status.serviceStatus], [['echo'], { echo: { served: 1 } }]);

    // Another node's service is its own; a name the node does not run is NODE_NO_SERVICE.
    assert.notEqual(net.nodes[6]!.service<EchoService>('echo'), echo);
    assert.throws(() => server.service('board'), (e: unknown) => e instanceof TokumeiError && e.code === 'NODE_NO_SERVICE');
    await assert.rejects(server.addService('echo', echoService), (e: unknown) => e instanceof TokumeiError && e.code === 'NODE_ROLE_TAKEN');
  } finally {
    await net.stop();
  }
  assert.ok(net.nodes.every((n) => n.service<EchoService>('echo').stopped), 'every echo service was stopped with its node');
});

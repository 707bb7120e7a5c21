/**
 * One suite every link transport must pass (js-libp2p's habit): the real TLS transport and the
 * simulator's in-memory pipes run the same tests through `runTransportCompliance`.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isTokumeiError, LinkRefusal } from '../../src/errors.js';
import type { HandshakeFailure, LinkCredentials, Listener, Net, TransportConnection } from '../../src/runtime/runtime.js';

export interface TransportSide {
  net: Net;
  credentials: LinkCredentials;
  /** DER of the passport in `credentials`. */
  passportDer: Uint8Array;
}

export interface TransportEnv {
  server: TransportSide & { listenAddress: string };
  client: TransportSide;
  /** An address nothing listens on. */
  unusedAddress: string;
  /** Lets time pass (real or virtual) until `predicate()` holds; false when `ms` ran out. */
  waitFor(predicate: () => boolean, ms?: number): Promise<boolean>;
  /** Awaits `promise` while time passes (the simulator has to run for it to settle). */
  settle<T>(promise: Promise<T>, ms?: number): Promise<T>;
  dispose(): Promise<void>;
}

interface Connected {
  listener: Listener;
  server: TransportConnection;
  client: TransportConnection;
  failures: HandshakeFailure[];
}

async function connect(env: TransportEnv): Promise<Connected> {
  const accepted: TransportConnection[] = [];
  const failures: HandshakeFailure[] = [];
  const listener = await env.settle(env.server.net.listen({
    address: env.server.listenAddress,
    credentials: env.server.credentials,
    onConnection: (conn) => accepted.push(conn),
    onHandshakeFailure: (failure) => failures.push(failure),
  }));
  const client = await env.settle(env.client.net.dial(listener.address, env.client.credentials));
  assert.ok(await env.waitFor(() => accepted.length === 1), 'listener saw the connection');
  return { listener, server: accepted[0]!, client, failures };
}

function pattern(length: number, offset: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (offset + i) % 251;
  return out;
}

function collect(conn: TransportConnection): { chunks: Uint8Array[]; bytes: () => number; all: () => Buffer } {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  conn.onData((data) => {
    chunks.push(data.slice());
    bytes += data.byteLength;
  });
  return { chunks, bytes: () => bytes, all: () => Buffer.concat(chunks) };
}

export function runTransportCompliance(name: string, makeEnv: () => Promise<TransportEnv>): void {
  describe(`transport compliance: ${name}`, () => {
    let env: TransportEnv;
    beforeEach(async () => {
      env = await makeEnv();
    });
    afterEach(async () => {
      await env.dispose();
    });

    it('connects; each end knows its role and the other address', async () => {
      const { listener, server, client, failures } = await connect(env);
      assert.equal(client.initiator, true);
      assert.equal(server.initiator, false);
      assert.equal(client.remoteAddress, listener.address);
      assert.match(server.remoteAddress, /^(\[[0-9a-f:.]+\]|[\w.-]+):\d+$/);
      assert.deepEqual(failures, []);
      client.close();
      await env.settle(listener.close());
    });

    it('carries bytes both ways in order, 1 MiB in 1 KiB chunks', async () => {
      const { listener, server, client } = await connect(env);
      const total = 1024 * 1024;
      const atServer = collect(server);
      const atClient = collect(client);
      for (let off = 0; off < total; off += 1024) {
        client.send(pattern(1024, off));
        server.send(pattern(1024, off + 7));
      }
      assert.ok(await env.waitFor(() => atServer.bytes() >= total && atClient.bytes() >= total, 20_000), 'all bytes arrived');
      assert.equal(atServer.bytes(), total);
      assert.ok(atServer.all().equals(pattern(total, 0)), 'client → server in order');
      assert.ok(atClient.all().equals(pattern(total, 7)), 'server → client in order');
      client.close();
      await env.settle(listener.close());
    });

    it('gives both ends the same 32-byte channel binding, fresh per connection', async () => {
      const first = await connect(env);
      assert.equal(first.client.channelBinding.byteLength, 32);
      assert.deepEqual(first.client.channelBinding, first.server.channelBinding);
      const accepted: TransportConnection[] = [];
      const second = await env.settle(env.server.net.listen({
        address: env.server.listenAddress,
        credentials: env.server.credentials,
        onConnection: (conn) => accepted.push(conn),
      }));
      const again = await env.settle(env.client.net.dial(second.address, env.client.credentials));
      assert.ok(await env.waitFor(() => accepted.length === 1));
      assert.deepEqual(again.channelBinding, accepted[0]!.channelBinding);
      assert.notDeepEqual(again.channelBinding, first.client.channelBinding);
      first.client.close();
      again.close();
      await env.settle(first.listener.close());
      await env.settle(second.close());
    });

    it("shows each end the other side's passport", async () => {
      const { listener, server, client } = await connect(env);
      assert.deepEqual(new Uint8Array(client.peerPassportDer), new Uint8Array(env.server.passportDer));
      assert.deepEqual(new Uint8Array(server.peerPassportDer), new Uint8Array(env.client.passportDer));
      client.close();
      await env.settle(listener.close());
    });

    for (const closer of ['client', 'server'] as const) {
      it(`reports a close by the ${closer} to the other end, once`, async () => {
        const { listener, server, client } = await connect(env);
        const [closing, other] = closer === 'client' ? [client, server] : [server, client];
        let otherClosed = 0;
        let closingClosed = 0;
        other.onClose(() => otherClosed++);
        closing.onClose(() => closingClosed++);
        other.onData(() => undefined);
        closing.close();
        assert.ok(await env.waitFor(() => otherClosed === 1 && closingClosed === 1), 'both ends saw the close');
        closing.send(new Uint8Array([1, 2, 3])); // dropped, does not throw
        other.send(new Uint8Array([1, 2, 3]));
        await env.waitFor(() => false, 50);
        assert.equal(otherClosed, 1);
        assert.equal(closingClosed, 1);
        await env.settle(listener.close());
      });
    }

    it('reports destroy() to the other end', async () => {
      const { listener, server, client } = await connect(env);
      let closed = false;
      server.onClose(() => {
        closed = true;
      });
      server.onData(() => undefined);
      client.destroy();
      assert.ok(await env.waitFor(() => closed));
      await env.settle(listener.close());
    });

    it('refuses a dial to an address nothing listens on with LINK_UNREACHABLE', async () => {
      await assert.rejects(env.settle(env.client.net.dial(env.unusedAddress, env.client.credentials)),
        (error: unknown) => isTokumeiError(error, LinkRefusal.UNREACHABLE));
    });

    it('rejects a malformed address with a typed error', async () => {
      await assert.rejects(env.settle(env.client.net.dial('not an address', env.client.credentials)),
        (error: unknown) => isTokumeiError(error) && error.kind === 'bad-input');
    });

    it('stops accepting and drops its links when the listener closes', async () => {
      const { listener, client } = await connect(env);
      let closed = false;
      client.onClose(() => {
        closed = true;
      });
      client.onData(() => undefined);
      await env.settle(listener.close());
      assert.ok(await env.waitFor(() => closed), 'the accepted link was dropped');
      await assert.rejects(env.settle(env.client.net.dial(listener.address, env.client.credentials)),
        (error: unknown) => isTokumeiError(error, LinkRefusal.UNREACHABLE));
    });
  });
}

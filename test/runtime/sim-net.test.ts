import { SimNetwork } from '../../src/runtime/sim/sim-runtime.js';
import { credentialsFor, makeTestPki } from '../fixtures/certs.js';
import { runTransportCompliance, type TransportEnv } from './transport-compliance.js';

runTransportCompliance('sim-net (in-memory pipes on virtual time)', async (): Promise<TransportEnv> => {
  const pki = await makeTestPki();
  const sim = new SimNetwork({ seed: 42 });
  const server = sim.createRuntime('node-a');
  const client = sim.createRuntime('node-b');
  return {
    server: { net: server.net, credentials: credentialsFor(pki, pki.alice), passportDer: pki.alice.der, listenAddress: 'node-a:0' },
    client: { net: client.net, credentials: credentialsFor(pki, pki.bob), passportDer: pki.bob.der },
    unusedAddress: 'node-a:7999',
    waitFor: (predicate, ms = 60_000) => sim.runUntil(predicate, { timeoutMs: ms }),
    async settle<T>(promise: Promise<T>, ms = 60_000): Promise<T> {
      let settled = false;
      const watched = promise.finally(() => {
        settled = true;
      });
      watched.catch(() => undefined);
      await sim.runUntil(() => settled, { timeoutMs: ms });
      return watched;
    },
    dispose: async () => undefined,
  };
});

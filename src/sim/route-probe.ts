/** One route setup on a simulated testnet: `a` sends a small message to a fresh address of `b`. */
import type { TokumeiNode, Testnet } from '../index.js';

/** The relays of the route `a` built to a fresh one-time address of `b` (empty when none was built in 120 s). */
export async function routeRelays(net: Testnet, a: TokumeiNode, b: TokumeiNode): Promise<string[]> {
  return routeTo(net, a, b.router.newAddress().text);
}

/** The relays of the route `a` built to `address` to send it a small message (empty when none was built in 120 s). */
export async function routeTo(net: Testnet, a: TokumeiNode, address: string): Promise<string[]> {
  let done = false;
  let relays: string[] = [];
  a.router.send(address, new Uint8Array(16), { multicastFallback: false }).then(
    (r) => ((done = true), (relays = r.relays)),
    () => (done = true),
  );
  await net.sim!.runUntil(() => done, { timeoutMs: 120_000 });
  return relays;
}

/** Drives a simulated testnet until a promise settles; shared by the tests on simulated networks. */
import assert from 'node:assert/strict';
import type { Testnet } from '../../src/node/testnet.js';

/** Runs the simulation until `p` settles (or `timeoutMs` of virtual time passes) and returns its value. */
export async function settle<T>(net: Testnet, p: Promise<T>, timeoutMs = 300_000): Promise<T> {
  let done = false;
  let value: T | undefined;
  let error: unknown;
  p.then(
    (v) => ((done = true), (value = v)),
    (e) => ((done = true), (error = e)),
  );
  assert.ok(await net.waitFor(() => done, timeoutMs), 'operation did not finish in virtual time');
  if (error) throw error;
  return value as T;
}

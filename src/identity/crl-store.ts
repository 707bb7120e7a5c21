/** The node's copy of the CRL (NODEDIR/crl.pem): load it, and replace it only by a newer one. */
import { join } from 'node:path';
import { TokumeiError } from '../errors.js';
import { parseCrl, CRL_MAX_BYTES } from './crl.js';
import { readTextFile } from '../files/bounded-read.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import type { RevocationList } from './types.js';

const CRL_FILE = 'crl.pem';
const CA_FILE = 'ca.pem';

/** The CRL in `dir` checked against `dir`/ca.pem, or undefined when there is none. */
export async function loadCrl(dir: string): Promise<RevocationList | undefined> {
  let pem: string;
  try {
    pem = await readTextFile(join(dir, CRL_FILE), CRL_MAX_BYTES * 2);
  } catch (e) {
    if (e instanceof TokumeiError && e.code === 'FILE_MISSING') return undefined;
    throw e;
  }
  const caPem = await readTextFile(join(dir, CA_FILE), 64 * 1024);
  return parseCrl(pem, caPem);
}

/** BOUNDED: one queue entry per node directory in use. Serialises saves so numbers only grow. */
const queues = new Map<string, Promise<unknown>>();

/**
 * Writes `crl` to `dir`/crl.pem (atomically) when it is newer than the one there; returns whether
 * it did. The CRL is re-checked against `dir`/ca.pem: a node never stores another CA's list.
 */
export function saveCrlIfNewer(dir: string, crl: RevocationList): Promise<boolean> {
  const prev = queues.get(dir) ?? Promise.resolve();
  const run = prev.catch(() => {}).then(async () => {
    const caPem = await readTextFile(join(dir, CA_FILE), 64 * 1024);
    const checked = parseCrl(crl.der, caPem);
    const current = await loadCrl(dir).catch(() => undefined); // an unreadable file is replaced
    if (current && current.number >= checked.number) return false;
    await writeFileAtomic(join(dir, CRL_FILE), checked.pem, { mode: 0o644 });
    return true;
  });
  const tail = run.catch(() => {});
  queues.set(dir, tail);
  void tail.then(() => {
    if (queues.get(dir) === tail) queues.delete(dir);
  });
  return run;
}

/**
 * Sets up the demo's throwaway community: a CA, N passports, and a preference file naming the
 * first two nodes. Keystores use a cheaper KDF (they protect nothing) so start-up is quick.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TokumeiError } from '../errors.js';
import { initCa, issueMember } from '../identity/ca-store.js';
import { freePorts } from './free-ports.js';

export const DEMO_PASSPHRASE = 'tokumei-demo';
/** scrypt N = 2^14 instead of the default 2^17: fine for throwaway keystores, ~50 ms to unlock. */
export const DEMO_KDF = { logN: 14 };

export interface DemoNode {
  label: string;
  dir: string;
  listen: string;
}

export interface DemoCommunity {
  dir: string;
  caDir: string;
  preferenceFile: string;
  nodes: DemoNode[];
}

export async function createDemoCommunity(dir: string, count: number): Promise<DemoCommunity> {
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0) {
    throw new TokumeiError('bad-input', 'DEMO_DIR_NOT_EMPTY', `${dir} is not empty; give an empty or new --dir`);
  }
  const caDir = join(dir, 'ca');
  await initCa(caDir, { keyType: 'ed25519', trustees: 3, threshold: 2, passphrase: DEMO_PASSPHRASE, kdf: DEMO_KDF });
  const ports = await freePorts(count);
  const nodes: DemoNode[] = [];
  for (let i = 0; i < count; i++) {
    const label = `node${i + 1}`;
    const nodeDir = join(dir, label);
    await issueMember(caDir, { label, outDir: nodeDir, passphrase: DEMO_PASSPHRASE, kdf: DEMO_KDF });
    nodes.push({ label, dir: nodeDir, listen: `127.0.0.1:${ports[i]}` });
  }
  const preferenceFile = join(dir, 'preference.txt');
  const named = nodes.slice(0, 2).map((n) => n.listen);
  await writeFile(preferenceFile, `# first nodes of the demo community\n${named.join('\n')}\n`);
  return { dir, caDir, preferenceFile, nodes };
}

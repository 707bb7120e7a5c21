/**
 * The public community material an opening needs (docs/protocol.md §2.6, §2.8), for trustees and
 * the authority alike: the CA certificate, the trustees' public keys and k (community.json), and
 * every member's escrow record (escrow/<serial>.json), read afresh at each opening because members
 * keep joining. Trustees and authority must see the same member set: an approval that does not
 * cover exactly the authority's escrowed members is refused (OPENING_MEMBER_SET_MISMATCH).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { CA_FILES, readCommunityFile } from '../identity/ca-files.js';
import { verifyEscrowRecord, type EscrowRecord } from '../identity/escrow.js';
import { readTextFile } from '../files/bounded-read.js';
import type { TrusteePublic } from '../identity/trustee.js';
import { OPENING_MAX_MEMBERS } from './trustee-approval.js';
import { TrusteeErrors } from './trustees-errors.js';
import { FileErrors } from '../files/files-errors.js';

/** An escrow record is about 2 KiB for 3 trustees; 255 trustees stay under 64 KiB. */
const MAX_ESCROW_FILE = 64 * 1024;

export interface CommunityMaterial {
  readonly caCert: string;
  /** Trustee i at position i−1. */
  readonly trusteePublics: readonly TrusteePublic[];
  /** k. */
  readonly threshold: number;
  /** Every member's escrow record; called at each opening. BOUNDED(65,536). */
  escrowRecords(): Promise<readonly (EscrowRecord | string)[]>;
}

/** The escrow/<serial>.json files of a CA directory (checked by whoever uses them). */
export async function readEscrowDir(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /^[0-9a-f]{2,40}\.json$/.test(n)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw FileErrors.FILE_READ_FAILED(`cannot list ${dir}: ${(e as Error).message}`, { cause: e });
  }
  if (names.length > OPENING_MAX_MEMBERS) throw TrusteeErrors.OPENING_TOO_MANY_MEMBERS(`${dir} holds more than ${OPENING_MAX_MEMBERS} escrow records`);
  const out: string[] = [];
  for (const n of names) out.push(await readTextFile(join(dir, n), MAX_ESCROW_FILE));
  return out;
}

/**
 * The public parts of a CA directory (ca.pem, community.json, escrow/). `expectedCaPem`, when
 * given (the node's own ca.pem), must be the same certificate (OPENING_OTHER_COMMUNITY).
 */
export async function loadCommunityMaterial(caDir: string, expectedCaPem?: string): Promise<CommunityMaterial> {
  const [caCert, community] = await Promise.all([readTextFile(join(caDir, CA_FILES.cert), 64 * 1024), readCommunityFile(caDir)]);
  if (expectedCaPem !== undefined && caCert.trim() !== expectedCaPem.trim()) {
    throw TrusteeErrors.OPENING_OTHER_COMMUNITY(`${join(caDir, CA_FILES.cert)} is not the CA of this node's passport`);
  }
  const escrowDir = join(caDir, CA_FILES.escrowDir);
  return { caCert, trusteePublics: community.trusteeKeys, threshold: community.threshold, escrowRecords: () => readEscrowDir(escrowDir) };
}

/** A trustee's own authorities.json inside a (demo) CA directory. */
export function trusteeAuthoritiesPath(caDir: string, index: number): string {
  return join(caDir, CA_FILES.trusteesDir, `trustee-${index}`, 'authorities.json');
}

/** The members an approval must cover: every record checked (CA signature), serials sorted. */
export function escrowSerials(records: readonly (EscrowRecord | string)[], caCert: string): string[] {
  return records.map((r) => verifyEscrowRecord(r, caCert).memberSerial).sort();
}

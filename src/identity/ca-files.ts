/**
 * The passport office's bookkeeping files, validated on every read (a hand-edited or corrupt file
 * is a typed error, never a crash):
 *
 *   community.json  { "format": "tokumei-community/1", "keyType": "ed25519" | "rsa",
 *                     "trustees": n, "threshold": k,
 *                     "trusteeKeys": [ { "index", "hpkePublicKey", "signingPublicKey" } … n ],
 *                     "nextCrlNumber": 2, "createdAt": "<ISO date>" }
 *   members.json    { "format": "tokumei-members/1",
 *                     "members": { "<label>": { "serial", "status": "valid" | "revoked",
 *                                  "notBefore", "notAfter", "issuedAt", "revokedAt"? } } }
 */
import { join } from 'node:path';
import { TokumeiError } from '../errors.js';
import { readJsonFile } from '../files/bounded-read.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { parseTrusteePublic, TRUSTEE_MAX, type TrusteePublic } from './trustee.js';
import type { KeyType } from './types.js';

export const CA_FILES = {
  cert: 'ca.pem',
  key: 'ca-key.json',
  community: 'community.json',
  members: 'members.json',
  crl: 'crl.pem',
  escrowDir: 'escrow',
  trusteesDir: 'trustees',
} as const;

export const COMMUNITY_FORMAT = 'tokumei-community/1';
export const MEMBERS_FORMAT = 'tokumei-members/1';
export const LABEL_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_JSON = 16 * 1024 * 1024;

export interface CommunityFile {
  format: typeof COMMUNITY_FORMAT;
  keyType: KeyType;
  trustees: number;
  threshold: number;
  trusteeKeys: TrusteePublic[];
  nextCrlNumber: number;
  createdAt: string;
}

export interface MemberEntry {
  serial: string;
  status: 'valid' | 'revoked';
  notBefore: string;
  notAfter: string;
  issuedAt: string;
  revokedAt?: string;
}

export interface MembersFile {
  format: typeof MEMBERS_FORMAT;
  members: Record<string, MemberEntry>;
}

function bad(code: string, path: string, what: string): never {
  throw new TokumeiError('bad-input', code, `${path}: ${what}`);
}

export async function readCommunityFile(caDir: string): Promise<CommunityFile> {
  const path = join(caDir, CA_FILES.community);
  const o = (await readJsonFile(path, MAX_JSON, 'COMMUNITY_MALFORMED')) as Record<string, unknown>;
  const fail = (what: string): never => bad('COMMUNITY_MALFORMED', path, what);
  if (typeof o !== 'object' || o === null || o.format !== COMMUNITY_FORMAT) fail(`format is not ${COMMUNITY_FORMAT}`);
  if (o.keyType !== 'ed25519' && o.keyType !== 'rsa') fail('bad keyType');
  const n = o.trustees as number;
  const k = o.threshold as number;
  if (!Number.isInteger(n) || n < 1 || n > TRUSTEE_MAX || !Number.isInteger(k) || k < 1 || k > n) fail('bad trustees/threshold');
  if (!Array.isArray(o.trusteeKeys) || o.trusteeKeys.length !== n) fail('trusteeKeys must list n trustees');
  const trusteeKeys = (o.trusteeKeys as unknown[]).map(parseTrusteePublic);
  trusteeKeys.forEach((t, i) => t.index !== i + 1 && fail('trusteeKeys out of order'));
  if (!Number.isSafeInteger(o.nextCrlNumber) || (o.nextCrlNumber as number) < 2) fail('bad nextCrlNumber');
  if (typeof o.createdAt !== 'string') fail('bad createdAt');
  return { format: COMMUNITY_FORMAT, keyType: o.keyType as KeyType, trustees: n, threshold: k, trusteeKeys, nextCrlNumber: o.nextCrlNumber as number, createdAt: o.createdAt as string };
}

export async function writeCommunityFile(caDir: string, c: CommunityFile): Promise<void> {
  await writeFileAtomic(join(caDir, CA_FILES.community), JSON.stringify(c, null, 2) + '\n', { mode: 0o644 });
}

export async function readMembersFile(caDir: string): Promise<MembersFile> {
  const path = join(caDir, CA_FILES.members);
  const o = (await readJsonFile(path, MAX_JSON, 'MEMBERS_MALFORMED')) as Record<string, unknown>;
  const fail = (what: string): never => bad('MEMBERS_MALFORMED', path, what);
  if (typeof o !== 'object' || o === null || o.format !== MEMBERS_FORMAT) fail(`format is not ${MEMBERS_FORMAT}`);
  const members = o.members as Record<string, unknown>;
  if (typeof members !== 'object' || members === null || Array.isArray(members)) fail('members must be an object');
  const out: Record<string, MemberEntry> = {};
  for (const [label, v] of Object.entries(members)) {
    const e = v as Record<string, unknown>;
    if (!LABEL_PATTERN.test(label)) fail(`bad label ${JSON.stringify(label)}`);
    if (typeof e !== 'object' || e === null) fail(`bad entry for ${label}`);
    if (typeof e.serial !== 'string' || !/^[0-9a-f]{2,40}$/.test(e.serial)) fail(`bad serial for ${label}`);
    if (e.status !== 'valid' && e.status !== 'revoked') fail(`bad status for ${label}`);
    for (const f of ['notBefore', 'notAfter', 'issuedAt'] as const) if (typeof e[f] !== 'string') fail(`bad ${f} for ${label}`);
    if (e.revokedAt !== undefined && typeof e.revokedAt !== 'string') fail(`bad revokedAt for ${label}`);
    out[label] = e as unknown as MemberEntry;
  }
  return { format: MEMBERS_FORMAT, members: out };
}

export async function writeMembersFile(caDir: string, m: MembersFile): Promise<void> {
  await writeFileAtomic(join(caDir, CA_FILES.members), JSON.stringify(m, null, 2) + '\n', { mode: 0o644 });
}

/**
 * The passport office on disk (DESIGN §4). A CA directory:
 *
 *   ca.pem                         the community CA certificate
 *   ca-key.json                    keystore kind "ca": { signingKey: PKCS#8 PEM }
 *   community.json, members.json   see ca-files.ts
 *   crl.pem                        the newest CRL (number 1, empty, at creation)
 *   escrow/<serial>.json           one escrow record per member (escrow.ts)
 *   trustees/trustee-<i>/          keystore.json (kind "trustee") + trustee.json (public keys)
 *
 * The trustee keystores sit here only because the demo stands in for real trustees: each real
 * trustee would generate and hold their own, and hand the CA only trustee.json.
 *
 * Every write is atomic (fs-atomic.ts); a CA directory or NODEDIR that exists with content is
 * never overwritten; two commands on one CA directory are serialised by a lock file.
 */
import { createPrivateKey } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TokumeiError } from '../errors.js';
import { wipe } from '../crypto/bytes.js';
import type { ScryptParams } from '../crypto/kdf.js';
import { caFromKey, createCa, type CommunityCa } from './ca.js';
import { CA_FILES, COMMUNITY_FORMAT, LABEL_PATTERN, MEMBERS_FORMAT, readCommunityFile, readMembersFile, writeCommunityFile, writeMembersFile, type CommunityFile } from './ca-files.js';
import { createCrl, parseCrl } from './crl.js';
import { createEscrow } from './escrow.js';
import { createDirAtomic, dirInUse, writeFileAtomic, type NewFile } from '../files/atomic-write.js';
import { readTextFile } from '../files/bounded-read.js';
import { withDirLock } from './dir-lock.js';
import { openKeystore, sealKeystore } from './keystore.js';
import { issueMemberIdentity } from './member.js';
import { writeNodeDir } from './node-store.js';
import { generateTrustee, trusteeFromSecrets, trusteePublic, trusteeSecrets, TRUSTEE_MAX, type TrusteeKeys } from './trustee.js';
import type { KeyType, RevocationList } from './types.js';
import { IdentityErrors } from './identity-errors.js';

export interface InitCaOptions {
  keyType?: KeyType;
  /** n, default 3. */
  trustees?: number;
  /** k, default min(2, n). */
  threshold?: number;
  /** Protects ca-key.json. */
  passphrase: string;
  /** Protects the demo trustees' keystores (default: `passphrase`). */
  trusteePassphrase?: string;
  /** scrypt parameters for new keystores (tests); default keystore.ts's. */
  kdf?: Partial<ScryptParams>;
  now?: number;
}

export interface InitCaResult {
  dir: string;
  keyType: KeyType;
  trustees: number;
  threshold: number;
  caPem: string;
}

function badInput(code: string, message: string): never {
  throw new TokumeiError('bad-input', code, message);
}

function checkPassphrase(p: unknown, what: string): string {
  if (typeof p !== 'string' || p.length === 0) badInput('PASSPHRASE_EMPTY', `${what} passphrase must be a non-empty string`);
  return p;
}

export async function initCa(dir: string, options: InitCaOptions): Promise<InitCaResult> {
  const keyType = options.keyType ?? 'ed25519';
  if (keyType !== 'ed25519' && keyType !== 'rsa') badInput('CA_BAD_KEY_TYPE', `key type must be ed25519 or rsa, got ${String(keyType)}`);
  const n = options.trustees ?? 3;
  const k = options.threshold ?? Math.min(2, n);
  if (!Number.isInteger(n) || n < 1 || n > TRUSTEE_MAX) badInput('CA_BAD_TRUSTEES', `trustees must be 1..${TRUSTEE_MAX}, got ${n}`);
  if (!Number.isInteger(k) || k < 1 || k > n) badInput('CA_BAD_THRESHOLD', `threshold must be 1..${n}, got ${k}`);
  const passphrase = checkPassphrase(options.passphrase, 'CA');
  const trusteePassphrase = checkPassphrase(options.trusteePassphrase ?? passphrase, 'trustee');
  if (await dirInUse(dir)) badInput('CA_DIR_EXISTS', `${dir} already exists and is not empty; refusing to overwrite it`);

  const now = options.now ?? Date.now();
  const ca = createCa({ keyType, now });
  const trustees = Array.from({ length: n }, (_, i) => generateTrustee(i + 1));
  const kdf = { kdf: options.kdf };
  const [caKeystore, ...trusteeKeystores] = await Promise.all([
    sealKeystore('ca', { signingKey: ca.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() }, passphrase, kdf),
    ...trustees.map((t) => sealKeystore('trustee', trusteeSecrets(t), trusteePassphrase, kdf)),
  ]);
  const crl = createCrl(ca, [], 1, now);
  const community: CommunityFile = {
    format: COMMUNITY_FORMAT,
    keyType,
    trustees: n,
    threshold: k,
    trusteeKeys: trustees.map(trusteePublic),
    nextCrlNumber: 2,
    createdAt: new Date(now).toISOString(),
  };
  const files: Record<string, NewFile> = {
    [CA_FILES.cert]: { data: ca.pem, mode: 0o644 },
    [CA_FILES.key]: { data: caKeystore! },
    [CA_FILES.community]: { data: JSON.stringify(community, null, 2) + '\n', mode: 0o644 },
    [CA_FILES.members]: { data: JSON.stringify({ format: MEMBERS_FORMAT, members: {} }, null, 2) + '\n', mode: 0o644 },
    [CA_FILES.crl]: { data: crl.pem, mode: 0o644 },
  };
  trustees.forEach((t, i) => {
    const sub = `${CA_FILES.trusteesDir}/trustee-${t.index}`;
    files[`${sub}/keystore.json`] = { data: trusteeKeystores[i]! };
    files[`${sub}/trustee.json`] = { data: JSON.stringify(trusteePublic(t), null, 2) + '\n', mode: 0o644 };
  });
  await createDirAtomic(dir, files, 'CA_DIR_EXISTS');
  return { dir, keyType, trustees: n, threshold: k, caPem: ca.pem };
}

/** Opens ca-key.json (KEYSTORE_BAD_PASSPHRASE on a wrong passphrase) and pairs it with ca.pem. */
export async function unlockCa(caDir: string, passphrase: string): Promise<CommunityCa> {
  const [certPem, keyText] = await Promise.all([readTextFile(join(caDir, CA_FILES.cert), 64 * 1024), readTextFile(join(caDir, CA_FILES.key), 64 * 1024)]);
  const secrets = await openKeystore(keyText, passphrase, 'ca');
  let key;
  try {
    key = createPrivateKey({ key: secrets.signingKey ?? '', format: 'pem' });
  } catch (e) {
    throw IdentityErrors.KEYSTORE_MALFORMED('ca-key.json holds a malformed key', { cause: e });
  }
  return caFromKey(certPem, key);
}

/** Opens trustee i's keystore in a (demo) CA directory. */
export async function unlockTrustee(caDir: string, index: number, passphrase: string): Promise<TrusteeKeys> {
  const text = await readTextFile(join(caDir, CA_FILES.trusteesDir, `trustee-${index}`, 'keystore.json'), 64 * 1024);
  return trusteeFromSecrets(await openKeystore(text, passphrase, 'trustee'));
}

export interface IssueMemberOptions {
  /** The member's name in members.json: [A-Za-z0-9_.-]{1,64}, unique. */
  label: string;
  /** The NODEDIR to create; must not exist (or be empty). */
  outDir: string;
  /** The CA passphrase. */
  passphrase: string;
  /** Protects the member's keystore (default: `passphrase`). */
  nodePassphrase?: string;
  notBefore?: Date | number;
  notAfter?: Date | number;
  /** TEST AID ONLY: store an onion private key that does not match the passport (member.ts). */
  wrongOnionKey?: boolean;
  kdf?: Partial<ScryptParams>;
  now?: number;
}

export interface IssuedMemberInfo {
  label: string;
  serial: string;
  nodeDir: string;
  notBefore: string;
  notAfter: string;
}

export async function issueMember(caDir: string, options: IssueMemberOptions): Promise<IssuedMemberInfo> {
  const { label, outDir } = options;
  if (typeof label !== 'string' || !LABEL_PATTERN.test(label)) badInput('MEMBER_BAD_LABEL', `label must match [A-Za-z0-9_.-]{1,64}, got ${JSON.stringify(label)}`);
  if (typeof outDir !== 'string' || outDir.length === 0) badInput('NODE_DIR_INVALID', 'outDir must be a path');
  const passphrase = checkPassphrase(options.passphrase, 'CA');
  const nodePassphrase = checkPassphrase(options.nodePassphrase ?? passphrase, 'node');
  return withDirLock(caDir, async () => {
    const community = await readCommunityFile(caDir);
    const members = await readMembersFile(caDir);
    if (Object.hasOwn(members.members, label)) badInput('MEMBER_EXISTS', `a member named ${label} already exists`);
    if (await dirInUse(outDir)) badInput('NODE_DIR_EXISTS', `${outDir} already exists and is not empty; refusing to overwrite it`);
    const ca = await unlockCa(caDir, passphrase);
    const crlPem = await readTextFile(join(caDir, CA_FILES.crl), 16 * 1024 * 1024);
    const now = options.now ?? Date.now();
    const identity = issueMemberIdentity(ca, { now, notBefore: options.notBefore, notAfter: options.notAfter, wrongOnionKey: options.wrongOnionKey });
    const serial = identity.passport.serial;
    try {
      const escrow = await createEscrow(ca, { memberSerial: serial, anonymityKey: identity.anonymityKey, trustees: community.trusteeKeys, threshold: community.threshold });
      await mkdir(join(caDir, CA_FILES.escrowDir), { recursive: true, mode: 0o700 });
      await writeFileAtomic(join(caDir, CA_FILES.escrowDir, `${serial}.json`), JSON.stringify(escrow, null, 2) + '\n', { mode: 0o644 });
      await writeNodeDir(outDir, identity, crlPem, nodePassphrase, { kdf: options.kdf });
    } finally {
      wipe(identity.anonymityKey); // from here on only the member's keystore holds k_m
    }
    const info = {
      serial,
      status: 'valid' as const,
      notBefore: identity.passport.notBefore.toISOString(),
      notAfter: identity.passport.notAfter.toISOString(),
      issuedAt: new Date(now).toISOString(),
    };
    members.members[label] = info;
    await writeMembersFile(caDir, members);
    return { label, serial, nodeDir: outDir, notBefore: info.notBefore, notAfter: info.notAfter };
  });
}

export interface RevokeMemberOptions {
  label: string;
  passphrase: string;
  now?: number;
}

/**
 * Marks `label` revoked and signs the next CRL, which it writes to crl.pem and returns. Revoking
 * a revoked member changes nothing and returns the current CRL. members.json is written first
 * and the CRL is rebuilt from it, so a crash midway loses no revocation.
 */
export async function revokeMember(caDir: string, options: RevokeMemberOptions): Promise<RevocationList> {
  const passphrase = checkPassphrase(options.passphrase, 'CA');
  return withDirLock(caDir, async () => {
    const community = await readCommunityFile(caDir);
    const members = await readMembersFile(caDir);
    const entry = Object.hasOwn(members.members, options.label) ? members.members[options.label] : undefined;
    if (!entry) badInput('MEMBER_UNKNOWN', `no member named ${String(options.label)}`);
    const ca = await unlockCa(caDir, passphrase);
    if (entry.status === 'revoked') return parseCrl(await readTextFile(join(caDir, CA_FILES.crl), 16 * 1024 * 1024), ca.der);
    const now = options.now ?? Date.now();
    entry.status = 'revoked';
    entry.revokedAt = new Date(now).toISOString();
    await writeMembersFile(caDir, members);
    const number = community.nextCrlNumber;
    await writeCommunityFile(caDir, { ...community, nextCrlNumber: number + 1 });
    const revoked = Object.values(members.members)
      .filter((m) => m.status === 'revoked')
      .map((m) => ({ serial: m.serial, revokedAt: Date.parse(m.revokedAt ?? '') || now }));
    const crl = createCrl(ca, revoked, number, now);
    await writeFileAtomic(join(caDir, CA_FILES.crl), crl.pem, { mode: 0o644 });
    return crl;
  });
}

/**
 * An in-memory community for the simulator, the testnet and tests: a CA, its trustees and a CRL,
 * with no disk and no KDF. `issue` is synchronous (escrow, which needs HPKE, runs in the
 * background and is returned as a promise); `revoke` returns the next CRL at once.
 */

import type { RandomSource } from '../crypto/random.js';
import { createCa, type CommunityCa } from './ca.js';
import { createCrl } from './crl.js';
import { createEscrow, type EscrowRecord } from './escrow.js';
import { issueMemberIdentity, type IssueMemberIdentityOptions } from './member.js';
import { generateTrustee, trusteePublic, type TrusteeKeys, type TrusteePublic } from './trustee.js';
import type { KeyType, NodeIdentity, RevocationList } from './types.js';
import { serialBytes } from './x509.js';
import { IdentityErrors } from './identity-errors.js';

export interface CommunityOptions {
  keyType?: KeyType;
  /** n, default 3. */
  trustees?: number;
  /** k, default min(2, n). */
  threshold?: number;
  /** Seeded randomness (serials, Ed25519/X25519 keys, anonymity keys) for reproducible runs. */
  random?: RandomSource;
  /** ms since the epoch: CA validity start and default time for issue/revoke. */
  now?: number;
  /** Escrow each member's anonymity key (default true); the simulator may skip the HPKE work. */
  escrow?: boolean;
}

export type IssueOptions = IssueMemberIdentityOptions;

export interface IssuedMember {
  readonly identity: NodeIdentity;
  /** The signed escrow record, being sealed in the background; null when escrow is off. */
  readonly escrow: Promise<EscrowRecord> | null;
}

export interface Community {
  readonly keyType: KeyType;
  readonly ca: CommunityCa;
  readonly caPem: string;
  readonly threshold: number;
  readonly trustees: readonly TrusteeKeys[];
  readonly trusteePublics: readonly TrusteePublic[];
  issue(options?: IssueOptions): IssuedMember;
  /** Revokes a serial and returns the new CRL (number + 1). */
  revoke(serial: string, now?: number): RevocationList;
  /** The current CRL (number 1, empty, at creation). */
  crl(): RevocationList;
}

export async function createCommunity(options: CommunityOptions = {}): Promise<Community> {
  const n = options.trustees ?? 3;
  const k = options.threshold ?? Math.min(2, n);
  if (!Number.isInteger(n) || n < 1 || n > 255) throw IdentityErrors.CA_BAD_TRUSTEES('trustees must be 1..255');
  if (!Number.isInteger(k) || k < 1 || k > n) throw IdentityErrors.CA_BAD_THRESHOLD('threshold must be 1..trustees');
  const random = options.random;
  const createdAt = options.now ?? Date.now();
  const ca = createCa({ keyType: options.keyType ?? 'ed25519', random, now: createdAt });
  const trustees = Array.from({ length: n }, (_, i) => generateTrustee(i + 1, random));
  const publics = trustees.map(trusteePublic);
  const revoked = new Map<string, number>();
  let current = createCrl(ca, [], 1, createdAt);
  const escrowOn = options.escrow ?? true;

  return {
    keyType: ca.keyType,
    ca,
    caPem: ca.pem,
    threshold: k,
    trustees,
    trusteePublics: publics,
    issue(o: IssueOptions = {}): IssuedMember {
      const identity = issueMemberIdentity(ca, { random, ...o, now: o.now ?? createdAt });
      let escrow: Promise<EscrowRecord> | null = null;
      if (escrowOn) {
        escrow = createEscrow(ca, { memberSerial: identity.passport.serial, anonymityKey: identity.anonymityKey, trustees: publics, threshold: k, random });
        escrow.catch(() => {}); // whoever awaits it sees the error; nobody awaiting must not crash the process
      }
      return { identity, escrow };
    },
    revoke(serial: string, now?: number): RevocationList {
      const at = now ?? createdAt;
      serialBytes(serial); // a malformed serial must not poison the list
      if (!revoked.has(serial)) revoked.set(serial, at);
      current = createCrl(ca, [...revoked].map(([s, t]) => ({ serial: s, revokedAt: t })), current.number + 1, at);
      return current;
    },
    crl: () => current,
  };
}

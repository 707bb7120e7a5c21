/** A community for opening tests: 6 members, n = 5 trustees, k = 3, one authority (§2.7). */
import type { KeyObject } from 'node:crypto';
import { toHex } from '../../src/crypto/bytes.js';
import { ed25519RawPublicKey, generateSigningKeyPair } from '../../src/crypto/signing.js';
import { createCommunity, type Community } from '../../src/identity/community.js';
import type { EscrowRecord } from '../../src/identity/escrow.js';
import type { NodeIdentity } from '../../src/identity/types.js';
import { createAnonymousId } from '../../src/anonymous-id/anonymous-id.js';
import { createOpeningRequest, type OpeningAuthority, type OpeningRequest } from '../../src/trustees/opening-request.js';
import { approveOpening, type OpeningApproval } from '../../src/trustees/trustee-approval.js';
import { TokumeiError } from '../../src/errors.js';
import { NOW, seededRandom } from '../identity/helpers.js';

export { NOW };
export const is = (code: string) => (e: unknown) => e instanceof TokumeiError && e.code === code;

export interface OpeningFixture {
  community: Community;
  members: NodeIdentity[];
  records: EscrowRecord[];
  authorityKey: KeyObject;
  authorities: OpeningAuthority[];
  /** An anonymous ID made by member 4 (members[3]), and a signed request to open it. */
  anonId: Uint8Array;
  request: OpeningRequest;
  /** One approval per trustee 1..5. */
  approvals: OpeningApproval[];
}

export async function openingFixture(seed = 'opening'): Promise<OpeningFixture> {
  const random = seededRandom(seed);
  const community = await createCommunity({ trustees: 5, threshold: 3, now: NOW, random });
  const issued = Array.from({ length: 6 }, () => community.issue());
  const members = issued.map((m) => m.identity);
  const records = await Promise.all(issued.map((m) => m.escrow!));
  const authorityKey = generateSigningKeyPair('ed25519', random).privateKey;
  const authorities = [{ name: 'Example Health Authority', signingPublicKey: toHex(ed25519RawPublicKey(authorityKey)) }];
  const anonId = createAnonymousId(members[3]!.anonymityKey, random);
  const request = createOpeningRequest({ anonId, authority: authorities[0]!.name, reason: 'Court order 2026-117: threat posted on the board', authorityKey, now: NOW, random });
  const approvals = await Promise.all(
    community.trustees.map((t) => approveOpening({ request, trusteeKeys: t, escrowRecords: records, caCert: community.caPem, authorities, now: NOW + 60_000, random })),
  );
  return { community, members, records, authorityKey, authorities, anonId, request, approvals };
}

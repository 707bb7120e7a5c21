/**
 * Anonymity-key escrow (DESIGN §4). At issuance each member gets an anonymity key k_m, a random
 * ristretto255 scalar. The CA splits it k-of-n with Shamir over Z_ℓ and Feldman commitments
 * (crypto/shamir.ts), seals share i to trustee i with HPKE, signs the record, and forgets k_m:
 * only the member's keystore keeps it. A trustee checks the CA signature, opens its own share and
 * checks it against the commitments, so a bad share is caught before any opening.
 *
 * Record (escrow/<serial>.json), all binary fields lower-case hex:
 *
 *   { "format": "tokumei-escrow/1",
 *     "memberSerial": "<passport serial>",
 *     "threshold": k, "trustees": n,
 *     "commitments": [C_0 … C_{k-1}],          // G·a_j, 32-byte ristretto255 encodings; C_0 = G·k_m
 *     "shares": [ { "index": i, "trusteeKey": "<X25519 public key of trustee i>",
 *                   "enc": "<HPKE enc, 32 bytes>", "ciphertext": "<HPKE ct, 32 + 16 bytes>" } … n ],
 *     "caSignature": "<base64>" }
 *
 * caSignature = Sign_CA("tokumei-escrow/1 record\n" ‖ JSON of every other field in the order above)
 * (Ed25519, or RSASSA-PSS for RSA CAs: crypto/signing.ts). Share i is
 * HPKE.SealBase(trusteeKey_i, info = "tokumei-escrow/1 share", aad = JSON {memberSerial, index,
 * threshold, trustees, trusteeKey, commitments}, pt = f(i) as a 32-byte scalar), so a share cannot
 * be moved to another member, index, trustee or commitment set.
 */

import { fromBase64, fromHex, toBase64, toHex, utf8, wipe } from '../crypto/bytes.js';
import { hpkeOpen, hpkeSeal } from '../crypto/hpke.js';
import type { RandomSource } from '../crypto/random.js';
import { decodePoint, decodeScalar } from '../crypto/ristretto.js';
import { splitSecret, verifyShare, type Share } from '../crypto/shamir.js';
import { signBytes, verifyBytes } from '../crypto/signing.js';
import { x25519PrivateKeyFromRaw, x25519RawPublicKey } from '../crypto/x25519.js';
import type { CommunityCa } from './ca.js';
import { trustAnchor } from './trust-anchor.js';
import { TRUSTEE_MAX, type TrusteePublic } from './trustee.js';
import { IdentityErrors } from './identity-errors.js';

export const ESCROW_FORMAT = 'tokumei-escrow/1';
const SIGNATURE_LABEL = utf8(`${ESCROW_FORMAT} record\n`);
const SHARE_INFO = utf8(`${ESCROW_FORMAT} share`);
const MAX_RECORD_CHARS = 256 * 1024;

export interface EscrowShareBox {
  readonly index: number;
  readonly trusteeKey: string;
  readonly enc: string;
  readonly ciphertext: string;
}

export interface EscrowRecord {
  readonly format: typeof ESCROW_FORMAT;
  readonly memberSerial: string;
  readonly threshold: number;
  readonly trustees: number;
  readonly commitments: readonly string[];
  readonly shares: readonly EscrowShareBox[];
  readonly caSignature: string;
}

function malformed(message: string): never {
  throw IdentityErrors.ESCROW_MALFORMED(`escrow record: ${message}`);
}

function signedBytes(r: Omit<EscrowRecord, 'caSignature'>): Uint8Array {
  const body = JSON.stringify({
    format: r.format,
    memberSerial: r.memberSerial,
    threshold: r.threshold,
    trustees: r.trustees,
    commitments: r.commitments,
    shares: r.shares.map((s) => ({ index: s.index, trusteeKey: s.trusteeKey, enc: s.enc, ciphertext: s.ciphertext })),
  });
  const b = utf8(body);
  const out = new Uint8Array(SIGNATURE_LABEL.length + b.length);
  out.set(SIGNATURE_LABEL);
  out.set(b, SIGNATURE_LABEL.length);
  return out;
}

function shareAad(r: { memberSerial: string; threshold: number; trustees: number; commitments: readonly string[] }, index: number, trusteeKey: string): Uint8Array {
  return utf8(JSON.stringify({ memberSerial: r.memberSerial, index, threshold: r.threshold, trustees: r.trustees, trusteeKey, commitments: r.commitments }));
}

export interface CreateEscrowOptions {
  memberSerial: string;
  /** k_m, a canonical 32-byte scalar. The caller wipes it afterwards. */
  anonymityKey: Uint8Array;
  /** Trustee i at position i−1. */
  trustees: readonly TrusteePublic[];
  threshold: number;
  random?: RandomSource;
}

export async function createEscrow(ca: CommunityCa, o: CreateEscrowOptions): Promise<EscrowRecord> {
  const n = o.trustees.length;
  if (n < 1 || n > TRUSTEE_MAX) throw IdentityErrors.ESCROW_BAD_TRUSTEES(`need 1..${TRUSTEE_MAX} trustees`);
  o.trustees.forEach((t, i) => {
    if (t.index !== i + 1) throw IdentityErrors.ESCROW_BAD_TRUSTEES('trustees must be listed by index 1..n');
  });
  if (!/^[0-9a-f]{2,40}$/.test(o.memberSerial)) throw IdentityErrors.ESCROW_BAD_SERIAL('member serial must be lower-case hex');
  const { shares, commitments } = splitSecret(o.anonymityKey, n, o.threshold, o.random);
  const base = { memberSerial: o.memberSerial, threshold: o.threshold, trustees: n, commitments: commitments.map(toHex) };
  try {
    const boxes = await Promise.all(
      shares.map(async (s, i) => {
        const trusteeKey = o.trustees[i]!.hpkePublicKey;
        const sealed = await hpkeSeal(fromHex(trusteeKey, 32), s.value, { info: SHARE_INFO, aad: shareAad(base, s.index, trusteeKey) });
        return { index: s.index, trusteeKey, enc: toHex(sealed.enc), ciphertext: toHex(sealed.ciphertext) };
      }),
    );
    const unsigned = { format: ESCROW_FORMAT, ...base, shares: boxes } as const;
    return { ...unsigned, caSignature: toBase64(signBytes(ca.privateKey, signedBytes(unsigned))) };
  } finally {
    for (const s of shares) wipe(s.value);
  }
}

const HEX32 = /^[0-9a-f]{64}$/;

/** Validates an untrusted record (object or JSON text) and checks the CA signature on it. */
export function verifyEscrowRecord(input: EscrowRecord | string, caCert: string | Uint8Array): EscrowRecord {
  let o: Record<string, unknown>;
  if (typeof input === 'string') {
    if (input.length > MAX_RECORD_CHARS) malformed('too large');
    try {
      o = JSON.parse(input) as Record<string, unknown>;
    } catch {
      return malformed('not JSON');
    }
  } else {
    o = input as unknown as Record<string, unknown>;
  }
  if (typeof o !== 'object' || o === null || o.format !== ESCROW_FORMAT) malformed(`format is not ${ESCROW_FORMAT}`);
  const { memberSerial, threshold, trustees, commitments, shares, caSignature } = o;
  if (typeof memberSerial !== 'string' || !/^[0-9a-f]{2,40}$/.test(memberSerial)) malformed('bad memberSerial');
  if (!Number.isInteger(trustees) || (trustees as number) < 1 || (trustees as number) > TRUSTEE_MAX) malformed('bad trustees');
  if (!Number.isInteger(threshold) || (threshold as number) < 1 || (threshold as number) > (trustees as number)) malformed('bad threshold');
  if (!Array.isArray(commitments) || commitments.length !== threshold) malformed('need exactly k commitments');
  for (const c of commitments) {
    if (typeof c !== 'string' || !HEX32.test(c)) malformed('bad commitment');
    try {
      decodePoint(fromHex(c));
    } catch {
      malformed('commitment is not a ristretto255 point');
    }
  }
  if (!Array.isArray(shares) || shares.length !== trustees) malformed('need exactly n shares');
  const boxes: EscrowShareBox[] = shares.map((s: unknown, i) => {
    const b = s as Record<string, unknown>;
    if (typeof b !== 'object' || b === null || b.index !== i + 1) malformed('shares must be listed by index 1..n');
    if (typeof b.trusteeKey !== 'string' || !HEX32.test(b.trusteeKey)) malformed('bad trusteeKey');
    if (typeof b.enc !== 'string' || !HEX32.test(b.enc)) malformed('bad enc');
    if (typeof b.ciphertext !== 'string' || !/^[0-9a-f]{96}$/.test(b.ciphertext)) malformed('bad ciphertext');
    return { index: i + 1, trusteeKey: b.trusteeKey, enc: b.enc, ciphertext: b.ciphertext };
  });
  if (typeof caSignature !== 'string' || caSignature.length > 2048) malformed('bad caSignature');
  let sig: Uint8Array;
  try {
    sig = fromBase64(caSignature);
  } catch {
    return malformed('caSignature is not base64');
  }
  const record: EscrowRecord = {
    format: ESCROW_FORMAT,
    memberSerial,
    threshold: threshold as number,
    trustees: trustees as number,
    commitments: commitments as string[],
    shares: boxes,
    caSignature,
  };
  const anchor = trustAnchor(caCert);
  if (!verifyBytes(anchor.publicKey, signedBytes(record), sig)) {
    throw IdentityErrors.ESCROW_BAD_SIGNATURE(`escrow record for ${memberSerial} is not signed by this community CA`);
  }
  return record;
}

/**
 * Trustee `index` opens its share: checks the CA signature, that the share was sealed to this
 * trustee, decrypts it and checks it against the Feldman commitments. The caller wipes
 * `share.value` when done.
 */
export async function openEscrowShare(
  input: EscrowRecord | string,
  index: number,
  trustee: { readonly hpkePrivateKey: Uint8Array },
  caCert: string | Uint8Array,
): Promise<Share> {
  const record = verifyEscrowRecord(input, caCert);
  const box = record.shares[index - 1];
  if (!Number.isInteger(index) || !box) throw IdentityErrors.ESCROW_NO_SHARE(`no share ${index} in this record`);
  const myKey = toHex(x25519RawPublicKey(x25519PrivateKeyFromRaw(trustee.hpkePrivateKey)));
  if (myKey !== box.trusteeKey) throw IdentityErrors.ESCROW_WRONG_TRUSTEE(`share ${index} is sealed to another trustee key`);
  let value: Uint8Array;
  try {
    value = await hpkeOpen(trustee.hpkePrivateKey, { enc: fromHex(box.enc), ciphertext: fromHex(box.ciphertext) }, { info: SHARE_INFO, aad: shareAad(record, index, box.trusteeKey) });
  } catch (e) {
    throw IdentityErrors.ESCROW_OPEN_FAILED(`cannot open share ${index}: ${(e as Error).message}`, { cause: e });
  }
  const share = { index, value };
  let ok = false;
  try {
    decodeScalar(value);
    ok = verifyShare(share, record.commitments.map((c) => fromHex(c)));
  } catch {
    ok = false;
  }
  if (!ok) {
    wipe(value);
    throw IdentityErrors.ESCROW_BAD_SHARE(`share ${index} does not match the commitments`);
  }
  return share;
}

/**
 * Letters of intent (docs/protocol.md §8.5): the only way a member's identifying data moves, and
 * only to one clinic. The clinic signs first, "to protect the data" (its passport, purposes,
 * retention, the items it asks for, the offer, a nonce, a date); the member answers "to give it"
 * (its passport, the items it gives — those asked or fewer —, the SHA-256 of the clinic's letter,
 * a date). Each letter is signed with its signer's passport key and checked against the
 * community CA. Signing the member's letter asks for the member's passphrase, checked against
 * the member's keystore, so nobody at an unlocked screen signs in the member's name.
 *
 * Sealing the letters for the way and releasing the data: letter-seal.ts, identity-release.ts.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { TokumeiError, type ErrorKind } from '../../errors.js';
import { fromBase64, fromHex, toBase64, toHex, utf8, wipe } from '../../crypto/bytes.js';
import { sha256 } from '../../crypto/hash.js';
import { randomBytesFrom, type RandomSource } from '../../crypto/random.js';
import { signBytes, verifyBytes } from '../../crypto/signing.js';
import { openKeystore } from '../../identity/keystore.js';
import { memberKeysFromSecrets } from '../../identity/member.js';
import { verifyPassport } from '../../identity/passport.js';
import type { Passport, RevocationList } from '../../identity/types.js';
import { decodeAddress } from '../../routing/formats/one-time-address.js';
import { IDENTIFYING_ATTRIBUTES, type IdentifyingAttribute } from '../profile/attributes.js';
import { arrayField, attributeSet, decodeUtf8, parseObject, textField, timeField } from './json-fields.js';
import { checkCanonical, exactKeys, failWith, hexField, intField, type Fail } from '../../wire/json-fields.js';
import { letterSealKey } from './letter-seal.js';
import { IdentityErrors } from '../../identity/identity-errors.js';

export const LETTER_FORMAT = 'tokumei-health-letter/1';
export const LETTER_LIMITS = {
  maxBytes: 32_768,
  maxClinicBytes: 128,
  maxPurposes: 8,
  maxPurposeBytes: 256,
  maxRetentionDays: 3_650,
  /** Base64 of a passport of at most 16 KiB (§2.2). */
  maxPassportChars: 21_848,
  /** Base64 of an RSA-8192 signature. */
  maxSignatureChars: 1_368,
  /** How far a letter's date may be ahead of the verifier's clock. */
  clockSkewMs: 5 * 60_000,
} as const;

export type LetterRole = 'clinic' | 'member';

/** What trusting a letter needs: the community CA, its CRL, the time (ms). */
export interface LetterTrust {
  ca: string | Uint8Array;
  crl?: RevocationList | undefined;
  now: number;
}

export interface ClinicLetterDraft {
  offerId: string;
  /** The name the clinic presents; the letter binds it to the clinic's passport. */
  clinic: string;
  /** What the data will be used for: 1..8 lines. */
  purposes: string[];
  /** How long the clinic keeps the data, 1..3650 days. */
  retentionDays: number;
  /** The identifying attributes asked for (§8.1: name, address, phone, email, birthDate). */
  items: IdentifyingAttribute[];
  /** The member's answer address this letter answers (the letter is sealed to its key). */
  answerAddress: string;
  /** ms since the epoch. */
  date: number;
}

export interface ClinicLetter extends ClinicLetterDraft {
  role: 'clinic';
  passport: Passport;
  /** Raw X25519 public key the member seals its letter and the data to (letter-seal.ts). */
  sealKey: Uint8Array;
  nonce: string;
  /** The exact bytes, and hex SHA-256 of them (what the member's letter names). */
  bytes: Uint8Array;
  hash: string;
}

export interface MemberLetter {
  role: 'member';
  offerId: string;
  passport: Passport;
  items: IdentifyingAttribute[];
  /** Hex SHA-256 of the clinic letter's bytes. */
  clinicLetter: string;
  date: number;
  bytes: Uint8Array;
  hash: string;
}

/** The clinic's keys: a NodeIdentity fits. */
export interface ClinicSigner {
  passport: Passport;
  signingPrivateKey: KeyObject;
  onionPrivateKey: KeyObject;
}

/** The member confirms signing with its passphrase, checked against its keystore (§2.4). */
export interface PassphraseConfirmation {
  passphrase: string;
  keystoreText: string;
}

export interface MemberLetterRequest extends LetterTrust {
  /** The member's own passport (PEM or DER). */
  passport: string | Uint8Array;
  /** The offer the member answered, and the answer address it gave: the clinic letter must name both. */
  offerId: string;
  answerAddress: string;
  /** The items to give: all those asked (default) or fewer. */
  items?: IdentifyingAttribute[];
}

const CLINIC_KEYS = ['format', 'role', 'offerId', 'clinic', 'passport', 'purposes', 'retentionDays', 'items', 'answerAddress', 'sealKey', 'nonce', 'date', 'signature'];
const MEMBER_KEYS = ['format', 'role', 'offerId', 'passport', 'items', 'clinicLetter', 'date', 'signature'];

function refuse(kind: ErrorKind, code: string, message: string): never {
  throw new TokumeiError(kind, code, message);
}

/** What a signature covers: a label naming the role, then the letter's JSON without `signature`. */
function signedBytes(role: LetterRole, body: Record<string, unknown>): Uint8Array {
  return utf8(`${LETTER_FORMAT} ${role}\n${JSON.stringify(body)}`);
}

function itemSet(v: unknown, what: string, fail: Fail): IdentifyingAttribute[] {
  const items = attributeSet(v, 1, IDENTIFYING_ATTRIBUTES.length, what, fail);
  for (const i of items) if (!(IDENTIFYING_ATTRIBUTES as readonly string[]).includes(i)) fail(`${what}: ${i} is not an identifying attribute`);
  return items as IdentifyingAttribute[];
}

function addressField(v: unknown, fail: Fail): string {
  try {
    decodeAddress(v as string);
  } catch {
    fail('answerAddress is not a one-time address');
  }
  return v as string;
}

function checkDraft(d: Record<string, unknown>, fail: Fail): ClinicLetterDraft {
  return {
    offerId: hexField(d.offerId, 16, 'offerId', fail),
    clinic: textField(d.clinic, { maxBytes: LETTER_LIMITS.maxClinicBytes }, 'clinic', fail),
    purposes: arrayField(d.purposes, 1, LETTER_LIMITS.maxPurposes, 'purposes', fail).map((p, i) =>
      textField(p, { maxBytes: LETTER_LIMITS.maxPurposeBytes }, `purpose ${i}`, fail),
    ),
    retentionDays: intField(d.retentionDays, 1, LETTER_LIMITS.maxRetentionDays, 'retentionDays', fail),
    items: itemSet(d.items, 'items', fail),
    answerAddress: addressField(d.answerAddress, fail),
    date: timeField(d.date, 'date', fail),
  };
}

/**
 * The clinic signs its letter. `items` are sorted here; the nonce is 16 fresh random bytes; the
 * seal key is derived from the clinic's onion key (letter-seal.ts). HEALTH_BAD_LETTER (bad-input)
 * for a draft out of bounds.
 */
export function signClinicLetter(draft: ClinicLetterDraft, signer: ClinicSigner, random?: RandomSource): Uint8Array {
  const fail: Fail = failWith('bad-input', 'HEALTH_BAD_LETTER', 'clinic letter');
  if (typeof draft !== 'object' || draft === null) fail('draft must be an object');
  exactKeys(draft as unknown as Record<string, unknown>, ['offerId', 'clinic', 'purposes', 'retentionDays', 'items', 'answerAddress', 'date'], 'draft', fail);
  const sealKey = letterSealKey(signer.onionPrivateKey);
  wipe(sealKey.privateKey);
  const d = checkDraft({ ...draft, items: Array.isArray(draft.items) ? [...draft.items].sort() : draft.items }, fail);
  const body = {
    format: LETTER_FORMAT,
    role: 'clinic',
    offerId: d.offerId,
    clinic: d.clinic,
    passport: toBase64(signer.passport.der),
    purposes: d.purposes,
    retentionDays: d.retentionDays,
    items: d.items,
    answerAddress: d.answerAddress,
    sealKey: toHex(sealKey.publicKey),
    nonce: toHex(randomBytesFrom(random, 16)),
    date: d.date,
  };
  const signature = signBytes(signer.signingPrivateKey, signedBytes('clinic', body));
  return utf8(JSON.stringify({ ...body, signature: toBase64(signature) }));
}

/**
 * Parses a letter of `role` in the order of §8.5: canonical form, then the fields (`check`), then
 * the signer's passport against the CA, the signature, and the date.
 */
function parseSigned<T>(bytes: Uint8Array, role: LetterRole, trust: LetterTrust, fail: Fail, check: (o: Record<string, unknown>) => T): { fields: T; passport: Passport } {
  const text = decodeUtf8(bytes, LETTER_LIMITS.maxBytes, fail);
  const o = parseObject(text, LETTER_LIMITS.maxBytes, fail);
  const keys = role === 'clinic' ? CLINIC_KEYS : MEMBER_KEYS;
  exactKeys(o, keys, `${role} letter`, fail);
  if (Object.keys(o).join() !== keys.join()) fail('fields are not in canonical order');
  if (o.format !== LETTER_FORMAT || o.role !== role) fail(`not a ${role} letter of ${LETTER_FORMAT}`);
  const { signature, ...body } = o;
  checkCanonical(text, JSON.stringify({ ...body, signature }), fail);
  const fields = check(o);
  const date = timeField(o.date, 'date', fail);
  if (typeof o.passport !== 'string' || o.passport.length > LETTER_LIMITS.maxPassportChars) fail('passport must be base64 DER');
  if (typeof signature !== 'string' || signature.length > LETTER_LIMITS.maxSignatureChars) fail('signature must be base64');
  let der: Uint8Array;
  let sig: Uint8Array;
  try {
    der = fromBase64(o.passport);
    sig = fromBase64(signature);
  } catch {
    return fail('passport or signature is not canonical base64');
  }
  const passport = verifyPassport(der, trust);
  if (!verifyBytes(passport.signingKey, signedBytes(role, body), sig)) {
    refuse('crypto', 'HEALTH_LETTER_SIGNATURE', `the ${role} letter's signature does not verify with the passport of member ${passport.serial}`);
  }
  if (date > trust.now + LETTER_LIMITS.clockSkewMs) refuse('refused', 'HEALTH_LETTER_FUTURE', `the ${role} letter is dated ${new Date(date).toISOString()}, in the future`);
  return { fields, passport };
}

function checkTrust(trust: LetterTrust): void {
  if (typeof trust !== 'object' || trust === null || typeof trust.now !== 'number' || !Number.isFinite(trust.now)) {
    refuse('bad-input', 'HEALTH_BAD_TIME', 'verifying a letter needs { ca, now }');
  }
}

/**
 * Verifies a clinic letter (untrusted bytes): canonical form and bounds (HEALTH_BAD_LETTER), the
 * clinic's passport against the CA (passport refusals as they come: LINK_OTHER_CA, LINK_EXPIRED,
 * LINK_REVOKED…), the signature (HEALTH_LETTER_SIGNATURE), the date (HEALTH_LETTER_FUTURE), and,
 * when given, that it names the expected offer and answer address (HEALTH_LETTER_MISMATCH).
 */
export function verifyClinicLetter(bytes: Uint8Array, trust: LetterTrust, expect: { offerId?: string; answerAddress?: string } = {}): ClinicLetter {
  checkTrust(trust);
  const fail: Fail = failWith('protocol', 'HEALTH_BAD_LETTER', 'clinic letter');
  const { fields: d, passport } = parseSigned(bytes, 'clinic', trust, fail, (o) => ({
    ...checkDraft(o, fail),
    sealKey: fromHex(hexField(o.sealKey, 32, 'sealKey', fail)),
    nonce: hexField(o.nonce, 16, 'nonce', fail),
  }));
  const mismatch = (why: string): never => refuse('refused', 'HEALTH_LETTER_MISMATCH', `the clinic letter ${why}`);
  if (expect.offerId !== undefined && d.offerId !== expect.offerId) mismatch(`is for offer ${d.offerId}, not ${expect.offerId}`);
  if (expect.answerAddress !== undefined && d.answerAddress !== expect.answerAddress) mismatch('answers another answer address');
  const copy = bytes.slice();
  return { ...d, role: 'clinic', passport, bytes: copy, hash: toHex(sha256(copy)) };
}

/**
 * Verifies a member letter against the clinic letter it answers (both verified in full): same
 * offer, the clinic letter's hash, items among those asked, dated no earlier than the clinic's
 * letter (HEALTH_LETTER_MISMATCH otherwise). Returns both.
 */
export function verifyMemberLetter(memberBytes: Uint8Array, clinicBytes: Uint8Array, trust: LetterTrust): { clinic: ClinicLetter; member: MemberLetter } {
  const clinic = verifyClinicLetter(clinicBytes, trust);
  const fail: Fail = failWith('protocol', 'HEALTH_BAD_LETTER', 'member letter');
  const { fields, passport } = parseSigned(memberBytes, 'member', trust, fail, (o) => ({
    offerId: hexField(o.offerId, 16, 'offerId', fail),
    items: itemSet(o.items, 'items', fail),
    clinicLetter: hexField(o.clinicLetter, 32, 'clinicLetter', fail),
    date: timeField(o.date, 'date', fail),
  }));
  const copy = memberBytes.slice();
  const member: MemberLetter = { role: 'member', ...fields, passport, bytes: copy, hash: toHex(sha256(copy)) };
  const mismatch = (why: string): never => refuse('refused', 'HEALTH_LETTER_MISMATCH', `the member letter ${why}`);
  if (member.clinicLetter !== clinic.hash) mismatch('answers another clinic letter');
  if (member.offerId !== clinic.offerId) mismatch(`is for offer ${member.offerId}, the clinic letter for ${clinic.offerId}`);
  for (const i of member.items) if (!clinic.items.includes(i)) mismatch(`gives ${i}, which the clinic letter does not ask for`);
  if (member.date + LETTER_LIMITS.clockSkewMs < clinic.date) mismatch('is dated before the clinic letter');
  return { clinic, member };
}

/**
 * The member signs its letter, after checking the clinic's letter (verifyClinicLetter with the
 * offer and answer address the member used) and its own passport, and only once the passphrase
 * opens the member's keystore (KEYSTORE_BAD_PASSPHRASE otherwise: nothing is signed) and the
 * keystore's key is the passport's (HEALTH_KEY_MISMATCH). Dated `request.now`.
 */
export async function signMemberLetter(clinicBytes: Uint8Array, request: MemberLetterRequest, confirm: PassphraseConfirmation): Promise<Uint8Array> {
  const clinic = verifyClinicLetter(clinicBytes, request, { offerId: request.offerId, answerAddress: request.answerAddress });
  const fail: Fail = failWith('bad-input', 'HEALTH_BAD_LETTER', 'member letter');
  const items = request.items === undefined ? clinic.items : itemSet(Array.isArray(request.items) ? [...request.items].sort() : request.items, 'items', fail);
  for (const i of items) if (!clinic.items.includes(i)) refuse('bad-input', 'HEALTH_LETTER_MISMATCH', `the clinic letter does not ask for ${i}`);
  const own = verifyPassport(request.passport, request);
  if (typeof confirm !== 'object' || confirm === null || typeof confirm.passphrase !== 'string' || typeof confirm.keystoreText !== 'string') {
    refuse('bad-input', 'HEALTH_NEED_PASSPHRASE', 'signing a letter of intent needs your passphrase and your keystore');
  }
  let signingKey: KeyObject;
  try {
    signingKey = memberKeysFromSecrets(await openKeystore(confirm.keystoreText, confirm.passphrase, 'member')).signingPrivateKey;
  } catch (e) {
    if (e instanceof TokumeiError && e.code === 'KEYSTORE_BAD_PASSPHRASE') {
      throw IdentityErrors.KEYSTORE_BAD_PASSPHRASE('wrong passphrase: the letter of intent was not signed and nothing was sent', { cause: e });
    }
    throw e;
  }
  if (!createPublicKey(signingKey).equals(own.signingKey)) refuse('refused', 'HEALTH_KEY_MISMATCH', `the keystore does not hold the key of passport ${own.serial}`);
  const body = {
    format: LETTER_FORMAT,
    role: 'member',
    offerId: clinic.offerId,
    passport: toBase64(own.der),
    items,
    clinicLetter: clinic.hash,
    date: timeField(request.now, 'now', fail),
  };
  const signature = signBytes(signingKey, signedBytes('member', body));
  return utf8(JSON.stringify({ ...body, signature: toBase64(signature) }));
}

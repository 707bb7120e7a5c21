/**
 * Emergency opening requests (DESIGN §4, docs/protocol.md §2.7): an authority asks the trustees
 * which member is behind one anonymous ID, says why, and signs the request with its Ed25519 key.
 * An authority *is* its public key; its name is a label that must match the trustee's list
 * (`authorities.json`), which each trustee keeps for itself — k of them must agree to open.
 */
import type { KeyObject } from 'node:crypto';
import { TokumeiError } from '../errors.js';
import { fromBase64, fromHex, toBase64, toHex, utf8 } from '../crypto/bytes.js';
import { sha256 } from '../crypto/hash.js';
import { randomBytesFrom, type RandomSource } from '../crypto/random.js';
import { decodePoint, IDENTITY_POINT } from '../crypto/ristretto.js';
import { ed25519PublicKeyFromRaw, ed25519RawPublicKey, signBytes, verifyBytes } from '../crypto/signing.js';
import { asObject, labelledJson, textField } from './fields.js';
import { checkCanonical, exactKeys, failWith, hexField, intField, type Fail } from '../wire/json-fields.js';
import { TrusteeErrors } from './trustees-errors.js';

export const OPENING_REQUEST_FORMAT = 'tokumei-opening-request/1';
export const AUTHORITIES_FORMAT = 'tokumei-authorities/1';
export const ANON_ID_LENGTH = 64;
export const AUTHORITY_MAX_BYTES = 128;
export const REASON_MAX_BYTES = 1024;
/** A trustee approves a request at most this old (and at most this far in the future: clock skew). */
export const OPENING_REQUEST_MAX_AGE_MS = 7 * 86_400_000;
export const OPENING_REQUEST_MAX_SKEW_MS = 5 * 60_000;
const MAX_REQUEST_CHARS = 8 * 1024;
const MAX_AUTHORITIES = 64; // BOUNDED(64) per authorities.json
const SIGNATURE_LABEL = `${OPENING_REQUEST_FORMAT}\n`;
const FIELDS = ['format', 'requestId', 'anonId', 'authority', 'authorityKey', 'reason', 'requestedAt', 'signature'] as const;

export interface OpeningRequest {
  readonly format: typeof OPENING_REQUEST_FORMAT;
  /** 16 random bytes, hex. */
  readonly requestId: string;
  /** The anonymous ID to open, R | K (§6.1), hex. */
  readonly anonId: string;
  /** The authority's name, as in the trustees' authorities.json. */
  readonly authority: string;
  /** The authority's Ed25519 public key, hex: what identifies it. */
  readonly authorityKey: string;
  readonly reason: string;
  /** ms since the epoch. */
  readonly requestedAt: number;
  /** Ed25519 over "tokumei-opening-request/1\n" | JSON of the other fields in order, base64. */
  readonly signature: string;
}

/** One allowed authority in a trustee's authorities.json. */
export interface OpeningAuthority {
  readonly name: string;
  /** Ed25519 public key, hex. */
  readonly signingPublicKey: string;
}

const failRequest: Fail = failWith('bad-input', 'OPENING_BAD_REQUEST', 'opening request');

function unsignedBody(r: Omit<OpeningRequest, 'signature'>): object {
  return { format: r.format, requestId: r.requestId, anonId: r.anonId, authority: r.authority, authorityKey: r.authorityKey, reason: r.reason, requestedAt: r.requestedAt };
}

/** R must decode and not be the identity, K must decode (§6.1: (identity, identity) is everyone's). */
function checkAnonId(hex: string, fail: Fail): void {
  const id = fromHex(hex, ANON_ID_LENGTH);
  try {
    if (decodePoint(id.subarray(0, 32)).equals(IDENTITY_POINT)) fail('anonId has R = identity');
    decodePoint(id.subarray(32));
  } catch (e) {
    if (e instanceof TokumeiError && e.code === 'OPENING_BAD_REQUEST') throw e;
    fail('anonId is not two ristretto255 points');
  }
}

function checkEd25519Key(hex: string, what: string, fail: Fail): void {
  try {
    ed25519PublicKeyFromRaw(fromHex(hex, 32));
  } catch {
    fail(`${what} is not an Ed25519 public key`);
  }
}

export interface CreateOpeningRequestOptions {
  anonId: Uint8Array;
  authority: string;
  reason: string;
  /** The authority's Ed25519 private key. */
  authorityKey: KeyObject;
  now: number;
  random?: RandomSource;
}

export function createOpeningRequest(o: CreateOpeningRequestOptions): OpeningRequest {
  if (!(o.anonId instanceof Uint8Array)) failRequest('anonId must be bytes');
  const body = {
    format: OPENING_REQUEST_FORMAT,
    requestId: toHex(randomBytesFrom(o.random, 16)),
    anonId: toHex(o.anonId),
    authority: o.authority,
    authorityKey: toHex(ed25519RawPublicKey(o.authorityKey)),
    reason: o.reason,
    requestedAt: o.now,
  } as const;
  const signature = toBase64(signBytes(o.authorityKey, labelledJson(SIGNATURE_LABEL, unsignedBody(body))));
  return decodeOpeningRequest({ ...body, signature }); // the same checks a trustee runs
}

/** Canonical JSON (§2.7): the fields in the documented order, no white space. */
export function encodeOpeningRequest(r: OpeningRequest): string {
  return JSON.stringify({ ...unsignedBody(r), signature: r.signature });
}

/** Strict shape check of an untrusted request (text must be canonical); not the signature. */
export function decodeOpeningRequest(input: unknown): OpeningRequest {
  const o = asObject(input, MAX_REQUEST_CHARS, failRequest);
  exactKeys(o, FIELDS, 'the object', failRequest);
  if (o.format !== OPENING_REQUEST_FORMAT) failRequest(`format is not ${OPENING_REQUEST_FORMAT}`);
  const anonId = hexField(o.anonId, ANON_ID_LENGTH, 'anonId', failRequest);
  checkAnonId(anonId, failRequest);
  const authorityKey = hexField(o.authorityKey, 32, 'authorityKey', failRequest);
  checkEd25519Key(authorityKey, 'authorityKey', failRequest);
  const signature = o.signature;
  if (typeof signature !== 'string' || signature.length !== 88) failRequest('signature must be 64 bytes of base64');
  try {
    fromBase64(signature);
  } catch {
    failRequest('signature is not canonical base64');
  }
  const r: OpeningRequest = {
    format: OPENING_REQUEST_FORMAT,
    requestId: hexField(o.requestId, 16, 'requestId', failRequest),
    anonId,
    authority: textField(o.authority, AUTHORITY_MAX_BYTES, 'authority', failRequest),
    authorityKey,
    reason: textField(o.reason, REASON_MAX_BYTES, 'reason', failRequest),
    requestedAt: intField(o.requestedAt, 0, Number.MAX_SAFE_INTEGER, 'requestedAt', failRequest),
    signature,
  };
  checkCanonical(input, encodeOpeningRequest(r), failRequest);
  return r;
}

/** Decodes and checks the authority's signature (OPENING_BAD_SIGNATURE). */
export function verifyOpeningRequest(input: unknown): OpeningRequest {
  const r = decodeOpeningRequest(input);
  const key = ed25519PublicKeyFromRaw(fromHex(r.authorityKey, 32));
  if (!verifyBytes(key, labelledJson(SIGNATURE_LABEL, unsignedBody(r)), fromBase64(r.signature))) {
    throw TrusteeErrors.OPENING_BAD_SIGNATURE(`opening request ${r.requestId} is not signed by its authority key`);
  }
  return r;
}

/** requestHash = SHA-256(UTF-8 of the canonical request, signature included) (§2.7). */
export function openingRequestHash(r: OpeningRequest): Uint8Array {
  return sha256(utf8(encodeOpeningRequest(r)));
}

/** The anonymous ID's two points, R and K, as bytes. */
export function requestIdPoints(r: OpeningRequest): { R: Uint8Array; K: Uint8Array } {
  const id = fromHex(r.anonId, ANON_ID_LENGTH);
  return { R: id.subarray(0, 32), K: id.subarray(32) };
}

/** The trustee's policy: the key is listed under that name (OPENING_AUTHORITY_REFUSED). */
export function checkAuthority(r: OpeningRequest, authorities: readonly OpeningAuthority[]): void {
  if (!authorities.some((a) => a.signingPublicKey === r.authorityKey && a.name === r.authority)) {
    throw TrusteeErrors.OPENING_AUTHORITY_REFUSED(`authority ${JSON.stringify(r.authority)} with key ${r.authorityKey.slice(0, 16)}… is not allowed to request openings`);
  }
}

/** The trustee's clock check: not older than 7 days, not more than 5 minutes ahead (OPENING_REQUEST_STALE). */
export function checkRequestTime(r: OpeningRequest, now: number): void {
  if (r.requestedAt > now + OPENING_REQUEST_MAX_SKEW_MS || r.requestedAt < now - OPENING_REQUEST_MAX_AGE_MS) {
    throw TrusteeErrors.OPENING_REQUEST_STALE(`opening request ${r.requestId} was made at ${new Date(r.requestedAt).toISOString()}, outside the accepted window`);
  }
}

/** Parses a trustee's authorities.json: { "format": "tokumei-authorities/1", "authorities": [ { "name", "signingPublicKey" } … ] }. */
export function parseAuthorityList(input: unknown): OpeningAuthority[] {
  const fail = failWith('bad-input', 'OPENING_BAD_AUTHORITIES', 'authorities list');
  const o = asObject(input, 64 * 1024, fail);
  exactKeys(o, ['format', 'authorities'], 'the object', fail);
  if (o.format !== AUTHORITIES_FORMAT) fail(`format is not ${AUTHORITIES_FORMAT}`);
  if (!Array.isArray(o.authorities) || o.authorities.length > MAX_AUTHORITIES) fail(`authorities must be a list of at most ${MAX_AUTHORITIES}`);
  return (o.authorities as unknown[]).map((a) => {
    const e = asObject(a, 0, fail);
    exactKeys(e, ['name', 'signingPublicKey'], 'the object', fail);
    const signingPublicKey = hexField(e.signingPublicKey, 32, 'signingPublicKey', fail);
    checkEd25519Key(signingPublicKey, 'signingPublicKey', fail);
    return { name: textField(e.name, AUTHORITY_MAX_BYTES, 'name', fail), signingPublicKey };
  });
}

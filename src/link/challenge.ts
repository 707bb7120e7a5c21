/**
 * The newcomer challenge (docs/protocol.md §4.2), bound to the transport's channel binding (the
 * TLS exporter). Each side challenges the other with an ephemeral X25519 key and a nonce; the
 * answer is a MAC keyed by X25519(onion key, ephemeral) — only the holder of the onion private key
 * the CA signed into the passport can compute it — and a signature by the passport key over the
 * same transcript, so the proof cannot be moved to another link or another member.
 */
import type { KeyObject } from 'node:crypto';
import { hkdfSha256 } from '../crypto/hkdf.js';
import { generateX25519, x25519, x25519PublicKeyFromRaw } from '../crypto/x25519.js';
import { hmacSha256 } from '../crypto/hash.js';
import { constantTimeEqual } from '../crypto/bytes.js';
import { signBytes, verifyBytes } from '../crypto/signing.js';
import { Reader, Writer } from '../wire/codec.js';
import { TokumeiError, LinkRefusal } from '../errors.js';
import type { Passport } from '../identity/types.js';
import { LinkErrors } from './link-errors.js';

const VERSION = 1;
const LABEL = new TextEncoder().encode('tokumei-link-auth-v1');
const KDF_INFO = new TextEncoder().encode('tokumei link onion proof');
export const CHALLENGE_SIZE = 1 + 32 + 32;

export interface Challenge {
  /** The encoded CHALLENGE payload (what the peer saw). */
  bytes: Uint8Array;
  ephemeralPrivate: KeyObject;
}

export function makeChallenge(nonce: Uint8Array): Challenge {
  const { privateKey, publicRaw } = generateX25519();
  const bytes = new Writer().u8(VERSION).bytes(publicRaw).bytes(nonce).finish();
  return { bytes, ephemeralPrivate: privateKey };
}

/** Checks a peer's CHALLENGE payload and returns its ephemeral public key. */
export function parseChallenge(payload: Uint8Array): { ephemeral: Uint8Array } {
  const r = new Reader(payload);
  const version = r.u8('challenge version');
  if (version !== VERSION) throw LinkErrors.LINK_VERSION(`unsupported link version ${version}`);
  const ephemeral = r.bytes(32, 'challenge key').slice();
  r.bytes(32, 'challenge nonce');
  r.end('challenge');
  return { ephemeral };
}

function proofKey(privateKey: KeyObject, publicRaw: Uint8Array, channelBinding: Uint8Array): Uint8Array {
  let shared: Uint8Array;
  try {
    shared = x25519(privateKey, x25519PublicKeyFromRaw(publicRaw)); // refuses an all-zero result
  } catch (e) {
    throw new TokumeiError('refused', LinkRefusal.CHALLENGE_FAILED, 'challenge key is not a usable X25519 point', { cause: e });
  }
  const key = hkdfSha256(shared, channelBinding, KDF_INFO, 32);
  shared.fill(0);
  return key;
}

export interface TranscriptParts {
  channelBinding: Uint8Array;
  proverIsInitiator: boolean;
  proverSerial: string;
  verifierSerial: string;
  verifierChallenge: Uint8Array;
  proverChallenge: Uint8Array;
}

function transcript(p: TranscriptParts): Uint8Array {
  return new Writer()
    .bytes(LABEL)
    .bytes(p.channelBinding)
    .u8(p.proverIsInitiator ? 1 : 0)
    .string8(p.proverSerial)
    .string8(p.verifierSerial)
    .bytes(p.verifierChallenge)
    .bytes(p.proverChallenge)
    .finish();
}

/** The prover's AUTHENTICATE payload: mac(32) | u16 sig length | signature. */
export function answerChallenge(parts: TranscriptParts, onionPrivate: KeyObject, signingKey: KeyObject): Uint8Array {
  const { ephemeral } = parseChallenge(parts.verifierChallenge);
  const t = transcript(parts);
  const key = proofKey(onionPrivate, ephemeral, parts.channelBinding);
  const mac = hmacSha256(key, t);
  key.fill(0);
  const sig = signBytes(signingKey, new Writer().bytes(t).bytes(mac).finish());
  return new Writer().bytes(mac).bytes16(sig).finish();
}

/** Verifies the peer's AUTHENTICATE payload against its passport; throws LINK_CHALLENGE_FAILED. */
export function checkAnswer(parts: TranscriptParts, answer: Uint8Array, myChallenge: Challenge, prover: Passport): void {
  const r = new Reader(answer);
  const mac = r.bytes(32, 'authenticate mac');
  const sig = r.bytes16('authenticate signature');
  r.end('authenticate');
  const t = transcript(parts);
  const key = proofKey(myChallenge.ephemeralPrivate, prover.onionKey, parts.channelBinding);
  const expected = hmacSha256(key, t);
  key.fill(0);
  if (!constantTimeEqual(mac, expected)) {
    throw new TokumeiError('refused', LinkRefusal.CHALLENGE_FAILED, 'peer does not hold the onion key of its passport');
  }
  if (!verifyBytes(prover.signingKey, new Writer().bytes(t).bytes(mac).finish(), sig)) {
    throw new TokumeiError('refused', LinkRefusal.CHALLENGE_FAILED, 'challenge signature does not verify with the passport key');
  }
}


/**
 * Signed node descriptors (docs/protocol.md §5.1): what a node says about itself to the overlay —
 * its listening address, onion key and node information (uptime, degree, load, CRL number). A
 * descriptor travels with the passport that signs it, so any member can check it against the CA
 * without a directory.
 */
import type { KeyObject } from 'node:crypto';
import { signBytes, verifyBytes } from '../crypto/signing.js';
import { constantTimeEqual, toHex } from '../crypto/bytes.js';
import { sha256 } from '../crypto/hash.js';
import { verifyPassport } from '../identity/passport.js';
import type { Passport, RevocationList } from '../identity/types.js';
import { Reader, Writer } from '../wire/codec.js';
import { TokumeiError } from '../errors.js';
import { parseAddress } from './address.js';
import { OverlayErrors } from './overlay-errors.js';

const VERSION = 1;
const DOMAIN = new TextEncoder().encode('tokumei-descriptor-v1');

export interface NodeInfo {
  /** When the node started, ms since the epoch. */
  startedAt: number;
  /** Its number of neighbours when it signed. */
  degree: number;
  /** Cells per second it forwarded recently. */
  load: number;
  /** Highest CRL number it enforces. */
  crlNumber: number;
}

export interface Descriptor extends NodeInfo {
  id: string;
  address: string;
  onionKey: Uint8Array;
  issuedAt: number;
}

/** A descriptor with its signature and passport, as it travels. */
export interface SignedDescriptor {
  descriptor: Descriptor;
  passport: Passport;
  /** The exact bytes on the wire (passport DER, descriptor, signature). */
  bytes: Uint8Array;
}

function encodeBody(d: Descriptor): Uint8Array {
  return new Writer()
    .u8(VERSION)
    .string8(d.id)
    .string8(d.address)
    .bytes(d.onionKey)
    .u64(d.issuedAt)
    .u64(d.startedAt)
    .u16(Math.min(d.degree, 0xffff))
    .u32(Math.min(Math.max(0, Math.round(d.load)), 0xffff_ffff))
    .u32(d.crlNumber)
    .finish();
}

function decodeBody(body: Uint8Array): Descriptor {
  const r = new Reader(body);
  const version = r.u8('descriptor version');
  if (version !== VERSION) throw OverlayErrors.DESCRIPTOR_VERSION(`unsupported descriptor version ${version}`);
  const d: Descriptor = {
    id: r.string8('descriptor id'),
    address: r.string8('descriptor address'),
    onionKey: r.bytes(32, 'descriptor onion key').slice(),
    issuedAt: r.u64('descriptor issuedAt'),
    startedAt: r.u64('descriptor startedAt'),
    degree: r.u16('descriptor degree'),
    load: r.u32('descriptor load'),
    crlNumber: r.u32('descriptor crl number'),
  };
  r.end('descriptor');
  parseAddress(d.address);
  return d;
}

export function signDescriptor(d: Descriptor, passport: Passport, signingKey: KeyObject): SignedDescriptor {
  const body = encodeBody(d);
  const sig = signBytes(signingKey, new Writer().bytes(DOMAIN).bytes(body).finish());
  const bytes = new Writer().bytes16(passport.der).bytes16(body).bytes16(sig).finish();
  return { descriptor: d, passport, bytes };
}

export interface DescriptorCheck {
  caPem: string;
  crl: RevocationList | undefined;
  now: number;
  /** Descriptors older than this are stale. */
  maxAgeMs: number;
  /** Tolerated clock skew into the future. */
  maxSkewMs: number;
}

interface Parts {
  der: Uint8Array;
  body: Uint8Array;
  sig: Uint8Array;
}

function split(bytes: Uint8Array): Parts {
  const r = new Reader(bytes);
  const der = r.bytes16('descriptor passport');
  const body = r.bytes16('descriptor body');
  const sig = r.bytes16('descriptor signature');
  r.end('signed descriptor');
  return { der, body, sig };
}

/**
 * What a signed descriptor claims, without checking anything but its form: lets the overlay skip
 * the signature check for descriptors it already holds (gossip repeats them often).
 */
export function peekDescriptor(bytes: Uint8Array): Descriptor {
  return decodeBody(split(bytes).body);
}

/** Descriptors whose signature already verified: BOUNDED(VERIFIED_CAPACITY), oldest first out. */
const VERIFIED_CAPACITY = 4_096;
const verified = new Map<string, true>();

/** Parses and fully checks a descriptor from the wire; throws a TokumeiError on any flaw. */
export function openDescriptor(bytes: Uint8Array, check: DescriptorCheck): SignedDescriptor {
  const { der, body, sig } = split(bytes);
  const passport = verifyPassport(der, { ca: check.caPem, crl: check.crl, now: check.now });
  const descriptor = decodeBody(body);
  if (descriptor.id !== passport.serial) throw OverlayErrors.DESCRIPTOR_MISMATCH('descriptor id is not its passport serial');
  if (!constantTimeEqual(descriptor.onionKey, passport.onionKey)) throw OverlayErrors.DESCRIPTOR_MISMATCH('descriptor onion key is not the passport one');
  // The cache key covers passport, body and signature, so a hit is the very bytes that verified.
  const key = toHex(sha256(bytes));
  if (!verified.has(key)) {
    if (!verifyBytes(passport.signingKey, new Writer().bytes(DOMAIN).bytes(body).finish(), sig)) {
      throw OverlayErrors.DESCRIPTOR_BAD_SIGNATURE('descriptor signature does not verify');
    }
    verified.set(key, true);
    if (verified.size > VERIFIED_CAPACITY) verified.delete(verified.keys().next().value!);
  }
  if (descriptor.issuedAt > check.now + check.maxSkewMs) throw OverlayErrors.DESCRIPTOR_FUTURE('descriptor issued in the future');
  if (descriptor.issuedAt < check.now - check.maxAgeMs) throw OverlayErrors.DESCRIPTOR_STALE('descriptor is stale');
  return { descriptor, passport, bytes: bytes.slice() };
}

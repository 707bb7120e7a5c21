/**
 * Signed node descriptors (docs/protocol.md §5.1): what a node says about itself to the overlay —
 * its listening address, onion key and node information (uptime, degree, load, CRL number). A
 * descriptor travels with the passport that signs it, so any member can check it against the CA
 * without a directory.
 */
import type { KeyObject } from 'node:crypto';
import { signBytes, verifyBytes } from '../crypto/signing.js';
import { constantTimeEqual } from '../crypto/bytes.js';
import { verifyPassport } from '../identity/passport.js';
import type { Passport, RevocationList } from '../identity/types.js';
import { Reader, Writer } from '../wire/codec.js';
import { TokumeiError } from '../errors.js';
import { parseAddress } from './address.js';

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
  if (version !== VERSION) throw new TokumeiError('protocol', 'DESCRIPTOR_VERSION', `unsupported descriptor version ${version}`);
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

/** Parses and fully checks a descriptor from the wire; throws a TokumeiError on any flaw. */
export function openDescriptor(bytes: Uint8Array, check: DescriptorCheck): SignedDescriptor {
  const r = new Reader(bytes);
  const der = r.bytes16('descriptor passport');
  const body = r.bytes16('descriptor body');
  const sig = r.bytes16('descriptor signature');
  r.end('signed descriptor');
  const passport = verifyPassport(der, { ca: check.caPem, crl: check.crl, now: check.now });
  const descriptor = decodeBody(body);
  if (descriptor.id !== passport.serial) throw new TokumeiError('protocol', 'DESCRIPTOR_MISMATCH', 'descriptor id is not its passport serial');
  if (!constantTimeEqual(descriptor.onionKey, passport.onionKey)) throw new TokumeiError('protocol', 'DESCRIPTOR_MISMATCH', 'descriptor onion key is not the passport one');
  if (!verifyBytes(passport.signingKey, new Writer().bytes(DOMAIN).bytes(body).finish(), sig)) {
    throw new TokumeiError('crypto', 'DESCRIPTOR_BAD_SIGNATURE', 'descriptor signature does not verify');
  }
  if (descriptor.issuedAt > check.now + check.maxSkewMs) throw new TokumeiError('protocol', 'DESCRIPTOR_FUTURE', 'descriptor issued in the future');
  if (descriptor.issuedAt < check.now - check.maxAgeMs) throw new TokumeiError('protocol', 'DESCRIPTOR_STALE', 'descriptor is stale');
  return { descriptor, passport, bytes: bytes.slice() };
}

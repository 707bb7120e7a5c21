/**
 * Identity types shared by the passport office, the link layer and the node (DESIGN §4).
 * Wire-level details (extension OIDs, keystore format, escrow record) are in docs/protocol.md §2.
 */
import type { KeyObject } from 'node:crypto';

export type KeyType = 'ed25519' | 'rsa';

/** tokumei's private OID arc (a UUID OID, ITU-T X.667): 2.25.<uuid>. */
export const TOKUMEI_OID_ARC = '2.25.203399603339953122172134673528959278720';
/** Passport extension carrying the member's X25519 onion public key (OCTET STRING, 32 bytes). */
export const ONION_KEY_OID = `${TOKUMEI_OID_ARC}.1`;

/** A verified passport: the X.509 certificate the CA issued to one member. */
export interface Passport {
  readonly der: Uint8Array;
  readonly pem: string;
  /** The member serial, lower-case hex of the certificate serial number; also the node id. */
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** X25519 public key the CA signed into the passport (route setup, link challenge). */
  readonly onionKey: Uint8Array;
  /** The member's long-term signing key (Ed25519 or RSA), as node:crypto key. */
  readonly signingKey: KeyObject;
  readonly keyType: KeyType;
}

/** A parsed, signature-checked certificate revocation list. */
export interface RevocationList {
  readonly der: Uint8Array;
  readonly pem: string;
  /** CRL number (RFC 5280 §5.2.3); a node keeps the highest it has seen. */
  readonly number: number;
  readonly thisUpdate: Date;
  /** Serials (lower-case hex, as Passport.serial) that are revoked. */
  readonly revoked: ReadonlySet<string>;
}

/** What a running node holds after unlocking its keystore. */
export interface NodeIdentity {
  readonly passport: Passport;
  readonly caPem: string;
  /** PKCS#8 PEM of the passport's private (signing) key; also the TLS key. */
  readonly signingKeyPem: string;
  readonly signingPrivateKey: KeyObject;
  /** X25519 private key matching passport.onionKey. */
  readonly onionPrivateKey: KeyObject;
  /** ristretto255 scalar (32 bytes LE) behind this member's anonymous IDs; escrowed with trustees. */
  readonly anonymityKey: Uint8Array;
}

/**
 * Releasing identifying data under letters of intent (docs/protocol.md §8.5). Only after both
 * letters verify — the clinic's ("to protect the data") and the member's ("to give it"), each
 * against the community CA — does the member's device take the identifying items the member's
 * letter names (they are among those the clinic's asks for) from the profile, and nothing else,
 * and seal them to the clinic letter's seal key, so only that clinic can read them.
 *
 *   released data = {"format":"tokumei-health-release/1","offerId":…,"clinicLetter":<hex SHA-256>,
 *                    "memberLetter":<hex SHA-256>,"items":{"<attribute>":"<value>",…}}
 *
 * `items` in catalogue order (§8.1), only attributes the profile holds; sealed as a box of type
 * "released data" (letter-seal.ts).
 */
import type { KeyObject } from 'node:crypto';

import { constantTimeEqual, utf8, wipe } from '../../crypto/bytes.js';
import { checkAttributeValue, IDENTIFYING_ATTRIBUTES, type IdentifyingAttribute } from '../profile/attributes.js';
import { decodeUtf8, parseObject } from './json-fields.js';
import { checkCanonical, exactKeys, failWith, objectField, hexField, type Fail } from '../../wire/json-fields.js';
import { verifyMemberLetter, type LetterTrust } from './letter-of-intent.js';
import { letterSealKey, openBox, sealBox } from './letter-seal.js';
import type { Profile } from '../profile/profile.js';
import { HealthErrors } from '../health-errors.js';

export const RELEASE_FORMAT = 'tokumei-health-release/1';
const RELEASE_MAX_BYTES = 4_096;

export type IdentifyingItems = Partial<Record<IdentifyingAttribute, string>>;

export interface ReleasedData {
  offerId: string;
  /** Hex SHA-256 of the two letters the data was given under. */
  clinicLetter: string;
  memberLetter: string;
  items: IdentifyingItems;
}

export interface Release {
  /** The box to send to the clinic (type "released data"). */
  sealed: Uint8Array;
  /** What went into it, in catalogue order. */
  items: IdentifyingAttribute[];
  /** Named in the letters but not in the profile, so not sent. */
  missing: IdentifyingAttribute[];
}

function releaseText(d: ReleasedData): string {
  const items: Record<string, string> = {};
  for (const name of IDENTIFYING_ATTRIBUTES) if (d.items[name] !== undefined) items[name] = d.items[name]!;
  return JSON.stringify({ format: RELEASE_FORMAT, offerId: d.offerId, clinicLetter: d.clinicLetter, memberLetter: d.memberLetter, items });
}

/**
 * Verifies both letters (verifyMemberLetter: any failure throws, and nothing is released), then
 * seals the identifying items the member's letter names, read from the profile, to the clinic.
 */
export async function releaseIdentifyingData(profile: Profile, clinicLetter: Uint8Array, memberLetter: Uint8Array, trust: LetterTrust): Promise<Release> {
  const { clinic, member } = verifyMemberLetter(memberLetter, clinicLetter, trust);
  const given = new Set<string>(member.items.filter((i) => clinic.items.includes(i)));
  const items: IdentifyingItems = {};
  const sent: IdentifyingAttribute[] = [];
  const missing: IdentifyingAttribute[] = [];
  for (const name of IDENTIFYING_ATTRIBUTES) {
    if (!given.has(name)) continue;
    const value = profile.attributes[name];
    if (typeof value === 'string') {
      items[name] = value;
      sent.push(name);
    } else {
      missing.push(name);
    }
  }
  const plaintext = utf8(releaseText({ offerId: clinic.offerId, clinicLetter: clinic.hash, memberLetter: member.hash, items }));
  try {
    return { sealed: await sealBox('released data', clinic.sealKey, plaintext), items: sent, missing };
  } finally {
    wipe(plaintext);
  }
}

export interface ReleaseOpener extends LetterTrust {
  /** The clinic's onion private key (its letter key is derived from it). */
  onionPrivateKey: KeyObject;
}

/**
 * The clinic opens released data: both letters must verify, the clinic letter must be its own
 * (its seal key derives from this onion key: HEALTH_LETTER_MISMATCH otherwise), the box must open
 * (HPKE_OPEN_FAILED), and the data must name these two letters and hold only the items the
 * member's letter gives, each valid for the catalogue (HEALTH_BAD_RELEASE otherwise).
 */
export async function openIdentifyingData(box: Uint8Array, clinicLetter: Uint8Array, memberLetter: Uint8Array, opener: ReleaseOpener): Promise<ReleasedData> {
  const { clinic, member } = verifyMemberLetter(memberLetter, clinicLetter, opener);
  const key = letterSealKey(opener.onionPrivateKey);
  let plaintext: Uint8Array;
  try {
    if (!constantTimeEqual(key.publicKey, clinic.sealKey)) {
      throw HealthErrors.HEALTH_LETTER_MISMATCH('the clinic letter is not ours: its seal key is another key');
    }
    plaintext = await openBox('released data', key.privateKey, box);
  } finally {
    wipe(key.privateKey);
  }
  const fail: Fail = failWith('protocol', 'HEALTH_BAD_RELEASE', 'released data');
  try {
    const text = decodeUtf8(plaintext, RELEASE_MAX_BYTES, fail);
    const o = parseObject(text, RELEASE_MAX_BYTES, fail);
    exactKeys(o, ['format', 'offerId', 'clinicLetter', 'memberLetter', 'items'], 'released data', fail);
    if (o.format !== RELEASE_FORMAT) fail(`format is not ${RELEASE_FORMAT}`);
    const data: ReleasedData = {
      offerId: hexField(o.offerId, 16, 'offerId', fail),
      clinicLetter: hexField(o.clinicLetter, 32, 'clinicLetter', fail),
      memberLetter: hexField(o.memberLetter, 32, 'memberLetter', fail),
      items: {},
    };
    if (data.offerId !== clinic.offerId || data.clinicLetter !== clinic.hash || data.memberLetter !== member.hash) fail('it was given under other letters');
    for (const [name, value] of Object.entries(objectField(o.items, 'items', fail))) {
      const item = name as IdentifyingAttribute;
      if (!member.items.includes(item)) fail(`${name.slice(0, 40)} is not among the items the member's letter gives`);
      try {
        data.items[item] = checkAttributeValue(item, value, undefined);
      } catch (e) {
        fail(`${name}: ${(e as Error).message}`);
      }
    }
    checkCanonical(text, releaseText(data), fail);
    return data;
  } finally {
    wipe(plaintext);
  }
}


import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokumeiError } from '../../src/errors.js';
import { toBase64, utf8 } from '../../src/crypto/bytes.js';
import { signBytes } from '../../src/crypto/signing.js';
import { generateX25519, x25519RawPrivateKey } from '../../src/crypto/x25519.js';
import { openIdentifyingData, releaseIdentifyingData } from '../../src/health/formats/identity-release.js';
import { signClinicLetter, signMemberLetter, verifyClinicLetter, verifyMemberLetter, type ClinicLetterDraft } from '../../src/health/formats/letter-of-intent.js';
import { letterSealKey, openBox, openClinicLetter, openMemberLetter, sealClinicLetter, sealMemberLetter } from '../../src/health/formats/letter-seal.js';
import { clearAttribute } from '../../src/health/profile/profile.js';
import { createCommunity, type Community } from '../../src/identity/community.js';
import { sealKeystore } from '../../src/identity/keystore.js';
import { memberSecrets } from '../../src/identity/member.js';
import type { NodeIdentity } from '../../src/identity/types.js';
import { encodeAddress } from '../../src/routing/formats/one-time-address.js';
import { seededRandom } from '../identity/helpers.js';
import { DAY, fullProfile, is, NOW } from './helpers.js';

const PASS = 'correct horse battery staple';
const OFFER_ID = '0123456789abcdef0123456789abcdef';

interface World {
  community: Community;
  clinic: NodeIdentity;
  member: NodeIdentity;
  keystoreText: string;
  address: string;
  addressKey: ReturnType<typeof generateX25519>;
  trust: { ca: string; now: number };
}

let shared: Promise<World> | undefined;
function world(): Promise<World> {
  shared ??= (async () => {
    const community = await createCommunity({ trustees: 1, threshold: 1, now: NOW, escrow: false, random: seededRandom('letters') });
    const clinic = community.issue().identity;
    const member = community.issue().identity;
    const keystoreText = await sealKeystore('member', memberSecrets(member), PASS, { kdf: { logN: 10 } });
    const addressKey = generateX25519();
    const address = encodeAddress({ id: seededRandom('id').bytes(64), key: addressKey.publicRaw });
    return { community, clinic, member, keystoreText, address, addressKey, trust: { ca: community.caPem, now: NOW + 60_000 } };
  })();
  return shared;
}

function draft(w: World, over: Partial<ClinicLetterDraft> = {}): ClinicLetterDraft {
  return {
    offerId: OFFER_ID,
    clinic: 'Saltmere Heart Clinic',
    purposes: ['Booking your appointment', 'Sending you your results'],
    retentionDays: 365,
    items: ['phone', 'name', 'birthDate'],
    answerAddress: w.address,
    date: NOW,
    ...over,
  };
}

async function memberSigns(w: World, clinicLetter: Uint8Array, items?: ('name' | 'phone' | 'birthDate')[]) {
  const request = { ...w.trust, passport: w.member.passport.pem, offerId: OFFER_ID, answerAddress: w.address, ...(items ? { items } : {}) };
  return signMemberLetter(clinicLetter, request, { passphrase: PASS, keystoreText: w.keystoreText });
}

/** Re-encodes a letter with one field changed, keeping the field order and the old signature. */
function edit(letter: Uint8Array, change: (o: any) => void): Uint8Array {
  const o = JSON.parse(new TextDecoder().decode(letter));
  change(o);
  return utf8(JSON.stringify(o));
}

test('both sign, both verify, letters travel sealed, and the data is released to the clinic alone', async () => {
  const w = await world();
  const clinicLetter = signClinicLetter(draft(w), w.clinic);
  const clinicBox = await sealClinicLetter(clinicLetter, w.address);
  assert.ok(!Buffer.from(clinicBox).includes(Buffer.from('Saltmere')));
  const received = await openClinicLetter(clinicBox, w.addressKey.privateKey);
  assert.deepEqual(received, clinicLetter);
  const c = verifyClinicLetter(received, w.trust, { offerId: OFFER_ID, answerAddress: w.address });
  assert.equal(c.passport.serial, w.clinic.passport.serial);
  assert.deepEqual(c.items, ['birthDate', 'name', 'phone']); // sorted
  assert.deepEqual(c.sealKey, letterSealKey(w.clinic.onionPrivateKey).publicKey);
  assert.match(c.nonce, /^[0-9a-f]{32}$/);

  const memberLetter = await memberSigns(w, received, ['phone', 'name']);
  const memberBox = await sealMemberLetter(memberLetter, c);
  assert.deepEqual(await openMemberLetter(memberBox, w.clinic.onionPrivateKey), memberLetter);
  await assert.rejects(openMemberLetter(memberBox, w.member.onionPrivateKey), is('HPKE_OPEN_FAILED'));
  const both = verifyMemberLetter(memberLetter, clinicLetter, w.trust);
  assert.equal(both.member.passport.serial, w.member.passport.serial);
  assert.deepEqual(both.member.items, ['name', 'phone']);
  assert.equal(both.member.clinicLetter, c.hash);

  const profile = fullProfile();
  const release = await releaseIdentifyingData(profile, clinicLetter, memberLetter, w.trust);
  assert.deepEqual(release.items, ['name', 'phone']);
  assert.deepEqual(release.missing, []);
  for (const secret of ['Bram', '7700', 'Heron', '1961', 'example.org']) assert.ok(!Buffer.from(release.sealed).includes(Buffer.from(secret)), secret);
  const opener = { ...w.trust, onionPrivateKey: w.clinic.onionPrivateKey };
  const data = await openIdentifyingData(release.sealed, clinicLetter, memberLetter, opener);
  // Only the items named in both letters: not birthDate (asked, not given), not address or email.
  assert.deepEqual(data, { offerId: OFFER_ID, clinicLetter: c.hash, memberLetter: both.member.hash, items: { name: 'Bram Kestrel', phone: '+44 7700 900456' } });

  // Only the clinic can open it: not the member, not another member of the community.
  const other = w.community.issue().identity;
  await assert.rejects(openIdentifyingData(release.sealed, clinicLetter, memberLetter, { ...opener, onionPrivateKey: w.member.onionPrivateKey }), is('HEALTH_LETTER_MISMATCH'));
  for (const key of [w.member.onionPrivateKey, other.onionPrivateKey]) {
    await assert.rejects(openBox('released data', letterSealKey(key).privateKey, release.sealed), is('HPKE_OPEN_FAILED'));
    await assert.rejects(openBox('released data', x25519RawPrivateKey(key), release.sealed), is('HPKE_OPEN_FAILED'));
  }
  // A box of one type does not open as another.
  await assert.rejects(openMemberLetter(release.sealed, w.clinic.onionPrivateKey), is('HEALTH_BAD_SEALED'));

  // By default the member gives every item asked; an item missing from the profile is reported.
  const all = await memberSigns(w, clinicLetter);
  const partial = await releaseIdentifyingData(clearAttribute(profile, 'phone'), clinicLetter, all, w.trust);
  assert.deepEqual(partial.items, ['name', 'birthDate']);
  assert.deepEqual(partial.missing, ['phone']);
  assert.deepEqual((await openIdentifyingData(partial.sealed, clinicLetter, all, opener)).items, { name: 'Bram Kestrel', birthDate: '1961-08-09' });
});

test('a wrong passphrase refuses to sign: KEYSTORE_BAD_PASSPHRASE, and no letter comes out', async () => {
  const w = await world();
  const clinicLetter = signClinicLetter(draft(w), w.clinic);
  const request = { ...w.trust, passport: w.member.passport.pem, offerId: OFFER_ID, answerAddress: w.address };
  let letter: Uint8Array | undefined;
  await assert.rejects(
    (async () => {
      letter = await signMemberLetter(clinicLetter, request, { passphrase: 'wrong horse', keystoreText: w.keystoreText });
    })(),
    (e: unknown) => is('KEYSTORE_BAD_PASSPHRASE')(e) && (e as TokumeiError).kind === 'refused' && /not signed/.test((e as Error).message),
  );
  assert.equal(letter, undefined);
  await assert.rejects(signMemberLetter(clinicLetter, request, { passphrase: '', keystoreText: w.keystoreText }), is('KEYSTORE_BAD_PASSPHRASE'));
  await assert.rejects(signMemberLetter(clinicLetter, request, undefined as any), is('HEALTH_NEED_PASSPHRASE'));
  // Another member's keystore opens with its passphrase but does not hold this passport's key.
  const other = w.community.issue().identity;
  const otherKeystore = await sealKeystore('member', memberSecrets(other), PASS, { kdf: { logN: 10 } });
  await assert.rejects(signMemberLetter(clinicLetter, request, { passphrase: PASS, keystoreText: otherKeystore }), is('HEALTH_KEY_MISMATCH'));
  const caKeystore = await sealKeystore('ca', {}, PASS, { kdf: { logN: 10 } });
  await assert.rejects(signMemberLetter(clinicLetter, request, { passphrase: PASS, keystoreText: caKeystore }), is('KEYSTORE_MALFORMED'));
});

test('tampered letters and boxes are refused', async () => {
  const w = await world();
  const clinicLetter = signClinicLetter(draft(w), w.clinic);
  const memberLetter = await memberSigns(w, clinicLetter);
  const sig = is('HEALTH_LETTER_SIGNATURE');
  for (const change of [
    (o: any) => (o.retentionDays = 3650),
    (o: any) => o.purposes.push('Selling to advertisers'),
    (o: any) => (o.items = ['address', 'birthDate', 'name', 'phone']),
    (o: any) => (o.sealKey = toBase64(new Uint8Array(0)).padEnd(64, '0')),
    (o: any) => (o.date = NOW - DAY),
    (o: any) => (o.passport = toBase64(w.member.passport.der)), // another member's passport
  ]) {
    assert.throws(() => verifyClinicLetter(edit(clinicLetter, change), w.trust), sig);
  }
  for (const change of [(o: any) => (o.items = ['name']), (o: any) => (o.date = NOW + 1), (o: any) => (o.passport = toBase64(w.clinic.passport.der))]) {
    assert.throws(() => verifyMemberLetter(edit(memberLetter, change), clinicLetter, w.trust), sig);
  }
  // Malformed: not canonical, reordered, an unknown field, a broken signature encoding, junk.
  const bad = is('HEALTH_BAD_LETTER');
  const text = new TextDecoder().decode(clinicLetter);
  for (const t of [text.replace('{"format"', '{ "format"'), JSON.stringify({ role: 'clinic', ...JSON.parse(text) }), text.replace('"date"', '"x":1,"date"'), text.replace('"signature":"', '"signature":"!'), '', '{}', 'x'.repeat(40_000)]) {
    assert.throws(() => verifyClinicLetter(utf8(t), w.trust), bad);
  }
  assert.throws(() => verifyClinicLetter(memberLetter, w.trust), bad); // a member letter is not a clinic letter
  // A member letter only goes with the clinic letter it names.
  const otherClinicLetter = signClinicLetter(draft(w), w.clinic); // another nonce
  assert.throws(() => verifyMemberLetter(memberLetter, otherClinicLetter, w.trust), is('HEALTH_LETTER_MISMATCH'));
  // A member letter giving an item the clinic did not ask for, properly signed, is still refused.
  const o = JSON.parse(new TextDecoder().decode(memberLetter));
  const { signature: _s, ...body } = o;
  body.items = ['address', 'birthDate', 'name', 'phone'];
  const forged = utf8(JSON.stringify({ ...body, signature: toBase64(signBytes(w.member.signingPrivateKey, utf8(`tokumei-health-letter/1 member\n${JSON.stringify(body)}`))) }));
  assert.throws(() => verifyMemberLetter(forged, clinicLetter, w.trust), /gives address, which the clinic letter does not ask for/);
  await assert.rejects(releaseIdentifyingData(fullProfile(), clinicLetter, forged, w.trust), is('HEALTH_LETTER_MISMATCH'));
  // Boxes: a flipped ciphertext bit fails authentication; a changed header is not a box.
  const box = await sealClinicLetter(clinicLetter, w.address);
  const flipped = box.slice();
  flipped[flipped.length - 1]! ^= 1;
  await assert.rejects(openClinicLetter(flipped, w.addressKey.privateKey), is('HPKE_OPEN_FAILED'));
  for (const at of [0, 3, 4]) {
    const h = box.slice();
    h[at]! ^= 1;
    await assert.rejects(openClinicLetter(h, w.addressKey.privateKey), is('HEALTH_BAD_SEALED'));
  }
  await assert.rejects(openClinicLetter(box.slice(0, 40), w.addressKey.privateKey), is('HEALTH_BAD_SEALED'));
  const release = await releaseIdentifyingData(fullProfile(), clinicLetter, memberLetter, w.trust);
  const r = release.sealed.slice();
  r[50]! ^= 1;
  await assert.rejects(openIdentifyingData(r, clinicLetter, memberLetter, { ...w.trust, onionPrivateKey: w.clinic.onionPrivateKey }), is('HPKE_OPEN_FAILED'));
});

test('another community, revoked or expired passports, other offers and future dates are refused', async () => {
  const w = await world();
  const elsewhere = await createCommunity({ trustees: 1, threshold: 1, now: NOW, escrow: false });
  const stranger = elsewhere.issue().identity;
  const clinicLetter = signClinicLetter(draft(w), w.clinic);
  const memberLetter = await memberSigns(w, clinicLetter);
  // Checked against another community's CA, or signed by a clinic of another community.
  assert.throws(() => verifyClinicLetter(clinicLetter, { ...w.trust, ca: elsewhere.caPem }), is('LINK_OTHER_CA'));
  const strangeLetter = signClinicLetter(draft(w), stranger);
  assert.throws(() => verifyClinicLetter(strangeLetter, w.trust), is('LINK_OTHER_CA'));
  await assert.rejects(memberSigns(w, strangeLetter), is('LINK_OTHER_CA'));
  await assert.rejects(releaseIdentifyingData(fullProfile(), clinicLetter, memberLetter, { ...w.trust, ca: elsewhere.caPem }), is('LINK_OTHER_CA'));
  // A member of another community cannot give its letter here.
  const strangerKeystore = await sealKeystore('member', memberSecrets(stranger), PASS, { kdf: { logN: 10 } });
  const request = { ...w.trust, passport: stranger.passport.pem, offerId: OFFER_ID, answerAddress: w.address };
  await assert.rejects(signMemberLetter(clinicLetter, request, { passphrase: PASS, keystoreText: strangerKeystore }), is('LINK_OTHER_CA'));
  // Revocation and expiry, at verification time.
  const crl = w.community.revoke(w.clinic.passport.serial, NOW);
  assert.throws(() => verifyClinicLetter(clinicLetter, { ...w.trust, crl }), is('LINK_REVOKED'));
  assert.throws(() => verifyMemberLetter(memberLetter, clinicLetter, { ...w.trust, now: NOW + 400 * DAY }), is('LINK_EXPIRED'));
  // The clinic letter must name the offer and the address the member answered with.
  await assert.rejects(signMemberLetter(clinicLetter, { ...w.trust, passport: w.member.passport.pem, offerId: 'f'.repeat(32), answerAddress: w.address }, { passphrase: PASS, keystoreText: w.keystoreText }), is('HEALTH_LETTER_MISMATCH'));
  const otherAddress = encodeAddress({ id: new Uint8Array(64).fill(7), key: generateX25519().publicRaw });
  assert.throws(() => verifyClinicLetter(clinicLetter, w.trust, { answerAddress: otherAddress }), is('HEALTH_LETTER_MISMATCH'));
  // The member may give fewer items, never others.
  await assert.rejects(memberSigns(w, clinicLetter, ['address' as 'name']), is('HEALTH_LETTER_MISMATCH'));
  // Dated in the future.
  assert.throws(() => verifyClinicLetter(signClinicLetter(draft(w, { date: NOW + DAY }), w.clinic), w.trust), is('HEALTH_LETTER_FUTURE'));
  // Drafts out of bounds.
  for (const over of [{ items: [] }, { items: ['sex'] }, { purposes: [] }, { retentionDays: 0 }, { answerAddress: 'tk1x' }, { clinic: '' }] as Partial<ClinicLetterDraft>[]) {
    assert.throws(() => signClinicLetter(draft(w, over), w.clinic), is('HEALTH_BAD_LETTER'), JSON.stringify(over));
  }
});

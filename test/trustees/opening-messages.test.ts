/**
 * The opening's network formats (docs/protocol.md §2.8): the board notice binds the approval
 * address to the authority's key; messages are canonical, exact and bounded; the delivery binds
 * the countersign address to the trustee's key. And the authority's directory and a trustee's
 * authorities.json on disk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utf8 } from '../../src/crypto/bytes.js';
import { generateSigningKeyPair } from '../../src/crypto/signing.js';
import { trusteePublic } from '../../src/identity/trustee.js';
import { encodeAddress } from '../../src/routing/formats/one-time-address.js';
import { createOpeningNotice, decodeOpeningNotice, encodeOpeningNotice } from '../../src/trustees/opening-notice.js';
import {
  approvalBytesBound,
  COUNTERSIGN_FORMAT,
  createDelivery,
  decodeOpeningMessage,
  encodeOpeningMessage,
  expectAnswer,
  RECEIPT_FORMAT,
  refusal,
  verifyDeliverySignature,
  type OpeningMessage,
} from '../../src/trustees/opening-messages.js';
import { allowAuthority, authorityFromKey, generateAuthority, loadAuthorityDir, readAuthorityList, readAuthorityPublic, writeAuthorityDir } from '../../src/trustees/authority-keys.js';
import { TokumeiError } from '../../src/errors.js';
import { is, openingFixture } from './fixture.js';

const f = await openingFixture('messages');
const address = (fill: number) => encodeAddress({ id: new Uint8Array(64).fill(fill), key: new Uint8Array(32).fill(fill) });

test('the notice binds the approval address to the authority key', () => {
  const notice = createOpeningNotice(f.request, address(1), f.authorityKey);
  const text = encodeOpeningNotice(notice);
  assert.deepEqual(decodeOpeningNotice(text), notice);
  // Someone else's address on the authority's request: the notice signature fails.
  assert.throws(() => decodeOpeningNotice(encodeOpeningNotice({ ...notice, approvalAddress: address(2) })), is('OPENING_BAD_NOTICE_SIGNATURE'));
  // Another key cannot sign a notice for this request.
  assert.throws(() => createOpeningNotice(f.request, address(1), generateSigningKeyPair('ed25519').privateKey), is('OPENING_BAD_NOTICE'));
  assert.throws(() => decodeOpeningNotice(encodeOpeningNotice({ ...notice, request: { ...f.request, reason: 'other' } })), is('OPENING_BAD_SIGNATURE'));
  assert.throws(() => decodeOpeningNotice(JSON.stringify(JSON.parse(text), null, 1)), is('OPENING_BAD_NOTICE'));
  assert.throws(() => decodeOpeningNotice(JSON.stringify({ ...JSON.parse(text), extra: 1 })), is('OPENING_BAD_NOTICE'));
  assert.throws(() => decodeOpeningNotice(JSON.stringify({ ...JSON.parse(text), approvalAddress: 'tk1xyz' })), is('OPENING_BAD_NOTICE'));
  assert.throws(() => decodeOpeningNotice('x'.repeat(20_000)), is('OPENING_BAD_NOTICE'));
});

test('messages round-trip canonically; anything else is refused', () => {
  const t1 = f.community.trustees[0]!;
  const delivery = createDelivery(f.approvals[0]!, address(3), t1.signingPrivateKey);
  const messages: OpeningMessage[] = [
    delivery,
    { format: RECEIPT_FORMAT, requestId: f.request.requestId, approvals: 2, threshold: 3 },
    { format: COUNTERSIGN_FORMAT, request: f.request, approvals: f.approvals.slice(0, 3) },
    { format: 'tokumei-opening-countersignature/1', requestHash: 'ab'.repeat(32), result: '0a1b', trustees: [1, 2, 3], index: 2, signature: Buffer.alloc(64, 7).toString('base64') },
    refusal('OPENING_CLOSED', 'over'),
  ];
  const max = 4096 + 5 * approvalBytesBound(6);
  for (const m of messages) {
    const bytes = encodeOpeningMessage(m);
    assert.deepEqual(decodeOpeningMessage(bytes, max), m, m.format);
    const o = JSON.parse(Buffer.from(bytes).toString()) as Record<string, unknown>;
    assert.throws(() => decodeOpeningMessage(utf8(JSON.stringify(o, null, 1)), max), (e: unknown) => e instanceof TokumeiError, `${m.format}: white space`);
    assert.throws(() => decodeOpeningMessage(utf8(JSON.stringify({ ...o, extra: 1 })), max), (e: unknown) => e instanceof TokumeiError, `${m.format}: extra field`);
    assert.throws(() => decodeOpeningMessage(bytes, bytes.length - 1), is('OPENING_BAD_MESSAGE'), `${m.format}: bound`);
  }
  assert.throws(() => decodeOpeningMessage(new Uint8Array([0xff, 0xfe]), 100), is('OPENING_BAD_MESSAGE'));
  assert.throws(() => decodeOpeningMessage(utf8('{"format":"tokumei-opening-other/1"}'), 100), is('OPENING_BAD_MESSAGE'));
  // Refusals keep a sane code and one line of text.
  assert.deepEqual(refusal('bad code', 'two\nlines'), { format: 'tokumei-opening-refusal/1', code: 'OPENING_REFUSED', message: 'two lines' });
  assert.throws(() => expectAnswer(encodeOpeningMessage(refusal('OPENING_CLOSED', 'over')), RECEIPT_FORMAT, 4096), (e: unknown) => e instanceof TokumeiError && e.code === 'OPENING_CLOSED' && e.kind === 'refused');
  assert.throws(() => expectAnswer(encodeOpeningMessage(messages[1]!), COUNTERSIGN_FORMAT, 4096), is('OPENING_BAD_MESSAGE'));

  // The countersign address is the trustee's word.
  const publics = f.community.trusteePublics;
  assert.equal(verifyDeliverySignature(delivery, publics[0]!), true);
  assert.equal(verifyDeliverySignature({ ...delivery, countersignAddress: address(4) }, publics[0]!), false);
  assert.equal(verifyDeliverySignature(delivery, publics[1]!), false);
  assert.equal(verifyDeliverySignature(delivery, trusteePublic({ ...t1, index: 1, signingPublicKey: f.community.trustees[1]!.signingPublicKey })), false);
});

test('authority directory and a trustee\'s authorities.json', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tokumei-authority-'));
  try {
    const a = generateAuthority('Example Health Authority');
    const authDir = join(dir, 'auth');
    await writeAuthorityDir(authDir, a, 'pass', { kdf: { logN: 10 } });
    await assert.rejects(writeAuthorityDir(authDir, a, 'pass', { kdf: { logN: 10 } }), is('AUTHORITY_DIR_EXISTS'));
    assert.deepEqual(await readAuthorityPublic(authDir), { name: a.name, signingPublicKey: a.signingPublicKey });
    const loaded = await loadAuthorityDir(authDir, 'pass');
    assert.equal(loaded.signingPublicKey, a.signingPublicKey);
    assert.equal(loaded.name, a.name);
    await assert.rejects(loadAuthorityDir(authDir, 'wrong'), is('KEYSTORE_BAD_PASSPHRASE'));
    const pubPath = join(authDir, 'authority.json');
    const other = authorityFromKey('Someone Else', generateSigningKeyPair('ed25519').privateKey);
    await writeFile(pubPath, JSON.stringify({ format: 'tokumei-authority/1', name: other.name, signingPublicKey: other.signingPublicKey }));
    await assert.rejects(loadAuthorityDir(authDir, 'pass'), is('AUTHORITY_KEYS_MISMATCH'));
    assert.throws(() => generateAuthority(''), is('AUTHORITY_BAD_NAME'));

    const list = join(dir, 'authorities.json');
    assert.deepEqual(await readAuthorityList(list), [], 'a missing list accepts no one');
    assert.equal(await allowAuthority(list, { name: a.name, signingPublicKey: a.signingPublicKey }), true);
    assert.equal(await allowAuthority(list, { name: a.name, signingPublicKey: a.signingPublicKey }), false);
    assert.equal(await allowAuthority(list, { name: 'Renamed', signingPublicKey: a.signingPublicKey }), true);
    assert.deepEqual(await readAuthorityList(list), [{ name: 'Renamed', signingPublicKey: a.signingPublicKey }]);
    assert.equal(JSON.parse(await readFile(list, 'utf8')).format, 'tokumei-authorities/1');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

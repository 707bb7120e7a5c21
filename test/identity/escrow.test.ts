import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex, utf8 } from '../../src/crypto/bytes.js';
import { hpkeSeal } from '../../src/crypto/hpke.js';
import { encodeScalar, modL, decodeScalar } from '../../src/crypto/ristretto.js';
import { reconstructSecret, splitSecret } from '../../src/crypto/shamir.js';
import { signBytes } from '../../src/crypto/signing.js';
import { createCommunity } from '../../src/identity/community.js';
import { openEscrowShare, verifyEscrowRecord, type EscrowRecord } from '../../src/identity/escrow.js';
import { TokumeiError } from '../../src/errors.js';
import { NOW } from './helpers.js';

const is = (code: string) => (e: unknown) => e instanceof TokumeiError && e.code === code;

test('each trustee opens and checks its own share; any k of them determine k_m, fewer do not', async () => {
  const c = await createCommunity({ trustees: 3, threshold: 2, now: NOW });
  const { identity, escrow } = c.issue();
  const record = await escrow!;
  assert.equal(record.memberSerial, identity.passport.serial);
  assert.equal(record.commitments.length, 2);
  assert.equal(record.shares.length, 3);
  assert.ok(!JSON.stringify(record).includes(toHex(identity.anonymityKey)));
  const shares = await Promise.all(c.trustees.map((t) => openEscrowShare(JSON.stringify(record), t.index, t, c.caPem)));
  for (const pair of [[0, 1], [0, 2], [1, 2]] as const) {
    assert.deepEqual(reconstructSecret([shares[pair[0]]!, shares[pair[1]]!]), identity.anonymityKey); // tests only: the protocol never rebuilds k_m
  }
  assert.notDeepEqual(reconstructSecret([shares[0]!]), identity.anonymityKey);
  // A trustee cannot open another's share.
  await assert.rejects(openEscrowShare(record, 1, c.trustees[1]!, c.caPem), is('ESCROW_WRONG_TRUSTEE'));
});

test('records are bound to the CA, the member and each trustee', async () => {
  const c = await createCommunity({ keyType: 'ed25519', trustees: 2, threshold: 2, now: NOW });
  const record = (await c.issue().escrow)!;
  const t1 = c.trustees[0]!;
  const other = await createCommunity({ trustees: 2, threshold: 2, now: NOW });
  await assert.rejects(openEscrowShare(record, 1, t1, other.caPem), is('ESCROW_BAD_SIGNATURE'));
  const resign = (r: Omit<EscrowRecord, 'caSignature'>): EscrowRecord => {
    const body = JSON.stringify({ format: r.format, memberSerial: r.memberSerial, threshold: r.threshold, trustees: r.trustees, commitments: r.commitments, shares: r.shares });
    const sig = signBytes(c.ca.privateKey, new Uint8Array([...utf8('tokumei-escrow/1 record\n'), ...utf8(body)]));
    return { ...r, caSignature: Buffer.from(sig).toString('base64') };
  };
  // Tampering without the CA key breaks the signature.
  const otherSerial = (record.memberSerial[0] === '4' ? '5' : '4') + record.memberSerial.slice(1);
  await assert.rejects(openEscrowShare({ ...record, memberSerial: otherSerial }, 1, t1, c.caPem), is('ESCROW_BAD_SIGNATURE'));
  // Even the CA cannot move a share to another member: the HPKE aad binds the serial.
  await assert.rejects(openEscrowShare(resign({ ...record, memberSerial: 'abcd' }), 1, t1, c.caPem), is('ESCROW_OPEN_FAILED'));
  const ct = record.shares[0]!.ciphertext;
  const flipped = { ...record.shares[0]!, ciphertext: (ct[0] === '0' ? '1' : '0') + ct.slice(1) };
  await assert.rejects(openEscrowShare(resign({ ...record, shares: [flipped, record.shares[1]!] }), 1, t1, c.caPem), is('ESCROW_OPEN_FAILED'));
  for (const junk of ['', '{}', '[1]', JSON.stringify({ ...record, threshold: 3 }), JSON.stringify({ ...record, commitments: ['00'] })]) {
    await assert.rejects(openEscrowShare(junk, 1, t1, c.caPem), is('ESCROW_MALFORMED'));
  }
  assert.equal(verifyEscrowRecord(JSON.stringify(record), c.caPem).memberSerial, record.memberSerial);
});

test('a share that does not match the commitments is caught (Feldman), even when the CA signed it', async () => {
  // A dishonest dealer: seals share 1 correctly under the documented aad, but with a wrong value.
  const c = await createCommunity({ trustees: 2, threshold: 2, now: NOW });
  const secret = encodeScalar(12345n);
  const { shares, commitments } = splitSecret(secret, 2, 2);
  const base = { memberSerial: '4abc', threshold: 2, trustees: 2, commitments: commitments.map(toHex) };
  const boxes = await Promise.all(
    shares.map(async (s, i) => {
      const trusteeKey = toHex(c.trustees[i]!.hpkePublicKey);
      const value = i === 0 ? encodeScalar(modL(decodeScalar(s.value) + 1n)) : s.value;
      const aad = utf8(JSON.stringify({ memberSerial: base.memberSerial, index: s.index, threshold: 2, trustees: 2, trusteeKey, commitments: base.commitments }));
      const sealed = await hpkeSeal(fromHex(trusteeKey), value, { info: utf8('tokumei-escrow/1 share'), aad });
      return { index: s.index, trusteeKey, enc: toHex(sealed.enc), ciphertext: toHex(sealed.ciphertext) };
    }),
  );
  const body = JSON.stringify({ format: 'tokumei-escrow/1', ...base, shares: boxes });
  const caSignature = Buffer.from(signBytes(c.ca.privateKey, new Uint8Array([...utf8('tokumei-escrow/1 record\n'), ...utf8(body)]))).toString('base64');
  const record = { format: 'tokumei-escrow/1' as const, ...base, shares: boxes, caSignature };
  await assert.rejects(openEscrowShare(record, 1, c.trustees[0]!, c.caPem), is('ESCROW_BAD_SHARE'));
  const good = await openEscrowShare(record, 2, c.trustees[1]!, c.caPem);
  assert.deepEqual(good.value, shares[1]!.value);
});

test('an RSA community escrows too (RSASSA-PSS record signature)', async () => {
  const c = await createCommunity({ keyType: 'rsa', trustees: 1, threshold: 1, now: NOW });
  const { identity, escrow } = c.issue();
  const share = await openEscrowShare((await escrow)!, 1, c.trustees[0]!, c.caPem);
  assert.deepEqual(share.value, identity.anonymityKey); // k = 1: the share is f(1) = k_m
});

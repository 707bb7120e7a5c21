import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile, copyFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey } from 'node:crypto';
import { reconstructSecret } from '../../src/crypto/shamir.js';
import { x25519RawPublicKey } from '../../src/crypto/x25519.js';
import { initCa, issueMember, revokeMember, unlockCa, unlockTrustee } from '../../src/identity/ca-store.js';
import { loadCrl, saveCrlIfNewer } from '../../src/identity/crl-store.js';
import { openEscrowShare } from '../../src/identity/escrow.js';
import { loadNodeIdentity } from '../../src/identity/node-store.js';
import { verifyPassport } from '../../src/identity/passport.js';
import { LinkRefusal, TokumeiError } from '../../src/errors.js';
import { DAY } from './helpers.js';

const kdf = { logN: 10 };
const PASS = 'ca passphrase';
const is = (code: string) => (e: unknown) => e instanceof TokumeiError && e.code === code;

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'tokumei-ca-test-'));
}

test('initCa writes the documented layout and refuses bad parameters or an existing directory', async () => {
  const root = await tempDir();
  try {
    const caDir = join(root, 'ca');
    const r = await initCa(caDir, { passphrase: PASS, kdf });
    assert.deepEqual([r.keyType, r.trustees, r.threshold], ['ed25519', 3, 2]);
    assert.deepEqual((await readdir(caDir)).sort(), ['ca-key.json', 'ca.pem', 'community.json', 'crl.pem', 'members.json', 'trustees']);
    assert.deepEqual((await readdir(join(caDir, 'trustees'))).sort(), ['trustee-1', 'trustee-2', 'trustee-3']);
    assert.deepEqual((await readdir(join(caDir, 'trustees', 'trustee-2'))).sort(), ['keystore.json', 'trustee.json']);
    const community = JSON.parse(await readFile(join(caDir, 'community.json'), 'utf8'));
    assert.equal(community.format, 'tokumei-community/1');
    assert.equal(community.nextCrlNumber, 2);
    assert.equal(community.trusteeKeys.length, 3);
    assert.equal((await stat(join(caDir, 'ca-key.json'))).mode & 0o777, 0o600);
    assert.equal((await loadCrl(join(caDir)))?.number, 1);
    assert.ok(!(await readFile(join(caDir, 'ca-key.json'), 'utf8')).includes('PRIVATE KEY'));
    assert.equal((await unlockCa(caDir, PASS)).keyType, 'ed25519');
    await assert.rejects(unlockCa(caDir, 'nope'), is('KEYSTORE_BAD_PASSPHRASE'));

    await assert.rejects(initCa(caDir, { passphrase: PASS, kdf }), is('CA_DIR_EXISTS'));
    await assert.rejects(initCa(join(root, 'x'), { passphrase: PASS, trustees: 0, kdf }), is('CA_BAD_TRUSTEES'));
    await assert.rejects(initCa(join(root, 'x'), { passphrase: PASS, trustees: 2, threshold: 3, kdf }), is('CA_BAD_THRESHOLD'));
    await assert.rejects(initCa(join(root, 'x'), { passphrase: PASS, threshold: 0, kdf }), is('CA_BAD_THRESHOLD'));
    await assert.rejects(initCa(join(root, 'x'), { passphrase: '', kdf }), is('PASSPHRASE_EMPTY'));
    await assert.rejects(initCa(join(root, 'x'), { passphrase: PASS, keyType: 'dsa' as 'rsa', kdf }), is('CA_BAD_KEY_TYPE'));
    // An existing empty directory is fine (mkdtemp users).
    await mkdir(join(root, 'empty'));
    await initCa(join(root, 'empty'), { passphrase: PASS, trustees: 1, threshold: 1, kdf });
    assert.deepEqual((await readdir(root)).filter((f) => f.startsWith('.')), []); // no temp litter
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('issue, load, escrow and revoke through the disk passport office', async () => {
  const root = await tempDir();
  try {
    const caDir = join(root, 'ca');
    await initCa(caDir, { passphrase: PASS, trustees: 3, threshold: 2, kdf });
    const aliceDir = join(root, 'alice');
    const issued = await issueMember(caDir, { label: 'alice', outDir: aliceDir, passphrase: PASS, nodePassphrase: 'alice pw', kdf });
    assert.match(issued.serial, /^[0-9a-f]{32}$/);
    assert.deepEqual((await readdir(aliceDir)).sort(), ['ca.pem', 'crl.pem', 'keystore.json', 'passport.pem']);
    const alice = await loadNodeIdentity(aliceDir, 'alice pw');
    assert.equal(alice.passport.serial, issued.serial);
    assert.deepEqual(x25519RawPublicKey(alice.onionPrivateKey), alice.passport.onionKey);
    assert.ok(verifyPassport(alice.passport.der, { ca: alice.caPem, now: Date.now() }));
    await assert.rejects(loadNodeIdentity(aliceDir, PASS), is('KEYSTORE_BAD_PASSPHRASE'));

    // Escrow: two trustees open their shares, which determine alice's anonymity key.
    const record = await readFile(join(caDir, 'escrow', `${issued.serial}.json`), 'utf8');
    const caPem = await readFile(join(caDir, 'ca.pem'), 'utf8');
    const shares = [];
    for (const i of [1, 3]) shares.push(await openEscrowShare(record, i, await unlockTrustee(caDir, i, PASS), caPem));
    assert.deepEqual(reconstructSecret(shares), alice.anonymityKey); // tests only

    await assert.rejects(issueMember(caDir, { label: 'alice', outDir: join(root, 'alice2'), passphrase: PASS, kdf }), is('MEMBER_EXISTS'));
    await assert.rejects(issueMember(caDir, { label: 'bob', outDir: aliceDir, passphrase: PASS, kdf }), is('NODE_DIR_EXISTS'));
    for (const label of ['', 'a b', 'x'.repeat(65), '../up', 'é']) {
      await assert.rejects(issueMember(caDir, { label, outDir: join(root, 'z'), passphrase: PASS, kdf }), is('MEMBER_BAD_LABEL'));
    }
    await assert.rejects(issueMember(caDir, { label: 'bob', outDir: join(root, 'bob'), passphrase: 'wrong', kdf }), is('KEYSTORE_BAD_PASSPHRASE'));

    // Custom validity and the wrong-onion-key test aid; concurrent issues are serialised.
    const now = Date.now();
    const [bob, carol] = await Promise.all([
      issueMember(caDir, { label: 'bob', outDir: join(root, 'bob'), passphrase: PASS, notBefore: new Date(now - 10 * DAY), notAfter: new Date(now - DAY), kdf }),
      issueMember(caDir, { label: 'carol', outDir: join(root, 'carol'), passphrase: PASS, wrongOnionKey: true, kdf }),
    ]);
    const bobId = await loadNodeIdentity(join(root, 'bob'), PASS); // an expired node still loads…
    assert.throws(() => verifyPassport(bobId.passport.der, { ca: bobId.caPem, now }), is(LinkRefusal.EXPIRED)); // …and is refused by peers
    const carolId = await loadNodeIdentity(join(root, 'carol'), PASS);
    assert.notDeepEqual(x25519RawPublicKey(carolId.onionPrivateKey), carolId.passport.onionKey);
    const members = JSON.parse(await readFile(join(caDir, 'members.json'), 'utf8')).members;
    assert.deepEqual(Object.keys(members).sort(), ['alice', 'bob', 'carol']);
    assert.equal(members.bob.serial, bob.serial);
    assert.equal(members.carol.serial, carol.serial);

    // A keystore that is not this passport's is a clear error.
    await copyFile(join(root, 'bob', 'keystore.json'), join(aliceDir, 'keystore.json'));
    await assert.rejects(loadNodeIdentity(aliceDir, PASS), is('KEYSTORE_KEY_MISMATCH'));

    // Revocation: numbers grow, lists accumulate, repeats change nothing.
    const crl2 = await revokeMember(caDir, { label: 'alice', passphrase: PASS });
    assert.equal(crl2.number, 2);
    assert.deepEqual([...crl2.revoked], [issued.serial]);
    const crl3 = await revokeMember(caDir, { label: 'bob', passphrase: PASS });
    assert.equal(crl3.number, 3);
    assert.deepEqual([...crl3.revoked].sort(), [issued.serial, bob.serial].sort());
    assert.equal((await revokeMember(caDir, { label: 'bob', passphrase: PASS })).number, 3);
    await assert.rejects(revokeMember(caDir, { label: 'nobody', passphrase: PASS }), is('MEMBER_UNKNOWN'));
    await assert.rejects(revokeMember(caDir, { label: 'carol', passphrase: 'wrong' }), is('KEYSTORE_BAD_PASSPHRASE'));
    assert.equal(JSON.parse(await readFile(join(caDir, 'members.json'), 'utf8')).members.carol.status, 'valid');
    assert.equal(JSON.parse(await readFile(join(caDir, 'community.json'), 'utf8')).nextCrlNumber, 4);

    // The node keeps only newer CRLs, and only this CA's.
    const carolDir = join(root, 'carol');
    assert.equal((await loadCrl(carolDir))?.number, 1);
    assert.equal(await saveCrlIfNewer(carolDir, crl3), true);
    assert.equal(await saveCrlIfNewer(carolDir, crl2), false);
    assert.equal((await loadCrl(carolDir))?.number, 3);
    const otherCa = join(root, 'other');
    await initCa(otherCa, { passphrase: PASS, trustees: 1, threshold: 1, kdf });
    await issueMember(otherCa, { label: 'x', outDir: join(root, 'x'), passphrase: PASS, kdf });
    const foreign = await revokeMember(otherCa, { label: 'x', passphrase: PASS });
    await assert.rejects(saveCrlIfNewer(carolDir, { ...foreign, number: 99 }), is('CRL_BAD_SIGNATURE'));
    await rm(join(carolDir, 'crl.pem'));
    assert.equal(await loadCrl(carolDir), undefined);

    // Hand-damaged bookkeeping is a typed error.
    await writeFile(join(caDir, 'members.json'), '{"format":"tokumei-members/1","members":{"bad label":{}}}');
    await assert.rejects(issueMember(caDir, { label: 'dave', outDir: join(root, 'dave'), passphrase: PASS, kdf }), is('MEMBERS_MALFORMED'));
    await writeFile(join(caDir, 'community.json'), '{');
    await assert.rejects(revokeMember(caDir, { label: 'carol', passphrase: PASS }), is('COMMUNITY_MALFORMED'));
    await assert.rejects(loadNodeIdentity(join(root, 'nowhere'), PASS), is('FILE_MISSING'));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('an RSA passport office issues RSA-3072 members', async () => {
  const root = await tempDir();
  try {
    await initCa(join(root, 'ca'), { keyType: 'rsa', passphrase: PASS, trustees: 1, threshold: 1, kdf });
    await issueMember(join(root, 'ca'), { label: 'm', outDir: join(root, 'm'), passphrase: PASS, kdf });
    const id = await loadNodeIdentity(join(root, 'm'), PASS);
    assert.equal(id.passport.keyType, 'rsa');
    assert.equal(createPublicKey(id.signingPrivateKey).asymmetricKeyDetails?.modulusLength, 3072);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

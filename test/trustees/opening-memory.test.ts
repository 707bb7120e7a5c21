/**
 * Memory/storage inspection of a whole emergency opening through the disk passport office
 * (DESIGN §4: no party holds any member's whole anonymity key k_m, docs/protocol.md §2.7).
 *
 * What is covered: every message that crosses between parties (request, approvals, audit record,
 * as objects and as their JSON), the combiner's inputs and output, every buffer of the trustees'
 * and the combiner's working state that the `inspect` test hooks expose (opened shares, contexts,
 * partials, proofs, signed bytes, combined values), and every file in the CA directory after the
 * opening. Searched for: each member's k_m and −k_m, little- and big-endian, as bytes, hex (both
 * cases) and base64. Also: shares and combined values are wiped after use, the combined values of
 * other members (k_m·R) are nowhere in what is kept, and the opening code never calls
 * reconstructSecret.
 *
 * What is not (cannot be) covered: the rest of the JS heap — bigints made from shares inside
 * ristretto/shamir code, V8 string copies, GC-moved buffers, OpenSSL's and the HPKE library's
 * internal buffers. No heap scan would help here anyway: this test process itself loads every
 * k_m from the members' keystores to know what to look for. The guarantee rests on the
 * construction (nothing computes Σ λ_i·s_i); this test checks that nothing visible contradicts it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toBase64, toHex, utf8 } from '../../src/crypto/bytes.js';
import { decodeScalar, encodePoint, encodeScalar, modL, mulPoint, decodePoint } from '../../src/crypto/ristretto.js';
import { ed25519RawPublicKey, generateSigningKeyPair } from '../../src/crypto/signing.js';
import { readCommunityFile } from '../../src/identity/ca-files.js';
import { initCa, issueMember, unlockTrustee } from '../../src/identity/ca-store.js';
import { memberSecrets } from '../../src/identity/member.js';
import { loadNodeIdentity } from '../../src/identity/node-store.js';
import { createAnonymousId } from '../../src/anonymous-id/anonymous-id.js';
import { buildAuditRecord, countersignOpening, encodeAuditRecord, verifyAuditRecord } from '../../src/trustees/audit-record.js';
import { combineOpening } from '../../src/trustees/opening-combiner.js';
import { createOpeningRequest, encodeOpeningRequest } from '../../src/trustees/opening-request.js';
import { approveOpening, encodeOpeningApproval } from '../../src/trustees/trustee-approval.js';

const PASS = 'ca passphrase';
const kdf = { logN: 10 };

/** Every form of a secret scalar we look for: ±k, LE and BE, bytes / hex / HEX / base64. */
function needles(k: Uint8Array): { bytes: Uint8Array[]; texts: string[] } {
  const neg = encodeScalar(modL(-decodeScalar(k)));
  const bytes = [k, neg].flatMap((b) => [b, b.slice().reverse()]);
  const texts = bytes.flatMap((b) => [toHex(b), toHex(b).toUpperCase(), toBase64(b), Buffer.from(b).toString('base64url')]);
  return { bytes, texts };
}

function containsBytes(hay: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(Buffer.from(needle)) !== -1;
}

async function filesUnder(dir: string): Promise<[string, Uint8Array][]> {
  const out: [string, Uint8Array][] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push([p, new Uint8Array(await readFile(p))]);
  }
  return out;
}

test('no party holds, sends or stores any member’s anonymity key during an opening', async () => {
  const root = await mkdtemp(join(tmpdir(), 'tokumei-opening-test-'));
  try {
    const caDir = join(root, 'ca');
    await initCa(caDir, { passphrase: PASS, trustees: 5, threshold: 3, kdf });
    const serials: string[] = [];
    for (let i = 1; i <= 6; i++) serials.push((await issueMember(caDir, { label: `m${i}`, outDir: join(root, `node-${i}`), passphrase: PASS, kdf })).serial);
    // The members' own keystores are the only place k_m lives; the test reads them to know what to look for.
    const identities = await Promise.all(serials.map((_, i) => loadNodeIdentity(join(root, `node-${i + 1}`), PASS)));
    const keys = identities.map((id) => id.anonymityKey);
    const anonId = createAnonymousId(keys[3]!); // member 4 posts something

    const community = await readCommunityFile(caDir);
    const caPem = await readFile(join(caDir, 'ca.pem'), 'utf8');
    const recordTexts = await Promise.all(serials.map((s) => readFile(join(caDir, 'escrow', `${s}.json`), 'utf8')));
    const authorityKey = generateSigningKeyPair('ed25519').privateKey;
    const authorities = [{ name: 'Health Authority', signingPublicKey: toHex(ed25519RawPublicKey(authorityKey)) }];
    const requestText = encodeOpeningRequest(createOpeningRequest({ anonId, authority: 'Health Authority', reason: 'court order 17', authorityKey, now: Date.now() }));

    const seen: [string, Uint8Array][] = []; // copies, for the scan
    const live: Uint8Array[] = []; // the parties' own buffers, to check wiping
    const inspect = (who: string) => (what: string, b: Uint8Array) => {
      seen.push([`${who} ${what}`, b.slice()]);
      live.push(b);
    };
    const trustees = await Promise.all([1, 3, 4].map((i) => unlockTrustee(caDir, i, PASS)));
    const approvalTexts: string[] = [];
    for (const t of trustees) {
      const a = await approveOpening({ request: requestText, trusteeKeys: t, escrowRecords: recordTexts, caCert: caPem, authorities, now: Date.now(), inspect: inspect(`trustee ${t.index}`) });
      approvalTexts.push(encodeOpeningApproval(a));
    }
    const shares = seen.filter(([w]) => w.endsWith(' share'));
    assert.equal(shares.length, 3 * 6);
    const options = { request: requestText, approvals: approvalTexts, escrowRecords: recordTexts, caCert: caPem, trusteePublics: community.trusteeKeys, threshold: 3 };
    const result = combineOpening({ ...options, inspect: inspect('combiner') });
    assert.equal(result.memberSerial, serials[3]);
    const signatures = trustees.map((t) => countersignOpening({ ...options, trusteeKeys: t }).signature);
    const auditText = encodeAuditRecord(buildAuditRecord({ request: JSON.parse(requestText), result: result.memberSerial, trustees: result.approvingTrustees, signatures }));
    verifyAuditRecord(auditText, community.trusteeKeys, 3);

    // Everything each party holds, sends or writes.
    const texts: [string, string][] = [
      ['request', requestText],
      ...approvalTexts.map((t, i): [string, string] => [`approval ${i}`, t]),
      ['combiner inputs', JSON.stringify(options)],
      ['combiner result', JSON.stringify(result)],
      ['audit record', auditText],
    ];
    const buffers: [string, Uint8Array][] = [...seen, ...(await filesUnder(caDir)), ...texts.map(([w, t]): [string, Uint8Array] => [w, utf8(t)])];
    assert.ok(buffers.length > 100);

    const scan = (k: Uint8Array): string[] => {
      const n = needles(k);
      const hits: string[] = [];
      for (const [where, b] of buffers) {
        if (n.bytes.some((x) => containsBytes(b, x)) || n.texts.some((x) => containsBytes(b, utf8(x)))) hits.push(where);
      }
      for (const [where, t] of texts) if (n.texts.some((x) => t.includes(x))) hits.push(where);
      return hits;
    };
    keys.forEach((k, m) => assert.deepEqual(scan(k), [], `member ${m + 1}'s k_m found`));
    // The scan is not blind: a plaintext member keystore would be caught.
    buffers.push(['control: keystore plaintext', utf8(JSON.stringify(memberSecrets(identities[2]!)))]);
    assert.deepEqual(scan(keys[2]!), ['control: keystore plaintext']);
    buffers.pop();
    buffers.push(['control: reversed', keys[5]!.slice().reverse()]);
    assert.deepEqual(scan(keys[5]!), ['control: reversed']);
    buffers.pop();

    // Shares and combined values were wiped once used.
    const used = live.filter((_, i) => /share|combined/.test(seen[i]![0]));
    assert.equal(used.length, 3 * 6 + 6);
    assert.equal(used.filter((b) => b.some((x) => x !== 0)).length, 0);
    // Other members' k_m·R was computed, compared and dropped: it is in nothing that was kept.
    const R = decodePoint(anonId.subarray(0, 32));
    keys.forEach((k, m) => {
      const kR = encodePoint(mulPoint(R, decodeScalar(k)));
      const kept = [...texts.map(([w, t]): [string, Uint8Array] => [w, utf8(t)]), ...(buffers.filter(([w]) => !w.startsWith('combiner combined')))];
      const hits = kept.filter(([, b]) => containsBytes(b, kR) || containsBytes(b, utf8(toHex(kR))));
      if (m === 3) assert.ok(hits.length > 0, 'K itself is in the request'); // member 4's k·R is the ID's K
      else assert.deepEqual(hits.map(([w]) => w), [], `member ${m + 1}'s k_m·R kept`);
    });

    // The opening code has no path that rebuilds a secret.
    const srcDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src', 'trustees');
    for (const f of await readdir(srcDir, { recursive: true })) if (f.endsWith('.ts')) assert.ok(!(await readFile(join(srcDir, f), 'utf8')).includes('reconstructSecret'), f);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

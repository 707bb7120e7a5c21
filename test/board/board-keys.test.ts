import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTokumeiError } from '../../src/errors.js';
import { hpkeOpen, hpkeSeal } from '../../src/crypto/hpke.js';
import { ed25519PublicKeyFromRaw, signBytes, verifyBytes } from '../../src/crypto/signing.js';
import { x25519RawPublicKey } from '../../src/crypto/x25519.js';
import { SeededRandom } from '../../src/runtime/sim/prng.js';
import { isOwnAnonymousId } from '../../src/anonymous-id/anonymous-id.js';
import { generateBoardKeys, loadBoardDir, readBoardAddress, writeBoardDir } from '../../src/board/board-keys.js';
import { sealKeystore } from '../../src/identity/keystore.js';

const LOW = { kdf: { logN: 10 } };
const random = new SeededRandom(4, 'board-keys');

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'tokumei-board-test-'));
}

test('generated keys agree with their address', async () => {
  const keys = generateBoardKeys(random);
  assert.equal(isOwnAnonymousId(keys.boardId, keys.idKey), true);
  assert.deepEqual(keys.public.id, keys.boardId);
  assert.deepEqual(keys.public.routeKey, x25519RawPublicKey(keys.routeKey));
  const sealed = await hpkeSeal(keys.public.sealKey, Uint8Array.of(1, 2, 3));
  assert.deepEqual(await hpkeOpen(keys.sealKey, sealed), Uint8Array.of(1, 2, 3));
  const sig = signBytes(keys.signingKey, Uint8Array.of(9));
  assert.equal(verifyBytes(ed25519PublicKeyFromRaw(keys.public.signingKey), Uint8Array.of(9), sig), true);
  assert.notEqual(generateBoardKeys(random).address, keys.address);
  // Without a random source, from the OS.
  assert.ok(generateBoardKeys().address.startsWith('tkb1'));
});

test('a BOARDDIR is written and loaded back; board.json is public, the keystore is not', async () => {
  const root = await tempDir();
  try {
    const dir = join(root, 'board');
    const keys = generateBoardKeys(random);
    await writeBoardDir(dir, keys, 'board pass', LOW);
    const j = JSON.parse(await readFile(join(dir, 'board.json'), 'utf8'));
    assert.deepEqual(j, { format: 'tokumei-board/1', address: keys.address });
    assert.equal((await stat(join(dir, 'board.json'))).mode & 0o777, 0o644);
    assert.equal((await stat(join(dir, 'keystore.json'))).mode & 0o777, 0o600);
    assert.equal((await readBoardAddress(dir)).routingAddress, keys.public.routingAddress);
    const back = await loadBoardDir(dir, 'board pass');
    assert.equal(back.address, keys.address);
    assert.deepEqual(back.idKey, keys.idKey);
    assert.deepEqual(back.sealKey, keys.sealKey);
    await assert.rejects(loadBoardDir(dir, 'wrong pass'), (e) => isTokumeiError(e, 'KEYSTORE_BAD_PASSPHRASE'));
    // An existing non-empty directory is never overwritten.
    await assert.rejects(writeBoardDir(dir, generateBoardKeys(random), 'x', LOW), (e) => isTokumeiError(e, 'BOARD_DIR_EXISTS'));
    assert.equal((await loadBoardDir(dir, 'board pass')).address, keys.address);
    // An existing empty one is fine.
    const empty = join(root, 'empty');
    await mkdir(empty);
    await writeBoardDir(empty, keys, 'p', LOW);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('board.json naming another board, or a keystore whose ID is not its id key\'s, is BOARD_KEYS_MISMATCH', async () => {
  const root = await tempDir();
  try {
    const dir = join(root, 'board');
    const keys = generateBoardKeys(random);
    await writeBoardDir(dir, keys, 'pw', LOW);
    const other = generateBoardKeys(random);
    await writeFile(join(dir, 'board.json'), JSON.stringify({ format: 'tokumei-board/1', address: other.address }));
    await assert.rejects(loadBoardDir(dir, 'pw'), (e) => isTokumeiError(e, 'BOARD_KEYS_MISMATCH'));

    // A keystore with the ID of another board.
    const dir2 = join(root, 'board2');
    await writeBoardDir(dir2, keys, 'pw', LOW);
    const ks = JSON.parse(await readFile(join(dir2, 'keystore.json'), 'utf8'));
    assert.equal(ks.format, 'tokumei-keystore/1');
    const secrets = {
      idKey: Buffer.from(keys.idKey).toString('hex'),
      boardId: Buffer.from(other.boardId).toString('hex'),
      routeKey: '11'.repeat(32),
      sealKey: '22'.repeat(32),
      signingKey: keys.signingKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    };
    await writeFile(join(dir2, 'keystore.json'), await sealKeystore('board', secrets, 'pw', LOW));
    await assert.rejects(loadBoardDir(dir2, 'pw'), (e) => isTokumeiError(e, 'BOARD_KEYS_MISMATCH'));
    await writeFile(join(dir2, 'keystore.json'), await sealKeystore('board', { ...secrets, idKey: 'zz' }, 'pw', LOW));
    await assert.rejects(loadBoardDir(dir2, 'pw'), (e) => isTokumeiError(e, 'KEYSTORE_MALFORMED'));
    // A member keystore is not a board keystore.
    await writeFile(join(dir2, 'keystore.json'), await sealKeystore('member', secrets, 'pw', LOW));
    await assert.rejects(loadBoardDir(dir2, 'pw'), (e) => isTokumeiError(e, 'KEYSTORE_MALFORMED'));
    // A malformed board.json.
    await writeFile(join(dir2, 'board.json'), '{"format":"tokumei-board/2"}');
    await assert.rejects(loadBoardDir(dir2, 'pw'), (e) => isTokumeiError(e, 'BOARD_DIR_MALFORMED'));
    await writeFile(join(dir2, 'board.json'), 'not json');
    await assert.rejects(loadBoardDir(dir2, 'pw'), (e) => isTokumeiError(e, 'BOARD_DIR_MALFORMED'));
    await assert.rejects(loadBoardDir(join(root, 'nothing'), 'pw'), (e) => isTokumeiError(e, 'FILE_MISSING'));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

/**
 * Child process for the crash-durability test: opens the board store at argv[2] and inserts posts
 * until killed, printing each post's id on stdout after insertPost returned (= after the commit).
 * Writes to a pipe are synchronous on Linux, so a printed id was acknowledged before the kill.
 */
import { randomBytes } from 'node:crypto';
import { BoardStore } from '../../../src/board/board-store.js';

const path = process.argv[2];
if (!path) throw new Error('usage: board-writer.js STORE_PATH');
const store = BoardStore.open(path);
const now = Date.now();
for (let i = 0; ; i++) {
  const id = randomBytes(16).toString('hex');
  store.insertPost({
    id,
    anonId: randomBytes(64),
    created: now,
    expires: now + 86_400_000,
    text: `crash test post ${i} with some words to index`,
    fields: i % 2 === 0 ? [{ key: 'n', value: String(i) }] : [],
    record: randomBytes(300),
    origin: 'client',
  });
  process.stdout.write(`${id}\n`);
}

/**
 * Routing hot paths against their baselines, measured in the same run on the same core:
 *  - a relay forwarding a cell (stream layer + trial AEAD open) vs one raw ChaCha20-Poly1305
 *    open of the same 1,000-byte body;
 *  - peeling a setup onion (one X25519 + HKDF + MAC + stream) vs one raw X25519;
 *  - building a 4-hop onion vs four raw X25519 key generations + exchanges.
 * Prints ops/s and the ratio. Run: `npm run bench` (after a build).
 */
import { randomBytes, generateKeyPairSync, diffieHellman, createCipheriv, createDecipheriv } from 'node:crypto';
import { buildOnion, peelOnion, deriveHopKeys } from '../src/routing/formats/sphinx.js';
import { ReplayCache } from '../src/routing/formats/replay-cache.js';
import { OnionProxyCrypto, RelayHopCrypto } from '../src/routing/formats/relay-crypto.js';
import { encodeRelayBody, RelayCommand } from '../src/routing/formats/relay-body.js';
import { generateX25519 } from '../src/crypto/x25519.js';

function rate(label: string, ms: number, fn: () => void): number {
  for (let i = 0; i < 200; i++) fn(); // warm up
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
  }
  const r = n / (ms / 1000);
  console.log(`${label.padEnd(44)} ${Math.round(r).toLocaleString('en').padStart(10)} /s`);
  return r;
}

const MS = Number(process.env.BENCH_MS ?? 1_000);

// Relay cell forwarding vs raw AEAD.
const keys = Array.from({ length: 3 }, () => deriveHopKeys(randomBytes(32)));
const proxy = new OnionProxyCrypto(keys);
const relay = new RelayHopCrypto(keys[0]!);
const body = encodeRelayBody(RelayCommand.DATA, randomBytes(900));
const cells: Uint8Array[] = Array.from({ length: 4096 }, () => proxy.sealForward(2, body));
let k = 0;
const relayRate = rate('relay: forward one cell (not for it)', MS, () => {
  relay.forward(cells[k++ % cells.length]!);
});
const aeadKey = randomBytes(32);
const nonce = randomBytes(12);
const c = createCipheriv('chacha20-poly1305', aeadKey, nonce, { authTagLength: 16 });
const ct = Buffer.concat([c.update(randomBytes(1000)), c.final()]);
const tag = c.getAuthTag();
const aeadRate = rate('baseline: raw ChaCha20-Poly1305 open (1,000 B)', MS, () => {
  const d = createDecipheriv('chacha20-poly1305', aeadKey, nonce, { authTagLength: 16 });
  d.setAuthTag(tag);
  d.update(ct);
  d.final();
});
console.log(`ratio relay/raw AEAD: ${(relayRate / aeadRate).toFixed(2)}\n`);

// Onion peel vs raw X25519.
const hop = generateX25519();
const epoch = 1;
const packets = Array.from({ length: 2048 }, () => buildOnion([{ onionKey: hop.publicRaw, cmd: 'extend', next: randomBytes(16) }, { onionKey: generateX25519().publicRaw, cmd: 'deliver' }], epoch).packet);
let p = 0;
const peelRate = rate('onion: peel one layer', MS, () => {
  try {
    peelOnion(packets[p++ % packets.length]!, hop.privateKey, epoch, new ReplayCache());
  } catch {
    /* replays after the first lap: still a full peel up to the replay check */
  }
});
const a = generateKeyPairSync('x25519');
const b = generateKeyPairSync('x25519');
const dhRate = rate('baseline: raw X25519', MS, () => {
  diffieHellman({ privateKey: a.privateKey, publicKey: b.publicKey });
});
console.log(`ratio peel/raw X25519: ${(peelRate / dhRate).toFixed(2)}\n`);

const route = Array.from({ length: 4 }, () => ({ onionKey: generateX25519().publicRaw, cmd: 'extend' as const, next: randomBytes(16) }));
route.push({ onionKey: generateX25519().publicRaw, cmd: 'extend', next: randomBytes(16) });
const hops = [...route.slice(0, 4), { onionKey: route[4]!.onionKey, cmd: 'deliver' as const }];
const buildRate = rate('onion: build for 4 relays + destination', MS, () => {
  buildOnion(hops, epoch);
});
const keygenDh = rate('baseline: 5 × (X25519 keygen + exchange)', MS, () => {
  for (let i = 0; i < 5; i++) {
    const e = generateKeyPairSync('x25519');
    diffieHellman({ privateKey: e.privateKey, publicKey: b.publicKey });
  }
});
console.log(`ratio build/raw: ${(buildRate / keygenDh).toFixed(2)}`);

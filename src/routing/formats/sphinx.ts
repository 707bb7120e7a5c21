/**
 * The setup onion (docs/protocol.md §6.5): a Sphinx-style packet with a per-hop ephemeral key.
 *
 *   CREATE payload = version u8 (1) | α (32) | γ (16) | β (L = H × 72 = 864)          = 913 bytes
 *   routing block  = cmd u8 (1 EXTEND, 2 DELIVER) | next (16) | α_next (32) | γ_next (16)
 *                    | epoch u32 | reserved (3, zero)                                    = 72 bytes
 *   `next` is the relay's own pointer to its next hop (§6.3), opaque here; zero in DELIVER.
 *   s = X25519(e, onion key);  keys = HKDF-SHA256(s, "", "tokumei onion v1", 192)
 *   hop: check γ = HMAC-SHA256(mac, β)[0:16]; B = (β | 0^72) XOR ChaCha20(stream, 0)[0 : L + 72];
 *        block = B[0:72]; next β = B[72:]
 *
 * The OP builds β from the inside out with the Sphinx filler, so γ at every hop covers exactly the
 * β that hop receives: every packet is 913 bytes of random-looking data whatever the hop's position,
 * and any change is caught by the next hop's MAC.
 */
import type { KeyObject } from 'node:crypto';
import { TokumeiError } from '../../errors.js';
import { badArgument, checkBytes, concatBytes, constantTimeEqual, utf8, wipe } from '../../crypto/bytes.js';
import { hmacSha256, sha256 } from '../../crypto/hash.js';
import { hkdfSha256 } from '../../crypto/hkdf.js';
import { randomBytesFrom, type RandomSource } from '../../crypto/random.js';
import { generateX25519, x25519, x25519PublicKeyFromRaw, X25519_KEY_LENGTH } from '../../crypto/x25519.js';
import { chacha20Stream, chacha20Xor, xorBytes, ZERO_NONCE } from '../../crypto/chacha20.js';
import type { ReplayCache } from './replay-cache.js';


export const ONION_VERSION = 1;
export const MAX_ONION_HOPS = 12;
export const ROUTING_BLOCK = 72;
export const GAMMA_LENGTH = 16;
/** The routing block's `next` field: a neighbour pointer (§6.3). */
export const ONION_NEXT_LENGTH = 16;
/** β: one routing block per possible hop. */
export const BETA_LENGTH = MAX_ONION_HOPS * ROUTING_BLOCK;
export const ONION_SIZE = 1 + X25519_KEY_LENGTH + GAMMA_LENGTH + BETA_LENGTH;

const CMD_EXTEND = 1;
const CMD_DELIVER = 2;
/** Terminal at a relay: the destination's own circuit to its introduction relay ends here. */
const CMD_ESTABLISH = 3;
/** Terminal at a relay: a sender's circuit ends at this introduction relay; `next` is the cookie. */
const CMD_INTRODUCE = 4;
/** The commands an onion's last hop may carry. */
export type TerminalCommand = 'deliver' | 'establish' | 'introduce';
const TERMINAL: Record<TerminalCommand, number> = { deliver: CMD_DELIVER, establish: CMD_ESTABLISH, introduce: CMD_INTRODUCE };
const INFO = utf8('tokumei onion v1');
const ALPHA_AT = 1;
const GAMMA_AT = ALPHA_AT + X25519_KEY_LENGTH;
const BETA_AT = GAMMA_AT + GAMMA_LENGTH;

/** The symmetric keys one hop shares with the OP (§6.5); Kf…Kb_auth key the circuit (§6.6). */
export interface HopKeys {
  mac: Uint8Array;
  stream: Uint8Array;
  kf: Uint8Array;
  kb: Uint8Array;
  kfAuth: Uint8Array;
  kbAuth: Uint8Array;
}

export interface OnionHop {
  /** The hop's X25519 onion key (a relay's passport key, or D's address key for the last hop). */
  onionKey: Uint8Array;
  /** 'extend' for every hop but the last; the last 'deliver' (D), 'establish' or 'introduce' (an introduction relay). */
  cmd: 'extend' | TerminalCommand;
  /** For 'extend': what names the next hop to this relay (16 bytes: its pointer, §6.3); for 'introduce' the cookie. */
  next?: Uint8Array;
}

export interface PeeledOnion {
  cmd: 'extend' | TerminalCommand;
  /** For 'extend': the `next` field (16 bytes) naming the neighbour to send `inner` to; for 'introduce' the cookie. */
  next?: Uint8Array;
  keys: HopKeys;
  /** For 'extend': the CREATE payload for the next hop. */
  inner?: Uint8Array;
}

/** keys = HKDF-SHA256(s, salt = "", info = "tokumei onion v1", 192), split in six. */
export function deriveHopKeys(shared: Uint8Array): HopKeys {
  const okm = hkdfSha256(checkBytes('shared secret', shared, 32), new Uint8Array(0), INFO, 192);
  const part = (i: number): Uint8Array => okm.slice(32 * i, 32 * (i + 1));
  const keys = { mac: part(0), stream: part(1), kf: part(2), kb: part(3), kfAuth: part(4), kbAuth: part(5) };
  wipe(okm);
  return keys;
}

export function wipeHopKeys(k: HopKeys): void {
  wipe(k.mac, k.stream, k.kf, k.kb, k.kfAuth, k.kbAuth);
}

function gammaOf(macKey: Uint8Array, beta: Uint8Array): Uint8Array {
  return hmacSha256(macKey, beta).subarray(0, GAMMA_LENGTH);
}

function routingBlock(cmd: number, next: Uint8Array, alpha: Uint8Array, gamma: Uint8Array, epoch: number): Uint8Array {
  const b = new Uint8Array(ROUTING_BLOCK);
  b[0] = cmd;
  b.set(next, 1);
  b.set(alpha, 17);
  b.set(gamma, 49);
  new DataView(b.buffer).setUint32(65, epoch);
  return b; // reserved bytes 69..71 stay zero
}

/**
 * Builds the onion for `hops` (1..12, the last one 'deliver') at `epoch`; returns the packet for
 * hop 1 and each hop's keys, in order.
 */
export function buildOnion(hops: OnionHop[], epoch: number, random?: RandomSource): { packet: Uint8Array; keys: HopKeys[] } {
  const n = hops.length;
  if (n < 1 || n > MAX_ONION_HOPS) badArgument(`an onion has 1..${MAX_ONION_HOPS} hops, got ${n}`);
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > 0xffff_ffff) badArgument('epoch must be a u32');
  hops.forEach((h, i) => {
    checkBytes(`hop ${i} onion key`, h.onionKey, X25519_KEY_LENGTH);
    if (i < n - 1 && (h.cmd !== 'extend' || !h.next)) badArgument(`hop ${i} must be 'extend' with a next hop`);
    if (i === n - 1 && !(h.cmd in TERMINAL)) badArgument('the last hop must be \'deliver\', \'establish\' or \'introduce\'');
    if (i === n - 1 && h.cmd === 'introduce' && !h.next) badArgument('\'introduce\' needs the cookie as next');
    if (h.next) checkBytes(`hop ${i} next`, h.next, ONION_NEXT_LENGTH);
  });
  const L = BETA_LENGTH;
  const alphas: Uint8Array[] = [];
  const keys: HopKeys[] = [];
  const streams: Uint8Array[] = [];
  for (const h of hops) {
    const e = generateX25519(random);
    const k = deriveHopKeys(x25519(e.privateKey, x25519PublicKeyFromRaw(h.onionKey)));
    alphas.push(e.publicRaw);
    keys.push(k);
    streams.push(chacha20Stream(k.stream, ZERO_NONCE, L + ROUTING_BLOCK));
  }
  // Filler: φ_i = (φ_{i-1} | 0^72) XOR stream_i[L − 72(i−1) : L + 72], for the first n−1 hops
  // (0-based i below). φ is what hops 1..n−1 will have appended to β by the time it reaches hop n.
  let filler: Uint8Array = new Uint8Array(0);
  for (let i = 0; i < n - 1; i++) {
    filler = xorBytes(concatBytes(filler, new Uint8Array(ROUTING_BLOCK)), streams[i]!.subarray(L - ROUTING_BLOCK * i, L + ROUTING_BLOCK));
  }
  // The last hop's β: its block (encrypted), random padding, then the filler.
  let beta: Uint8Array = new Uint8Array(L);
  const end = hops[n - 1]!;
  const last = routingBlock(TERMINAL[end.cmd as TerminalCommand], end.cmd === 'introduce' ? end.next! : new Uint8Array(ONION_NEXT_LENGTH), new Uint8Array(32), new Uint8Array(GAMMA_LENGTH), epoch);
  beta.set(xorBytes(last, streams[n - 1]!.subarray(0, ROUTING_BLOCK)), 0);
  beta.set(randomBytesFrom(random, L - ROUTING_BLOCK * n), ROUTING_BLOCK);
  beta.set(filler, L - filler.length);
  let gamma = gammaOf(keys[n - 1]!.mac, beta);
  // Inward: β_i = (block_i | β_{i+1}[0 : L − 72]) XOR stream_i[0 : L].
  for (let i = n - 2; i >= 0; i--) {
    const block = routingBlock(CMD_EXTEND, hops[i]!.next!, alphas[i + 1]!, gamma, epoch);
    beta = xorBytes(concatBytes(block, beta.subarray(0, L - ROUTING_BLOCK)), streams[i]!.subarray(0, L));
    gamma = gammaOf(keys[i]!.mac, beta);
  }
  for (const s of streams) wipe(s);
  const packet = concatBytes(Uint8Array.of(ONION_VERSION), alphas[0]!, gamma, beta);
  return { packet, keys };
}

function onionError(kind: 'crypto' | 'refused' | 'protocol', code: string, message: string): TokumeiError {
  return new TokumeiError(kind, code, message);
}

/**
 * A hop's processing of a CREATE payload: MAC, replay and epoch checks, then its routing block.
 * Throws ONION_MALFORMED (protocol), ONION_BAD_MAC (crypto), ONION_REPLAY, ONION_EPOCH,
 * ONION_REPLAY_FULL (refused). The replay cache records the onion only once every check passed.
 */
export function peelOnion(packet: Uint8Array, onionPrivate: KeyObject, nowEpoch: number, replay: ReplayCache): PeeledOnion {
  if (!(packet instanceof Uint8Array) || packet.length !== ONION_SIZE) {
    throw onionError('protocol', 'ONION_MALFORMED', `CREATE payload must be ${ONION_SIZE} bytes`);
  }
  if (packet[0] !== ONION_VERSION) throw onionError('protocol', 'ONION_MALFORMED', `unknown onion version ${packet[0]}`);
  const alpha = packet.subarray(ALPHA_AT, GAMMA_AT);
  const gamma = packet.subarray(GAMMA_AT, BETA_AT);
  const beta = packet.subarray(BETA_AT);
  let shared: Uint8Array;
  try {
    shared = x25519(onionPrivate, x25519PublicKeyFromRaw(alpha));
  } catch {
    throw onionError('crypto', 'ONION_BAD_MAC', 'onion α is not a usable X25519 key');
  }
  const keys = deriveHopKeys(shared);
  const tag = sha256(shared);
  wipe(shared);
  try {
    if (!constantTimeEqual(gammaOf(keys.mac, beta), gamma)) throw onionError('crypto', 'ONION_BAD_MAC', 'onion MAC does not verify');
    if (replay.has(tag, nowEpoch)) throw onionError('refused', 'ONION_REPLAY', 'onion already seen');
    const B = chacha20Xor(keys.stream, ZERO_NONCE, concatBytes(beta, new Uint8Array(ROUTING_BLOCK)));
    const view = new DataView(B.buffer, B.byteOffset, B.byteLength);
    const cmd = B[0]!;
    const epoch = view.getUint32(65);
    if (epoch !== nowEpoch && epoch !== nowEpoch - 1) throw onionError('refused', 'ONION_EPOCH', `onion epoch ${epoch}, now ${nowEpoch}`);
    if (cmd < CMD_EXTEND || cmd > CMD_INTRODUCE || B[69] !== 0 || B[70] !== 0 || B[71] !== 0) {
      throw onionError('protocol', 'ONION_MALFORMED', `bad routing block (cmd ${cmd})`);
    }
    if (!replay.add(tag, nowEpoch)) throw onionError('refused', 'ONION_REPLAY_FULL', 'replay cache full for this epoch');
    if (cmd === CMD_DELIVER) return { cmd: 'deliver', keys };
    if (cmd === CMD_ESTABLISH) return { cmd: 'establish', keys };
    if (cmd === CMD_INTRODUCE) return { cmd: 'introduce', next: B.slice(1, 17), keys };
    const inner = concatBytes(Uint8Array.of(ONION_VERSION), B.subarray(17, 49), B.subarray(49, 65), B.subarray(ROUTING_BLOCK));
    return { cmd: 'extend', next: B.slice(1, 17), keys, inner };
  } catch (e) {
    wipeHopKeys(keys);
    throw e;
  }
}

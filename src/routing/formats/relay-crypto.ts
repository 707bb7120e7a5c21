/**
 * Relay cell cryptography (docs/protocol.md §6.6): symmetric only, one layer per hop.
 *
 * Forward, for target hop t (hops numbered from 0 here): the OP seals the 1,000-byte body with
 * ChaCha20-Poly1305(Kf_auth_t, nonce(fc_t)), then XORs ChaCha20(Kf_j, nonce(fc_j)) for j = t … 0,
 * advancing fc_j. Each hop XORs its stream, advances its counter and tries its Kf_auth: the cell is
 * for it if that opens, else it goes on. Backward is the mirror image with Kb, Kb_auth and the
 * backward counters. nonce(c) = 0^4 | c u64.
 *
 * Counters stay in step because a circuit delivers cells in order. A cell that opens nowhere
 * (tampered) has advanced the counters of every hop it crossed but not the OP's view of the hops past
 * its target; such a circuit is out of step from there on and must be replaced (§6.6).
 */
import { aeadSeal } from '../../crypto/aead.js';
import { badArgument, checkBytes, wipe } from '../../crypto/bytes.js';
import { chacha20Xor, counterNonce, tryAeadOpen } from '../../crypto/chacha20.js';
import { RELAY_BODY } from './relay-body.js';
import { MAX_ONION_HOPS, type HopKeys } from './sphinx.js';


/** A RELAY cell's payload: the sealed body and its 16-byte tag. */
export const RELAY_PAYLOAD = 1016;

function checkPayload(payload: Uint8Array): void {
  checkBytes('relay payload', payload, RELAY_PAYLOAD);
}

function checkBody(body: Uint8Array): void {
  checkBytes('relay body', body, RELAY_BODY);
}

interface CircuitKeys {
  kf: Uint8Array;
  kb: Uint8Array;
  kfAuth: Uint8Array;
  kbAuth: Uint8Array;
}

function copyKeys(k: HopKeys): CircuitKeys {
  return {
    kf: checkBytes('Kf', k.kf, 32).slice(),
    kb: checkBytes('Kb', k.kb, 32).slice(),
    kfAuth: checkBytes('Kf_auth', k.kfAuth, 32).slice(),
    kbAuth: checkBytes('Kb_auth', k.kbAuth, 32).slice(),
  };
}

function wipeKeys(k: CircuitKeys): void {
  wipe(k.kf, k.kb, k.kfAuth, k.kbAuth);
}

/** One relay's (or D's) state for one circuit. */
export class RelayHopCrypto {
  private readonly keys: CircuitKeys;
  private forwardCounter = 0;
  private backwardCounter = 0;

  constructor(keys: HopKeys) {
    this.keys = copyKeys(keys);
  }

  /** A cell from the OP's side: `body` when it is for this hop; else forward `payload`. */
  forward(payload: Uint8Array): { body?: Uint8Array; payload: Uint8Array } {
    checkPayload(payload);
    const nonce = counterNonce(this.forwardCounter++);
    const out = chacha20Xor(this.keys.kf, nonce, payload);
    const body = tryAeadOpen(this.keys.kfAuth, nonce, out);
    return body ? { body, payload: out } : { payload: out };
  }

  /** A cell from D's side, passed on toward the OP with this hop's layer added. */
  backward(payload: Uint8Array): Uint8Array {
    checkPayload(payload);
    return chacha20Xor(this.keys.kb, counterNonce(this.backwardCounter++), payload);
  }

  /** A cell this hop sends to the OP. */
  originateBackward(body: Uint8Array): Uint8Array {
    checkBody(body);
    const nonce = counterNonce(this.backwardCounter++);
    return chacha20Xor(this.keys.kb, nonce, aeadSeal(this.keys.kbAuth, nonce, body));
  }

  wipe(): void {
    wipeKeys(this.keys);
  }
}

interface HopState {
  keys: CircuitKeys;
  forward: number;
  backward: number;
}

/** The OP's view of a route: each hop's keys and counters, hop 0 being its own neighbour. */
export class OnionProxyCrypto {
  // BOUNDED(MAX_ONION_HOPS): one entry per hop of the route.
  private hops: HopState[];

  constructor(keys: HopKeys[]) {
    if (keys.length < 1 || keys.length > MAX_ONION_HOPS) badArgument(`a route has 1..${MAX_ONION_HOPS} hops, got ${keys.length}`);
    this.hops = keys.map((k) => ({ keys: copyKeys(k), forward: 0, backward: 0 }));
  }

  get hopCount(): number {
    return this.hops.length;
  }

  private checkHop(i: number, name: string): HopState {
    if (!Number.isInteger(i) || i < 0 || i >= this.hops.length) badArgument(`${name} must be a hop index in 0..${this.hops.length - 1}`);
    return this.hops[i]!;
  }

  /** A RELAY payload whose body only hop `target` (0-based) can open. */
  sealForward(target: number, body: Uint8Array): Uint8Array {
    const t = this.checkHop(target, 'target');
    checkBody(body);
    let cell = aeadSeal(t.keys.kfAuth, counterNonce(t.forward), body);
    for (let j = target; j >= 0; j--) {
      const h = this.hops[j]!;
      cell = chacha20Xor(h.keys.kf, counterNonce(h.forward++), cell);
    }
    return cell;
  }

  /**
   * Hop `target` replaces a setup cell addressed to it by one of random bytes that every later hop
   * XORs and passes on (relay-circuit.ts): their forward counters move by one.
   */
  skipForwardAfter(target: number): void {
    this.checkHop(target, 'target');
    for (let j = target + 1; j < this.hops.length; j++) this.hops[j]!.forward++;
  }

  /** Peels a backward cell hop by hop; which hop sent it and its body, or `undefined` (dropped). */
  openBackward(payload: Uint8Array): { hop: number; body: Uint8Array } | undefined {
    checkPayload(payload);
    let cell = payload;
    for (let j = 0; j < this.hops.length; j++) {
      const h = this.hops[j]!;
      const nonce = counterNonce(h.backward);
      cell = chacha20Xor(h.keys.kb, nonce, cell);
      const body = tryAeadOpen(h.keys.kbAuth, nonce, cell);
      if (body) {
        for (let i = 0; i <= j; i++) this.hops[i]!.backward++;
        return { hop: j, body };
      }
    }
    return undefined;
  }

  /**
   * After hop `afterHop` switched to an alternative suffix (§6.7): hops 0..afterHop stay as they
   * are, the old suffix is forgotten (keys wiped) and `keys` become the new suffix, counters at 0.
   * `afterHop = -1` replaces the whole route.
   */
  replaceSuffix(afterHop: number, keys: HopKeys[]): void {
    if (!Number.isInteger(afterHop) || afterHop < -1 || afterHop >= this.hops.length) badArgument(`afterHop must be in -1..${this.hops.length - 1}`);
    if (afterHop + 1 + keys.length < 1 || afterHop + 1 + keys.length > MAX_ONION_HOPS) badArgument(`a route has 1..${MAX_ONION_HOPS} hops`);
    const fresh = keys.map((k) => ({ keys: copyKeys(k), forward: 0, backward: 0 }));
    for (const h of this.hops.slice(afterHop + 1)) wipeKeys(h.keys);
    this.hops = [...this.hops.slice(0, afterHop + 1), ...fresh];
  }

  wipe(): void {
    for (const h of this.hops) wipeKeys(h.keys);
    this.hops = [];
  }
}

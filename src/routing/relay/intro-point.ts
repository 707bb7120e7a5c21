/**
 * Serving as an introduction relay (docs/protocol.md §6.10). A destination D builds a circuit to
 * this relay that ends here (ESTABLISH) and registers the IDs of its addresses on it. Seeks for a
 * registered ID are answered here — D makes the route proof over its circuit, this relay adds its
 * own hop record with a cookie as its pointer — and a sender's onion that ends here (INTRODUCE,
 * naming the cookie) is spliced to D's circuit: its cells go on to D inside SPLICED bodies, D's
 * answers come back the same way. This relay learns which seeks and circuits are for D's IDs, but
 * not who D is (D's circuit has relays of its own before it), nor who the senders are.
 */
import { Reader, Writer } from '../../wire/codec.js';
import { toHex } from '../../crypto/bytes.js';
import type { Neighbour } from '../../overlay/overlay-types.js';
import { Command } from '../../wire/cell.js';
import { RelayCommand } from '../formats/relay-body.js';
import { encodeRouteInfo, fakeHopRecords, pushHopRecord, ROUTE_PROOF_SIZE, type RouteSeek } from '../formats/route-seek.js';
import { sealHopRecord } from '../formats/hop-record.js';
import { serialToBytes } from '../formats/serial-bytes.js';
import type { DeliveryHandler, RelayCircuit } from './relay-circuit.js';
import type { RoutingContext } from './routing-context.js';

/** BOUNDED: IDs registered here, over all destinations. */
const MAX_REGISTRATIONS = 4_096;
/** BOUNDED: route proofs asked of destinations and not yet answered. */
const MAX_QUERIES = 256;
/** BOUNDED: senders' circuits spliced to destinations. */
const MAX_SPLICES = 1_024;
const QUERY_MS = 10_000;

interface Registration {
  circuit: RelayCircuit;
  /** D's index for the address, echoed in queries and SPLICED bodies. */
  index: number;
  cookie: Uint8Array;
}

interface Query {
  from: Neighbour;
  seek: RouteSeek;
  reg: Registration;
  expires: number;
}

export class IntroPoint {
  private readonly byId = new Map<string, Registration>(); // BOUNDED(MAX_REGISTRATIONS)
  private readonly byCookie = new Map<string, Registration>(); // same entries
  private readonly queries = new Map<number, Query>(); // BOUNDED(MAX_QUERIES)
  private readonly splices = new Map<number, { sender: RelayCircuit; reg: Registration }>(); // BOUNDED(MAX_SPLICES)
  private readonly spliceOf = new Map<RelayCircuit, number>(); // same entries, by circuit
  private nextQuery = 1;
  private nextSplice = 1;

  constructor(
    private readonly ctx: RoutingContext,
    private readonly slot: number,
  ) {}

  get registrations(): number {
    return this.byId.size;
  }

  /** What the end of a destination's circuit does with its cells. */
  readonly destinationSide: DeliveryHandler = {
    onCircuitBuilt: (circuit) => circuit.sendBackward(RelayCommand.BUILT, new Uint8Array(0)),
    onCircuitData: (circuit, cmd, data) => this.fromDestination(circuit, cmd, data),
    onCircuitGone: (circuit) => this.dropDestination(circuit),
  };

  /** What the end of a sender's circuit does with its cells. */
  readonly senderSide: DeliveryHandler = {
    onCircuitBuilt: () => undefined, // BUILT goes back once spliced (introduce)
    onCircuitData: (circuit, cmd, data) => this.fromSender(circuit, cmd, data),
    onCircuitGone: (circuit) => this.dropSplice(circuit),
  };

  /** Whether seeks for `tag` are answered here. */
  serves(tag: Uint8Array): boolean {
    return this.byId.has(toHex(tag));
  }

  /** A seek for a registered ID: ask its destination for the route proof (answered in onProof). */
  query(from: Neighbour, seek: RouteSeek): void {
    const reg = this.byId.get(toHex(seek.tag));
    if (!reg || !reg.circuit.isOpen) return;
    const now = this.ctx.runtime.clock.now();
    for (const [id, q] of this.queries) if (q.expires <= now) this.queries.delete(id);
    if (this.queries.size >= MAX_QUERIES) return;
    const id = this.nextQuery++ >>> 0;
    this.queries.set(id, { from, seek, reg, expires: now + QUERY_MS });
    reg.circuit.sendBackward(RelayCommand.INTRO_QUERY, new Writer().u32(id).u32(reg.index).bytes(seek.seekId).bytes(seek.tempKey).finish());
  }

  /** A sender's onion ended here naming `cookie`: splice its circuit to the destination's. */
  introduce(sender: RelayCircuit, cookie: Uint8Array | undefined): boolean {
    const reg = cookie ? this.byCookie.get(toHex(cookie)) : undefined;
    if (!reg || !reg.circuit.isOpen || this.splices.size >= MAX_SPLICES) return false;
    const id = this.nextSplice++ >>> 0;
    this.splices.set(id, { sender, reg });
    this.spliceOf.set(sender, id);
    sender.sendBackward(RelayCommand.BUILT, new Uint8Array(0));
    return true;
  }

  private fromDestination(circuit: RelayCircuit, cmd: number, data: Uint8Array): void {
    try {
      const r = new Reader(data);
      if (cmd === RelayCommand.INTRO_REGISTER) {
        const index = r.u32('index');
        const id = toHex(r.bytes(64, 'ID'));
        if (this.byId.has(id) || this.byId.size >= MAX_REGISTRATIONS) return;
        const reg: Registration = { circuit, index, cookie: this.ctx.runtime.random.bytes(16) };
        this.byId.set(id, reg);
        this.byCookie.set(toHex(reg.cookie), reg);
        return;
      }
      if (cmd === RelayCommand.INTRO_PROOF) {
        const qid = r.u32('query');
        const q = this.queries.get(qid);
        const proof = r.bytes(ROUTE_PROOF_SIZE, 'proof').slice();
        if (!q || q.reg.circuit !== circuit) return;
        this.queries.delete(qid);
        return this.answer(q, proof);
      }
      if (cmd === RelayCommand.SPLICED) {
        const s = this.splices.get(r.u32('splice'));
        r.u32('index');
        const inner = r.u8('command');
        if (!s || s.reg.circuit !== circuit || !s.sender.isOpen) return;
        return s.sender.sendBackward(inner, r.rest().slice());
      }
    } catch {
      // malformed: dropped below
    }
    this.ctx.counters.cellsDropped++;
  }

  /** The answer a destination would send, made here: D's proof, and this relay's own record, whose pointer is the cookie. */
  private answer(q: Query, proof: Uint8Array): void {
    const { ctx } = this;
    const record = sealHopRecord(
      q.seek.tempKey,
      q.seek.seekId,
      { serial: serialToBytes(ctx.identity.passport.serial), predecessor: serialToBytes(q.from.id), pointer: q.reg.cookie, passportDer: ctx.identity.passport.der },
      ctx.identity.onionPrivateKey,
      this.slot,
      ctx.runtime.random,
    );
    const info = { seekId: q.seek.seekId, proof, returnPath: q.seek.returnPath, hopRecords: pushHopRecord(fakeHopRecords(this.slot, ctx.runtime.random), record, this.slot) };
    ctx.sendMessage(q.from.link, Command.ROUTE_INFO, encodeRouteInfo(info, this.slot));
    ctx.counters.seeksAnswered++;
  }

  private fromSender(sender: RelayCircuit, cmd: number, data: Uint8Array): void {
    const id = this.spliceOf.get(sender);
    const s = id === undefined ? undefined : this.splices.get(id);
    if (!s || !s.reg.circuit.isOpen || (cmd !== RelayCommand.DATA && cmd !== RelayCommand.ACK)) {
      this.ctx.counters.cellsDropped++;
      return;
    }
    s.reg.circuit.sendBackward(RelayCommand.SPLICED, new Writer().u32(id!).u32(s.reg.index).u8(cmd).bytes(data).finish());
  }

  private dropDestination(circuit: RelayCircuit): void {
    for (const [id, reg] of this.byId) {
      if (reg.circuit !== circuit) continue;
      this.byId.delete(id);
      this.byCookie.delete(toHex(reg.cookie));
    }
    for (const [id, s] of this.splices) if (s.reg.circuit === circuit) this.dropSplice(s.sender, id);
  }

  private dropSplice(sender: RelayCircuit, known?: number): void {
    const id = known ?? this.spliceOf.get(sender);
    if (id === undefined) return;
    this.splices.delete(id);
    this.spliceOf.delete(sender);
  }
}

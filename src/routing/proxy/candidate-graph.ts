/**
 * The onion proxy's candidate graph (docs/protocol.md §6.4): every path a route seek took to the
 * destination, merged. Vertices are relays (with the node information their hop records gave);
 * a directed edge a → b means a handed the route information back from b, so a and b are
 * neighbours and the proxy holds a's sealed pointer to b (§6.3) — the only way to name b to a
 * in an onion. The destination is the implicit end of every path. Route choice and the
 * alternative suffixes for backtracking both come from this graph.
 */

import type { Random } from '../../runtime/runtime.js';

export interface RelayInfo {
  serial: string;
  /** From the relay's passport (route-check.ts). */
  onionKey: Uint8Array;
}

export interface RouteChoice {
  /** Relays from the proxy's neighbour to the destination's neighbour. */
  relays: string[];
  /** alternatives[i]: suffixes relay i may switch to (each from a neighbour of relay i to D). */
  alternatives: string[][][];
}

/** BOUNDED: paths explored per search, so a hostile graph cannot make route choice slow. */
const MAX_EXPLORED = 20_000;
const DEST = '';

export class CandidateGraph {
  readonly relays = new Map<string, RelayInfo>(); // BOUNDED(paths × H)
  /** a → (b → a's sealed pointer to b); b = '' is the destination. */
  private readonly out = new Map<string, Map<string, Uint8Array>>();
  /** Relays adjacent to the proxy. */
  readonly firstHops = new Set<string>();
  /** Relays that end paths as the destination's introduction relays: an onion ends there (INTRODUCE, their pointer to D being the cookie). */
  readonly introductionEnds = new Set<string>();
  paths = 0;

  /**
   * Adds one seek path, ordered from the proxy's neighbour to the destination's neighbour;
   * `pointers[i]` is relay i's sealed pointer to relay i+1 (to the destination for the last).
   */
  addPath(path: RelayInfo[], pointers: Uint8Array[], introduction = false): boolean {
    if (path.length === 0 || pointers.length !== path.length) return false;
    const seen = new Set<string>();
    for (const r of path) {
      if (seen.has(r.serial) || r.serial === DEST) return false; // a looping path is useless (and suspicious)
      seen.add(r.serial);
    }
    this.paths++;
    for (const r of path) if (!this.relays.has(r.serial)) this.relays.set(r.serial, r);
    for (let i = 0; i < path.length; i++) {
      const a = path[i]!.serial;
      const b = i + 1 < path.length ? path[i + 1]!.serial : DEST;
      if (!this.out.has(a)) this.out.set(a, new Map());
      this.out.get(a)!.set(b, pointers[i]!);
    }
    this.firstHops.add(path[0]!.serial);
    if (introduction) this.introductionEnds.add(path[path.length - 1]!.serial);
    return true;
  }

  /** Takes in every path of another graph (seeks sent through different first hops). */
  absorb(other: CandidateGraph): void {
    for (const [serial, info] of other.relays) if (!this.relays.has(serial)) this.relays.set(serial, info);
    for (const [a, targets] of other.out) {
      if (!this.out.has(a)) this.out.set(a, new Map());
      for (const [b, ptr] of targets) this.out.get(a)!.set(b, ptr);
    }
    for (const f of other.firstHops) this.firstHops.add(f);
    for (const f of other.introductionEnds) this.introductionEnds.add(f);
    this.paths += other.paths;
  }

  /** a's sealed pointer to b (b undefined: to the destination). */
  pointer(a: string, b: string | undefined): Uint8Array | undefined {
    return this.out.get(a)?.get(b ?? DEST);
  }

  isLastHop(serial: string): boolean {
    return this.out.get(serial)?.has(DEST) ?? false;
  }

  /**
   * Simple paths from `starts` to the destination, avoiding `avoid`, in random order. Nothing a
   * relay says about itself ranks a path: a relay that lies cannot win route choice.
   */
  findPaths(starts: Iterable<string>, avoid: ReadonlySet<string>, minLen: number, maxLen: number, random: Random): string[][] {
    const found: string[][] = [];
    let explored = 0;
    const path: string[] = [];
    const onPath = new Set<string>();
    const visit = (v: string): void => {
      if (explored++ > MAX_EXPLORED) return;
      path.push(v);
      onPath.add(v);
      const next = this.out.get(v);
      if (next?.has(DEST) && path.length >= minLen) found.push([...path]);
      if (path.length < maxLen && next) {
        for (const w of shuffled([...next.keys()], random)) if (w !== DEST && !onPath.has(w) && !avoid.has(w)) visit(w);
      }
      path.pop();
      onPath.delete(v);
    };
    for (const s of shuffled([...starts], random)) if (!avoid.has(s) && this.relays.has(s)) visit(s);
    return shuffled(found, random);
  }

  /**
   * Up to `count` routes (each with its alternatives), drawn uniformly; later routes prefer relays
   * the earlier ones did not use, so the proxy's own fallbacks do not share a failure.
   */
  chooseRoutes(count: number, minRelays: number, maxRelays: number, alternativesPerRelay: number, random: Random): RouteChoice[] {
    const all = this.findPaths(this.firstHops, new Set(), minRelays, maxRelays, random);
    const chosen: RouteChoice[] = [];
    const used = new Set<string>();
    while (chosen.length < count && all.length > 0) {
      // Stable sort of a shuffled list: uniform among the paths sharing the fewest relays.
      all.sort((a, b) => shared(a, used) - shared(b, used));
      const relays = all.shift()!;
      for (const r of relays) used.add(r);
      chosen.push({ relays, alternatives: relays.map((_, i) => this.alternativesAt(relays, i, minRelays, maxRelays, alternativesPerRelay, random)) });
    }
    return chosen;
  }

  /** Suffixes relay i can switch to: from one of its other out-neighbours to the destination. */
  alternativesAt(relays: string[], i: number, minRelays: number, maxRelays: number, max: number, random: Random): string[][] {
    if (i >= relays.length - 1) return []; // the last relay's next hop is the destination itself
    const prefix = new Set(relays.slice(0, i + 1));
    const next = relays[i + 1];
    const out: string[][] = [];
    const starts = [...(this.out.get(relays[i]!)?.keys() ?? [])].filter((j) => j !== DEST && j !== next && !prefix.has(j));
    const minLen = Math.max(1, minRelays - (i + 1));
    const maxLen = maxRelays - (i + 1);
    for (const j of starts) {
      const drawn = this.findPaths([j], prefix, minLen, maxLen, random)[0];
      if (drawn) out.push(drawn);
    }
    return shuffled(out, random).slice(0, max);
  }
}

function shuffled<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function shared(path: string[], used: ReadonlySet<string>): number {
  let n = 0;
  for (const r of path) if (used.has(r)) n++;
  return n;
}

/**
 * The simulator's event queue: a binary min-heap ordered by (time, seq). `seq` is a global
 * insertion counter, so events at the same virtual time run in the order they were scheduled and
 * every run with the same seed is identical.
 */

/** Whose event it is: events of a host that is no longer alive are skipped. */
export interface EventOwner {
  readonly name: string;
  readonly alive: boolean;
}

export interface SimEvent {
  readonly time: number;
  readonly seq: number;
  readonly run: () => void;
  readonly owner: EventOwner | null;
  /** For traces only (`timer`, `deliver`, `dial`…). */
  readonly label: string;
  /** Cancelled, or already taken off the queue. */
  cancelled: boolean;
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

export class EventQueue {
  // UNBOUNDED: holds what the simulated nodes schedule; the experiment sizes it (and run() caps it).
  private heap: SimEvent[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): SimEvent | undefined {
    return this.heap[0];
  }

  push(event: SimEvent): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!before(event, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = event;
  }

  pop(): SimEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    this.siftDown(last, 0);
    return top;
  }

  /** Drops every event `keep` rejects and rebuilds the heap (for lazily cancelled timers). */
  filter(keep: (event: SimEvent) => boolean): void {
    this.heap = this.heap.filter(keep);
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(this.heap[i]!, i);
  }

  private siftDown(event: SimEvent, start: number): void {
    const heap = this.heap;
    const n = heap.length;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && before(heap[right]!, heap[left]!)) child = right;
      const c = heap[child]!;
      if (!before(c, event)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = event;
  }
}

/**
 * Virtual time for the simulator. Events run in (time, seq) order; between events the promise
 * continuations they started are drained (see microtask-drain.ts), so async node code behaves as
 * on the real event loop while virtual time stands still. No real timer ever drives it.
 */

import { EventQueue, type EventOwner, type SimEvent } from './event-queue.js';
import { drainMicrotasks, markDrained, mayHavePendingWork, watchPromises } from './microtask-drain.js';
import { RuntimeErrors } from '../runtime-errors.js';

export interface SchedulerOptions {
  startTime: number;
  /** Called before each event runs (traces, determinism tests). */
  onEvent?: (time: number, label: string, host: string | undefined) => void;
  /** A node callback threw. Without this handler the run stops and rejects with the error. */
  onCallbackError?: (error: unknown, host: string | undefined) => void;
}

/** Yield to the real event loop at least this often, even when no promise is pending. */
const EVENTS_PER_YIELD = 4096;
/** Compact the heap when this many cancelled events have piled up (and they are half of it). */
const COMPACT_AFTER = 4096;

export class Scheduler {
  private readonly queue = new EventQueue();
  private time: number;
  private seq = 0;
  private cancelledInQueue = 0;
  private running = false;
  private processed = 0;
  private readonly onEvent: SchedulerOptions['onEvent'];
  private readonly onCallbackError: SchedulerOptions['onCallbackError'];

  constructor(options: SchedulerOptions) {
    this.time = options.startTime;
    this.onEvent = options.onEvent;
    this.onCallbackError = options.onCallbackError;
  }

  now(): number {
    return this.time;
  }

  /** Events run so far. */
  get eventsProcessed(): number {
    return this.processed;
  }

  /** Events waiting (including cancelled ones not yet dropped). */
  get pending(): number {
    return this.queue.size;
  }

  /** Schedules `run` at virtual time `time` (never in the past). */
  at(time: number, run: () => void, owner: EventOwner | null, label: string): SimEvent {
    const event: SimEvent = { time: Math.max(time, this.time), seq: this.seq++, run, owner, label, cancelled: false };
    this.queue.push(event);
    return event;
  }

  after(delayMs: number, run: () => void, owner: EventOwner | null, label: string): SimEvent {
    return this.at(this.time + delayMs, run, owner, label);
  }

  cancel(event: SimEvent): void {
    if (event.cancelled) return;
    event.cancelled = true;
    this.cancelledInQueue += 1;
    if (this.cancelledInQueue > COMPACT_AFTER && this.cancelledInQueue * 2 > this.queue.size) {
      this.queue.filter((e) => !e.cancelled);
      this.cancelledInQueue = 0;
    }
  }

  /** Runs every event up to now + ms, then sets the clock to now + ms. */
  async runFor(ms: number): Promise<void> {
    checkDuration(ms, 'runFor');
    await this.loop(this.time + ms, undefined, Infinity);
  }

  /** Runs until `predicate()` holds (true) or `timeoutMs` of virtual time passed (false). */
  async runUntil(predicate: () => boolean, options: { timeoutMs?: number } = {}): Promise<boolean> {
    const timeoutMs = options.timeoutMs ?? 3_600_000;
    checkDuration(timeoutMs, 'runUntil');
    return this.loop(this.time + timeoutMs, predicate, Infinity);
  }

  /** Runs until the queue is empty or `maxEvents` ran (default 10 million); returns how many ran. */
  async run(options: { maxEvents?: number } = {}): Promise<number> {
    const maxEvents = options.maxEvents ?? 10_000_000;
    const before = this.processed;
    await this.loop(Infinity, undefined, maxEvents);
    return this.processed - before;
  }

  private async loop(stopTime: number, until: (() => boolean) | undefined, maxEvents: number): Promise<boolean> {
    if (this.running) {
      throw RuntimeErrors.SIM_ALREADY_RUNNING('the simulation is already running (await the previous run first)');
    }
    this.running = true;
    const stopWatching = watchPromises();
    try {
      await drainMicrotasks(); // whatever the caller started before running
      markDrained();
      if (until?.()) return true;
      let ran = 0;
      let sinceYield = 0;
      for (;;) {
        const event = this.queue.peek();
        if (!event || event.time > stopTime || ran >= maxEvents) break;
        this.queue.pop();
        if (event.cancelled) {
          this.cancelledInQueue -= 1;
          continue;
        }
        event.cancelled = true; // no longer pending: a late cancel() is a no-op
        if (event.owner && !event.owner.alive) continue;
        this.time = event.time;
        ran += 1;
        this.processed += 1;
        this.onEvent?.(event.time, event.label, event.owner?.name);
        try {
          event.run();
        } catch (error) {
          if (!this.onCallbackError) throw error;
          this.onCallbackError(error, event.owner?.name);
        }
        if (mayHavePendingWork() || ++sinceYield >= EVENTS_PER_YIELD) {
          sinceYield = 0;
          await drainMicrotasks();
          markDrained();
        }
        if (until?.()) return true;
      }
      if (Number.isFinite(stopTime) && ran < maxEvents) this.time = Math.max(this.time, stopTime);
      return until ? until() : true;
    } finally {
      stopWatching();
      this.running = false;
    }
  }
}

function checkDuration(ms: number, what: string): void {
  if (!Number.isFinite(ms) || ms < 0) {
    throw RuntimeErrors.SIM_BAD_DURATION(`${what}(${ms}): need a finite duration >= 0`);
  }
}

/** Node's timer rule, kept for virtual timers: under 1 ms (or not a number) means 1 ms. */
export function timerDelay(ms: number): number {
  return Number.isFinite(ms) && ms >= 1 ? Math.ceil(ms) : 1;
}

/**
 * The simulated runtime (DESIGN §3, §9): thousands of hosts in one process on virtual time, over
 * in-memory links, with failure injection. Each host gets a `Runtime` whose clock, randomness and
 * network are the simulation's, so the real node code runs unchanged.
 *
 *   const net = new SimNetwork({ seed: 7 });
 *   const a = net.createRuntime('node-1');
 *   …start nodes on their runtimes…
 *   await net.runFor(60_000);          // one virtual minute
 *   net.kill('node-1', 'crash');
 */
import { TokumeiError } from '../../errors.js';
import { parseAddress } from '../address.js';
import { TransportFailure } from '../transport-errors.js';
import type { Clock, Runtime, TimerHandle } from '../runtime.js';
import { Scheduler, timerDelay } from './scheduler.js';
import { createSimNet } from './sim-net.js';
import { SimWorld, type CutMode, type HostRecord, type HostStats, type LatencyModel, type PassportCheck } from './sim-world.js';
import { RuntimeErrors } from '../runtime-errors.js';

export type KillMode = 'exit' | 'crash';

export interface SimNetworkOptions {
  /** Seeds every random choice: latencies, loss, channel bindings, each host's Random. */
  seed?: number;
  /** Virtual epoch at the start, ms (default 1_780_000_000_000). */
  startTime?: number;
  /** One-way latency per link: uniform in [min, max] drawn once per host pair (default 5–50 ms),
   * or a function of (dialer, listener) host names. */
  latencyMs?: LatencyModel;
  /** Probability that one send is lost and retransmitted (default 0). */
  loss?: number;
  /** Per-direction link bandwidth; unlimited when absent. */
  bandwidthBytesPerMs?: number;
  /** The simulator's stand-in for TLS chain verification; accepts every passport when absent. */
  verifyPassport?: PassportCheck;
  /** Called before each event (traces). */
  onEvent?: (time: number, label: string, host: string | undefined) => void;
  /** A node's callback threw; without this the run rejects with the error. */
  onCallbackError?: (error: unknown, host: string | undefined) => void;
}

export const DEFAULT_START_TIME = 1_780_000_000_000;

function badOption(message: string): TokumeiError {
  return RuntimeErrors.SIM_BAD_OPTION(message);
}

export class SimNetwork {
  private readonly scheduler: Scheduler;
  private readonly world: SimWorld;
  // UNBOUNDED: host names killed and not revived yet; the experiment decides.
  private readonly dead = new Set<string>();

  /**
   * Every byte any host sends on a link, with the sending and receiving host (what a global
   * observer of the wires — or a node's own link peers — would see). For tests and experiments.
   */
  set wiretap(tap: ((from: string, to: string, bytes: Uint8Array) => void) | undefined) {
    this.world.wiretap = tap;
  }

  constructor(options: SimNetworkOptions = {}) {
    const seed = options.seed ?? 1;
    const startTime = options.startTime ?? DEFAULT_START_TIME;
    const latency = options.latencyMs ?? { min: 5, max: 50 };
    const loss = options.loss ?? 0;
    if (!Number.isFinite(seed)) throw badOption(`seed ${seed} is not a finite number`);
    if (!Number.isSafeInteger(startTime) || startTime < 0) throw badOption(`startTime ${startTime} is not a whole number of ms`);
    if (typeof latency !== 'function' &&
      !(Number.isInteger(latency.min) && Number.isInteger(latency.max) && latency.min >= 0 && latency.max >= latency.min)) {
      throw badOption('latencyMs needs whole numbers 0 <= min <= max');
    }
    if (!(loss >= 0 && loss <= 1)) throw badOption(`loss ${loss} is not a probability`);
    const bandwidth = options.bandwidthBytesPerMs;
    if (bandwidth !== undefined && !(bandwidth > 0 && Number.isFinite(bandwidth))) throw badOption(`bandwidth ${bandwidth} must be > 0`);
    this.scheduler = new Scheduler({ startTime, onEvent: options.onEvent, onCallbackError: options.onCallbackError });
    this.world = new SimWorld(this.scheduler, {
      seed, latency, loss, bandwidthBytesPerMs: bandwidth, verifyPassport: options.verifyPassport,
    });
  }

  // --- time ---

  /** Virtual time, ms since the epoch. */
  now(): number {
    return this.scheduler.now();
  }

  runFor(ms: number): Promise<void> {
    return this.scheduler.runFor(ms);
  }

  runUntil(predicate: () => boolean, options: { timeoutMs?: number } = {}): Promise<boolean> {
    return this.scheduler.runUntil(predicate, options);
  }

  run(options: { maxEvents?: number } = {}): Promise<number> {
    return this.scheduler.run(options);
  }

  /** Events run so far, over all hosts. */
  get eventsProcessed(): number {
    return this.scheduler.eventsProcessed;
  }

  /** Events waiting in the queue. */
  get pendingEvents(): number {
    return this.scheduler.pending;
  }

  // --- hosts ---

  /** The Runtime of a new host named `host` (e.g. `node-17`); its addresses are `node-17:port`. */
  createRuntime(host: string): Runtime {
    parseAddress(`${host}:0`); // host names must make valid addresses
    if (this.world.hosts.get(host)?.owner.alive) {
      throw RuntimeErrors.SIM_HOST_EXISTS(`host ${host} already has a runtime`);
    }
    if (this.dead.has(host)) {
      throw RuntimeErrors.SIM_HOST_DEAD(`host ${host} was killed; revive it first`);
    }
    const record = this.world.addHost(host);
    return { clock: this.clockFor(record), random: record.random, net: createSimNet(this.world, record) };
  }

  isAlive(host: string): boolean {
    return this.world.hosts.get(host)?.owner.alive ?? false;
  }

  /**
   * Stops a host for good: its timers never fire again, its listeners vanish, its links close.
   * `exit`: peers see the close one latency later (FIN). `crash`: peers hear nothing and find
   * out by their own timeouts; what they send is lost.
   */
  kill(host: string, mode: KillMode): void {
    const record = this.world.hosts.get(host);
    if (!record) throw RuntimeErrors.SIM_NO_SUCH_HOST(`no host ${host}`);
    if (!record.owner.alive) return;
    record.owner.alive = false;
    record.listeners.clear();
    for (const end of [...record.ends]) end.vanish(mode === 'exit');
    this.dead.add(host);
  }

  /** Lets `createRuntime(host)` make a new incarnation of a killed host (fresh state, new random stream). */
  revive(host: string): void {
    this.dead.delete(host);
  }

  // --- network faults ---

  /**
   * Breaks the network between two hosts until healed: `close` resets their links (each end
   * learns one latency later); `blackhole` silently holds everything sent between them (delivered
   * in order after heal, if the ends are still there). New dials between them are refused.
   */
  cut(a: string, b: string, mode: CutMode = 'blackhole'): void {
    if (mode !== 'close' && mode !== 'blackhole') throw badOption(`cut mode ${String(mode)}`);
    this.world.setCut(a, b, mode);
    if (mode === 'close') {
      const error = new TokumeiError('io', TransportFailure.RESET, `network cut between ${a} and ${b}`);
      const pipes = new Set([...this.world.endsBetween(a, b), ...this.world.endsBetween(b, a)].map((end) => end.out.pipe));
      for (const pipe of pipes) {
        pipe.reset(pipe.dialer.out, error);
        pipe.reset(pipe.listener.out, error);
      }
    }
  }

  heal(a: string, b: string): void {
    this.world.setCut(a, b, undefined);
    const pipes = new Set([...this.world.endsBetween(a, b), ...this.world.endsBetween(b, a)].map((end) => end.out.pipe));
    for (const pipe of pipes) {
      pipe.resume(pipe.dialer.out);
      pipe.resume(pipe.listener.out);
    }
  }

  // --- observation ---

  /** Bytes and sends of `host` so far (all its incarnations). A copy. */
  stats(host: string): HostStats {
    return { ...this.world.stats(host) };
  }

  /** One-way latency of the link between two hosts, ms. */
  latency(a: string, b: string): number {
    return this.world.latency(a, b);
  }

  private clockFor(record: HostRecord): Clock {
    const scheduler = this.scheduler;
    const owner = record.owner;
    const dead: TimerHandle = { cancel: () => undefined };
    return {
      now: () => scheduler.now(),
      setTimeout(fn, ms) {
        if (!owner.alive) return dead;
        const event = scheduler.after(timerDelay(ms), fn, owner, 'timer');
        return { cancel: () => scheduler.cancel(event) };
      },
      setInterval(fn, ms) {
        if (!owner.alive) return dead;
        const period = timerDelay(ms);
        let cancelled = false;
        const tick = (): void => {
          event = scheduler.after(period, tick, owner, 'interval');
          fn();
        };
        let event = scheduler.after(period, tick, owner, 'interval');
        return {
          cancel: () => {
            if (cancelled) return;
            cancelled = true;
            scheduler.cancel(event);
          },
        };
      },
    };
  }
}

/**
 * Structured logging: one event name plus flat fields. The CLI prints lines like
 * `2026-11-21T14:00:00.000Z warn link.refused peer=127.0.0.1:7002 code=LINK_REVOKED …`.
 * Protocol code logs through this interface only; never identities beyond what the layer knows.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | undefined | null>;

export interface Logger {
  log(level: LogLevel, event: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string) => void;

function fmt(v: string | number | boolean | undefined | null): string {
  const s = String(v);
  return /^[\w.:/@+-]*$/.test(s) && s.length > 0 ? s : JSON.stringify(s);
}

export function createLogger(sink: LogSink, options: { level?: LogLevel; now?: () => number; base?: LogFields } = {}): Logger {
  const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
  const min = order[options.level ?? 'info'];
  const now = options.now ?? Date.now;
  const make = (base: LogFields): Logger => ({
    log(level, event, fields) {
      if (order[level] < min) return;
      const all = { ...base, ...fields };
      const parts = Object.entries(all)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${fmt(v)}`);
      sink(`${new Date(now()).toISOString()} ${level} ${event}${parts.length ? ' ' + parts.join(' ') : ''}`);
    },
    child(fields) {
      return make({ ...base, ...fields });
    },
  });
  return make(options.base ?? {});
}

/** A logger that keeps the last `capacity` lines in memory (BOUNDED(capacity)); tests read it. */
export function createMemoryLogger(capacity = 10_000, options: { level?: LogLevel; now?: () => number } = {}): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger((line) => {
    lines.push(line);
    if (lines.length > capacity) lines.shift();
  }, { level: options.level ?? 'debug', now: options.now });
  return Object.assign(logger, { lines });
}

export const silentLogger: Logger = { log() {}, child() { return silentLogger; } };

// Where emitted records go. Sinks never throw into the caller and never block it: `write` only
// queues; delivery happens later, off the caller's stack.
import type { LogTime } from './clock.ts';

/** `log` records go out tagged `<tag>.log`, `audit` records `<tag>.audit`. */
export type EventKind = 'log' | 'audit';

export type LogRecord = Record<string, unknown>;

export interface SinkStats {
  /** Records accepted by `write`. */
  written: number;
  /** Records the destination acknowledged (Forward) or that were written out (stdout). */
  delivered: number;
  /** Records given up: buffer over its bound, unencodable, or still pending at close. */
  dropped: number;
  /** Records waiting: buffered plus sent and not yet acknowledged. */
  pending: number;
}

export interface LogSink {
  write(kind: EventKind, time: LogTime, record: LogRecord): void;
  /** Resolves true once everything written so far was delivered, false at the deadline. */
  flush(timeoutMs: number): Promise<boolean>;
  /** Flushes within the deadline, then lets go of connections; later writes are dropped. */
  close(timeoutMs: number): Promise<boolean>;
  stats(): SinkStats;
}

/** Sends every record to each sink (the `both` output). */
export class FanOutSink implements LogSink {
  readonly #sinks: readonly LogSink[];

  constructor(sinks: readonly LogSink[]) {
    this.#sinks = sinks;
  }

  write(kind: EventKind, time: LogTime, record: LogRecord): void {
    for (const sink of this.#sinks) sink.write(kind, time, record);
  }

  async flush(timeoutMs: number): Promise<boolean> {
    return (await Promise.all(this.#sinks.map((s) => s.flush(timeoutMs)))).every(Boolean);
  }

  async close(timeoutMs: number): Promise<boolean> {
    return (await Promise.all(this.#sinks.map((s) => s.close(timeoutMs)))).every(Boolean);
  }

  stats(): SinkStats {
    const total: SinkStats = { written: 0, delivered: 0, dropped: 0, pending: 0 };
    for (const sink of this.#sinks) {
      const s = sink.stats();
      total.written += s.written;
      total.delivered += s.delivered;
      total.dropped += s.dropped;
      total.pending += s.pending;
    }
    return total;
  }
}

/** Output `none`: counts and discards. */
export class NullSink implements LogSink {
  #written = 0;

  write(): void {
    this.#written++;
  }

  flush(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<boolean> {
    return Promise.resolve(true);
  }

  stats(): SinkStats {
    return { written: this.#written, delivered: 0, dropped: 0, pending: 0 };
  }
}

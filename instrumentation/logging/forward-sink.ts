// Ships records to the node agent over Forward (fluent-logger, PackedForward, acks), without ever
// blocking or throwing into the application:
// - `write` only appends to a bounded buffer; records go out in batches on a later turn.
// - What is held (buffered plus sent-but-unacknowledged) is bounded by `bufferLimit`; past it the
//   oldest buffered record is dropped, counted, and the first drop prints one warning.
// - A failed connection gives its unacknowledged records back to the front of the buffer (they are
//   resent; `event.id` makes the resend land once) and a new one is tried after a jittered,
//   doubling backoff.
import type { LogTime } from './clock.ts';
import { FluentSession, type PendingRecord } from './fluent-session.ts';
import { Ring } from './ring.ts';
import type { EventKind, LogRecord, LogSink, SinkStats } from './sink.ts';

export interface ForwardSinkOptions {
  host: string;
  port: number;
  tag: string;
  bufferLimit: number;
  ackTimeoutMs: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  flushIntervalMs: number;
  connectTimeoutMs?: number;
  /** Records handed to one connection before their acks come back. */
  maxInflight?: number;
  /** Upper bound on one PackedForward chunk (a single larger record still goes, alone). */
  maxChunkBytes?: number;
  /** Told once, at the first drop; defaults to process.emitWarning. */
  warn?: (message: string) => void;
}

export interface ForwardSinkStats extends SinkStats {
  buffered: number;
  inflight: number;
  connected: boolean;
  connectionFailures: number;
  lastError: string | undefined;
}

type State = 'idle' | 'open' | 'backoff' | 'closed';

const DEFAULT_MAX_CHUNK_BYTES = 1024 * 1024;

export class ForwardSink implements LogSink {
  readonly #options: ForwardSinkOptions;
  readonly #ring = new Ring<PendingRecord>();
  readonly #maxInflight: number;
  readonly #warn: (message: string) => void;
  #session: FluentSession | undefined;
  #state: State = 'idle';
  #backoffMs: number;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #pumpScheduled = false;
  #warned = false;
  #waiters: (() => void)[] = [];
  #written = 0;
  #delivered = 0;
  #dropped = 0;
  #failures = 0;
  #lastError: string | undefined;
  #connected = false;

  constructor(options: ForwardSinkOptions) {
    this.#options = options;
    this.#maxInflight = Math.max(1, Math.min(options.maxInflight ?? 4096, options.bufferLimit));
    this.#backoffMs = options.reconnectInitialMs;
    this.#warn =
      options.warn ??
      ((message) =>
        process.emitWarning(message, { code: 'TRIBUTARY_LOG_DROPPED', type: 'TributaryWarning' }));
  }

  write(kind: EventKind, time: LogTime, record: LogRecord): void {
    this.#written++;
    if (this.#state === 'closed') {
      this.#dropped++;
      return;
    }
    if (this.#ring.length + this.#inflight() >= this.#options.bufferLimit) {
      // Drop the oldest buffered record; if everything held is in flight, the new one.
      if (this.#ring.length === 0) {
        this.#drop(1);
        return;
      }
      this.#ring.shift();
      this.#drop(1);
    }
    this.#ring.push({ kind, time, record });
    this.#schedulePump();
  }

  flush(timeoutMs: number): Promise<boolean> {
    if (this.#pending() === 0) return Promise.resolve(true);
    this.#schedulePump();
    return new Promise<boolean>((resolve) => {
      // Not unref'd: a flush (SIGTERM, beforeExit) keeps the process alive until done or the deadline.
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#waiters.push(done);
    });
  }

  async close(timeoutMs: number): Promise<boolean> {
    if (this.#state === 'closed') return this.#pending() === 0;
    const ok = await this.flush(timeoutMs);
    this.#state = 'closed';
    clearTimeout(this.#reconnectTimer);
    const session = this.#session;
    this.#session = undefined;
    this.#connected = false;
    if (session !== undefined) {
      const unacked = session.takeUnacked();
      session.close();
      this.#dropped += unacked.length;
    }
    this.#dropped += this.#ring.length;
    this.#ring.clear();
    return ok;
  }

  stats(): ForwardSinkStats {
    return {
      written: this.#written,
      delivered: this.#delivered,
      dropped: this.#dropped,
      pending: this.#pending(),
      buffered: this.#ring.length,
      inflight: this.#inflight(),
      connected: this.#connected,
      connectionFailures: this.#failures,
      lastError: this.#lastError,
    };
  }

  #inflight(): number {
    return this.#session?.unacked ?? 0;
  }

  #pending(): number {
    return this.#ring.length + this.#inflight();
  }

  #drop(count: number): void {
    this.#dropped += count;
    if (!this.#warned) {
      this.#warned = true;
      try {
        this.#warn(
          `log buffer full (${this.#options.bufferLimit} records) while the agent at ` +
            `${this.#options.host}:${this.#options.port} is unreachable or slow; dropping the oldest ` +
            `records (counted in stats().logs.dropped; this warning is shown once)`,
        );
      } catch {
        // a warning must never break logging
      }
    }
  }

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#state === 'backoff' || this.#state === 'closed' || this.#ring.length === 0) return;
    if (this.#session === undefined) this.#open();
    const session = this.#session;
    if (session === undefined) return;
    const maxBytes = this.#options.maxChunkBytes ?? DEFAULT_MAX_CHUNK_BYTES;
    while (
      this.#ring.length > 0 &&
      session.unacked < this.#maxInflight &&
      session.queuedBytes < maxBytes &&
      !session.dead
    ) {
      const next = this.#ring.shift() as PendingRecord;
      if (!session.send(next)) {
        if (session.dead) {
          this.#ring.unshift(next);
          return;
        }
        this.#dropped++; // could not be encoded
      }
    }
    this.#resolveWaiters();
  }

  #open(): void {
    this.#state = 'open';
    const session = new FluentSession(
      {
        host: this.#options.host,
        port: this.#options.port,
        tag: this.#options.tag,
        ackTimeoutMs: this.#options.ackTimeoutMs,
        flushIntervalMs: this.#options.flushIntervalMs,
        connectTimeoutMs: this.#options.connectTimeoutMs ?? 10_000,
        maxChunkBytes: this.#options.maxChunkBytes ?? DEFAULT_MAX_CHUNK_BYTES,
      },
      {
        acked: () => {
          this.#delivered++;
          this.#connected = true;
          this.#backoffMs = this.#options.reconnectInitialMs;
          if (this.#ring.length > 0) this.#schedulePump();
          else this.#resolveWaiters();
        },
        failed: (error) => this.#failed(session, error),
      },
    );
    this.#session = session;
  }

  #failed(session: FluentSession, error: Error): void {
    if (this.#session !== session) return;
    this.#session = undefined;
    this.#connected = false;
    this.#failures++;
    this.#lastError = error.message;
    const unacked = session.takeUnacked();
    for (let i = unacked.length - 1; i >= 0; i--) this.#ring.unshift(unacked[i] as PendingRecord);
    const excess = this.#ring.length - this.#options.bufferLimit;
    for (let i = 0; i < excess; i++) this.#ring.shift();
    if (excess > 0) this.#drop(excess);
    if (this.#state === 'closed') return;
    this.#state = 'backoff';
    // Equal jitter: spread reconnects of many pods after an agent restart, never below half the step.
    const delay = this.#backoffMs / 2 + (Math.random() * this.#backoffMs) / 2;
    this.#backoffMs = Math.min(this.#options.reconnectMaxMs, this.#backoffMs * 2);
    this.#reconnectTimer = setTimeout(() => {
      this.#state = 'idle';
      this.#pump();
    }, delay);
    this.#reconnectTimer.unref();
  }

  #resolveWaiters(): void {
    if (this.#waiters.length === 0 || this.#pending() > 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}

// JSON lines on stdout, for clusters that only tail container logs (the agent's tail input and
// json parser pick them up). Lines are serialised when written, so later mutation of a caller's
// objects cannot change them, and written out once per event-loop turn in one chunk.
//
// Stdout to a pipe is synchronous in Node on Linux, so a stalled reader can block; where stdout is
// asynchronous (sockets) its pending bytes are bounded here and batches past the bound are dropped.
import type { Writable } from 'node:stream';
import { isoTime, type LogTime } from './clock.ts';
import { safeJson } from './json.ts';
import type { EventKind, LogRecord, LogSink, SinkStats } from './sink.ts';

export interface StdoutSinkOptions {
  stream?: Writable;
  /** Lines held within one turn of the event loop. */
  maxPendingLines?: number;
  /** Bytes the stream may hold unflushed before batches are dropped. */
  maxPendingBytes?: number;
}

export class StdoutSink implements LogSink {
  readonly #stream: Writable;
  readonly #maxLines: number;
  readonly #maxBytes: number;
  #lines: string[] = [];
  #scheduled = false;
  #closed = false;
  #written = 0;
  #delivered = 0;
  #dropped = 0;

  constructor(options: StdoutSinkOptions = {}) {
    this.#stream = options.stream ?? process.stdout;
    this.#maxLines = options.maxPendingLines ?? 10_000;
    this.#maxBytes = options.maxPendingBytes ?? 8 * 1024 * 1024;
  }

  write(_kind: EventKind, time: LogTime, record: LogRecord): void {
    this.#written++;
    if (this.#closed || this.#lines.length >= this.#maxLines) {
      this.#dropped++;
      return;
    }
    // The record is never empty (it has a message and ids), so the splice keeps valid JSON.
    this.#lines.push(`{"@timestamp":"${isoTime(time)}",${safeJson(record).slice(1)}`);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#drain());
    }
  }

  #drain(): void {
    this.#scheduled = false;
    const lines = this.#lines;
    if (lines.length === 0) return;
    this.#lines = [];
    if (this.#stream.writableLength > this.#maxBytes) {
      this.#dropped += lines.length;
      return;
    }
    try {
      this.#stream.write(`${lines.join('\n')}\n`);
      this.#delivered += lines.length;
    } catch {
      this.#dropped += lines.length;
    }
  }

  async flush(timeoutMs: number): Promise<boolean> {
    this.#drain();
    if (this.#stream.writableLength === 0) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.#stream.off('drain', onDrain);
        resolve(false);
      }, timeoutMs);
      const onDrain = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#stream.once('drain', onDrain);
    });
  }

  async close(timeoutMs: number): Promise<boolean> {
    const ok = await this.flush(timeoutMs);
    this.#closed = true;
    return ok;
  }

  stats(): SinkStats {
    return {
      written: this.#written,
      delivered: this.#delivered,
      dropped: this.#dropped,
      pending: this.#lines.length,
    };
  }
}

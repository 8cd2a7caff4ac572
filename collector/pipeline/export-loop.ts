// Drives one exporter from its own queue cursor: read a batch, deliver it, commit, repeat.
// The cursor moves only after the destination acknowledged (or the records were dead-lettered),
// so a crash anywhere replays, and idempotent writes absorb the replay.
import type { Cursor, QueueRecord } from '../../common/queue/index.ts';
import { QueueClosedError } from '../../common/queue/index.ts';

export interface ExportOutcome {
  delivered: number;
  duplicates?: number;
  deadLettered?: number;
  retries?: number;
  /** Rejected by the destination and by the dead-letter store too: lost, and counted loudly. */
  dropped?: number;
}

/** Delivers a batch of queue records. Resolves only when all are delivered or dead-lettered; rejects on abort. */
export type DeliverBatch = (records: readonly QueueRecord[], signal: AbortSignal) => Promise<ExportOutcome>;

export interface ExportLoopOptions {
  maxBatchRecords: number;
  maxBatchBytes: number;
  /** After a failure that is not an abort (a bug, a corrupt record), wait this long before retrying. */
  failureBackoffMs: number;
  /**
   * A batch under half of `maxBatchBytes` waits up to this long for more records before delivery:
   * fewer, fuller requests at low rates (Fluent Bit's `Flush`). 0 delivers what is there at once.
   */
  flushIntervalMs?: number;
}

export interface ExportLoopHooks {
  onDelivered(outcome: ExportOutcome, seconds: number): void;
  onError(error: Error): void;
}

export class ExportLoop {
  readonly name: string;
  readonly #cursor: Cursor;
  readonly #deliver: DeliverBatch;
  readonly #options: ExportLoopOptions;
  readonly #hooks: ExportLoopHooks;
  readonly #abort = new AbortController();
  #running: Promise<void> | undefined;
  #draining = false;

  constructor(
    name: string,
    cursor: Cursor,
    deliver: DeliverBatch,
    options: ExportLoopOptions,
    hooks: ExportLoopHooks,
  ) {
    this.name = name;
    this.#cursor = cursor;
    this.#deliver = deliver;
    this.#options = options;
    this.#hooks = hooks;
  }

  start(): void {
    this.#running ??= this.#run();
  }

  get lagBytes(): number {
    return this.#cursor.stats().lagBytes;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      try {
        const records = await this.#cursor.read({
          maxRecords: this.#options.maxBatchRecords,
          maxBytes: this.#options.maxBatchBytes,
        });
        if (records.length === 0) {
          if (this.#draining) return;
          await this.#cursor.waitForData(signal);
          continue;
        }
        await this.#fill(records, signal);
        const started = performance.now();
        const outcome = await this.#deliver(records, signal);
        const last = records[records.length - 1];
        if (last !== undefined) await this.#cursor.commit(last.position);
        this.#hooks.onDelivered(outcome, (performance.now() - started) / 1000);
      } catch (error) {
        if (signal.aborted || error instanceof QueueClosedError) return;
        this.#hooks.onError(error as Error);
        // Whatever was read and not committed is read again, after a pause.
        this.#cursor.rewind();
        await sleep(this.#options.failureBackoffMs, signal);
      }
    }
  }

  /** Tops a small batch up with what arrives within the flush interval (never while draining). */
  async #fill(records: QueueRecord[], signal: AbortSignal): Promise<void> {
    const { flushIntervalMs = 0, maxBatchBytes, maxBatchRecords } = this.#options;
    let bytes = records.reduce((sum, r) => sum + r.payload.length, 0);
    const deadline = performance.now() + flushIntervalMs;
    while (!this.#draining && bytes < maxBatchBytes / 2 && records.length < maxBatchRecords) {
      const left = deadline - performance.now();
      if (left <= 0) return;
      try {
        await this.#cursor.waitForData(AbortSignal.any([signal, AbortSignal.timeout(Math.ceil(left))]));
      } catch {
        return; // the interval ended (or the loop is stopping): deliver what we have
      }
      const more = await this.#cursor.read({
        maxRecords: maxBatchRecords - records.length,
        maxBytes: maxBatchBytes - bytes,
      });
      for (const record of more) {
        records.push(record);
        bytes += record.payload.length;
      }
    }
  }

  /**
   * Graceful stop: keep delivering until the cursor has caught up or the deadline passes, then abort
   * what is in flight. Undelivered records stay in the queue for the next start.
   */
  async stop(deadlineMs: number): Promise<{ drained: boolean }> {
    this.#draining = true;
    const running = this.#running;
    if (running === undefined) return { drained: this.lagBytes === 0 };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, deadlineMs));
    });
    // A loop parked in waitForData has nothing left to drain.
    if (this.#cursor.stats().lagRecords === 0) this.#abort.abort(new Error('export loop stopped'));
    const result = await Promise.race([running.then(() => 'done' as const), deadline]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.#abort.abort(new Error('export loop stopped at its shutdown deadline'));
      await running;
    }
    return { drained: this.#cursor.stats().lagRecords === 0 };
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

// Parse workers for the tail input. Batches go out round robin and come back as msgpack entries, and
// the results are handed on in the order the batches were read, so a file's lines stay in order.
// At most `maxPending` batches are out at once: past that the tail stops reading (the file holds
// the data), which bounds the memory held between the threads.
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../../common/log/logger.ts';
import type { EncodedEvents } from '../../engine/types.ts';
import type { LineView, RecordKeys } from './record-builder.ts';

export interface ParseWorkerData {
  readonly keys: RecordKeys;
  /** A parser definition (Fluent Bit keys, lower-cased) or the name of a built-in parser. */
  readonly parser: Readonly<Record<string, unknown>> | string;
}

export interface ParseJob {
  readonly id: number;
  readonly lines: LineView;
  readonly nowMs: number;
}

export interface ParseResultMessage {
  readonly id: number;
  readonly stream: Uint8Array;
  readonly count: number;
}

interface Pending {
  readonly id: number;
  result: EncodedEvents | undefined;
  failed: boolean;
  readonly deliver: (result: EncodedEvents | undefined) => void;
}

export class ParsePool {
  private readonly workers: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly byId = new Map<number, Pending>();
  private readonly log: Logger;
  private readonly maxPending: number;
  private next = 0;
  private nextId = 1;
  private broken = false;
  /** Called when the pool goes from full to not full. */
  onAvailable: () => void = () => undefined;

  constructor(size: number, data: ParseWorkerData, log: Logger) {
    this.log = log;
    this.maxPending = size * 3;
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL('./parse-worker.ts', import.meta.url), { workerData: data });
      worker.on('message', (m: ParseResultMessage) =>
        this.settle(m.id, { stream: m.stream, count: m.count }),
      );
      worker.on('error', (error) => this.fail(error));
      worker.unref();
      this.workers.push(worker);
    }
  }

  /** True when no more batches should be read until onAvailable. */
  isFull(): boolean {
    return this.queue.length >= this.maxPending;
  }

  /** A worker failed: callers parse on their own thread from now on. */
  isBroken(): boolean {
    return this.broken;
  }

  /**
   * Parses `lines` in a worker. `deliver` runs in submission order with the entries, or with
   * undefined when the pool broke (the caller then parses the batch itself).
   */
  submit(lines: LineView, nowMs: number, deliver: (result: EncodedEvents | undefined) => void): void {
    const id = this.nextId++;
    const pending: Pending = { id, result: undefined, failed: false, deliver };
    this.queue.push(pending);
    this.byId.set(id, pending);
    const worker = this.workers[this.next++ % this.workers.length] as Worker;
    // The lines are copied: the read buffer they sit in belongs to the tail's reader.
    const first = lines.starts[0] ?? 0;
    const data = new Uint8Array((lines.ends[lines.count - 1] ?? first) - first);
    data.set(lines.data.subarray(first, first + data.length));
    const starts = lines.starts.slice(0, lines.count).map((v) => v - first);
    const ends = lines.ends.slice(0, lines.count).map((v) => v - first);
    const job: ParseJob = {
      id,
      nowMs,
      lines: {
        data,
        starts,
        ends,
        count: lines.count,
        base: lines.base + first,
        fileId: lines.fileId,
        path: lines.path,
      },
    };
    worker.postMessage(job, [data.buffer, starts.buffer, ends.buffer]);
  }

  private settle(id: number, result: EncodedEvents | undefined): void {
    const pending = this.byId.get(id);
    if (pending === undefined) return;
    this.byId.delete(id);
    pending.result = result;
    pending.failed = result === undefined;
    const wasFull = this.isFull();
    while (this.queue.length > 0) {
      const head = this.queue[0] as Pending;
      if (head.result === undefined && !head.failed) break;
      this.queue.shift();
      head.deliver(head.result);
    }
    if (wasFull && !this.isFull()) this.onAvailable();
  }

  private fail(error: Error): void {
    if (!this.broken)
      this.log.error('tail parse worker failed; parsing on the main thread', { error: error.message });
    this.broken = true;
    for (const id of [...this.byId.keys()]) this.settle(id, undefined);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

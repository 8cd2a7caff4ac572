// Runs one output instance: a FIFO of chunks, at most `workers` flushes at once, retries with
// Fluent Bit's scheduler (exponential backoff with full jitter between scheduler.base and
// scheduler.cap), Retry_Limit, and the output's Fluent Bit counters. Every submitted chunk ends
// exactly once, in `done('delivered')` or `done('dropped')`, which is what lets inputs commit.
import type { Logger } from '../../common/log/logger.ts';
import { eventCount, zeroOutputCounters } from './types.ts';
import type { Chunk, OutputCounters, OutputPlugin } from './types.ts';

export type ChunkOutcome = 'delivered' | 'dropped';

export interface RetryPolicy {
  /** Retries after the first failed attempt; `false` = no limit. */
  readonly limit: number | false;
  readonly baseMs: number;
  readonly capMs: number;
}

interface Job {
  readonly chunk: Chunk;
  readonly done: (outcome: ChunkOutcome) => void;
  attempts: number;
}

export class OutputRunner {
  readonly name: string;
  readonly counters: OutputCounters = zeroOutputCounters();
  private readonly plugin: OutputPlugin;
  private readonly workers: number;
  private readonly retry: RetryPolicy;
  private readonly log: Logger;
  private readonly ready: Job[] = [];
  private readonly retryJobs = new Map<NodeJS.Timeout, Job>();
  private active = 0;
  private idleWaiters: (() => void)[] = [];
  private stopping = false;

  constructor(name: string, plugin: OutputPlugin, workers: number, retry: RetryPolicy, log: Logger) {
    this.name = name;
    this.plugin = plugin;
    this.workers = Math.max(1, workers);
    this.retry = retry;
    this.log = log;
  }

  start(): Promise<void> {
    return this.plugin.start();
  }

  submit(chunk: Chunk, done: (outcome: ChunkOutcome) => void): void {
    this.ready.push({ chunk, done, attempts: 0 });
    this.pump();
  }

  /** Chunks not yet ended: queued, flushing or waiting for a retry. */
  backlog(): number {
    return this.ready.length + this.active + this.retryJobs.size;
  }

  /**
   * Waits up to `graceMs` for the backlog to drain, retrying due chunks at once (Fluent Bit's
   * Grace), then stops the plugin. Chunks still pending are left un-ended: their inputs do not
   * commit them, so they are read (tail) or buffered (filesystem) again on the next start.
   */
  async stop(graceMs: number): Promise<void> {
    for (const [timer, job] of this.retryJobs) {
      clearTimeout(timer);
      this.ready.push(job);
    }
    this.retryJobs.clear();
    this.pump();
    if (this.backlog() > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.idleWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.stopping = true;
    for (const timer of this.retryJobs.keys()) clearTimeout(timer);
    this.retryJobs.clear();
    this.ready.length = 0;
    if (this.active > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await this.plugin.stop();
  }

  private pump(): void {
    while (!this.stopping && this.active < this.workers && this.ready.length > 0) {
      const job = this.ready.shift() as Job;
      this.active++;
      void this.attempt(job);
    }
    if (this.backlog() === 0 || (this.stopping && this.active === 0)) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async attempt(job: Job): Promise<void> {
    let result;
    try {
      result = await this.plugin.flush(job.chunk);
    } catch (error) {
      this.log.warn('output flush failed', { output: this.name, error: (error as Error).message });
      result = 'retry' as const;
    }
    this.active--;
    const records = eventCount(job.chunk);
    if (result === 'ok') {
      this.counters.proc_records += records;
      this.counters.proc_bytes += job.chunk.bytes;
      job.done('delivered');
    } else if (result === 'error') {
      this.counters.errors++;
      this.counters.dropped_records += records;
      this.log.error('output refused a chunk; dropped', { output: this.name, tag: job.chunk.tag, records });
      job.done('dropped');
    } else if (this.retry.limit !== false && job.attempts >= this.retry.limit) {
      this.counters.retries_failed++;
      this.counters.dropped_records += records;
      this.log.error('retries exhausted (Retry_Limit); chunk dropped', {
        output: this.name,
        tag: job.chunk.tag,
        records,
        attempts: job.attempts + 1,
      });
      job.done('dropped');
    } else if (this.stopping) {
      // Left un-ended on purpose: see stop().
    } else {
      this.counters.retries++;
      this.counters.retried_records += records;
      job.attempts++;
      this.scheduleRetry(job);
    }
    this.pump();
  }

  private scheduleRetry(job: Job): void {
    // Full jitter: a random wait in [base, min(cap, base * 2^attempts)], as Fluent Bit's scheduler.
    const ceiling = Math.min(this.retry.capMs, this.retry.baseMs * 2 ** Math.min(job.attempts, 30));
    const wait = this.retry.baseMs + Math.random() * Math.max(0, ceiling - this.retry.baseMs);
    const timer = setTimeout(() => {
      this.retryJobs.delete(timer);
      this.ready.push(job);
      this.pump();
    }, wait);
    this.retryJobs.set(timer, job);
  }
}

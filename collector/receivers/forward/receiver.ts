// Forward receiver: each validated frame becomes one queue record (entries kept as raw msgpack), and
// the server acks the frame only after that record is durable. While the queue is full the handler
// waits, so the connection stops being read and nothing is acked: the sender buffers.
import { once } from 'node:events';
import {
  ForwardServer,
  type ForwardFrame,
  type ForwardLogger,
  type ForwardServerStats,
} from '../../../common/forward/index.ts';
import { QueueFullError, type DiskQueue } from '../../../common/queue/index.ts';
import { logBatchHeader } from '../../pipeline/batch-record.ts';
import type { CollectorMetrics } from '../../telemetry/metrics.ts';
import { forwardServerOptions, type ForwardReceiverConfig } from './config.ts';

export interface ForwardReceiverDeps {
  queue: DiskQueue;
  metrics: CollectorMetrics;
  logger: ForwardLogger;
  /** Aborted at shutdown: a frame still waiting for queue space is then left unacked. */
  signal: AbortSignal;
}

export class ForwardReceiver {
  readonly #server: ForwardServer;
  readonly #deps: ForwardReceiverDeps;
  /** Set while the queue is full: later frames wait behind it, so they cannot overtake it. */
  #blocked: Promise<void> | undefined;

  constructor(config: ForwardReceiverConfig, deps: ForwardReceiverDeps) {
    this.#deps = deps;
    this.#server = new ForwardServer({
      ...forwardServerOptions(config),
      logger: deps.logger,
      onFrame: (frame) => this.#onFrame(frame),
    });
  }

  async #onFrame(frame: ForwardFrame): Promise<void> {
    if (frame.entryCount === 0) return;
    const record = [logBatchHeader(frame.tag, frame.chunk, frame.entryCount), frame.eventStream()];
    const { queue, metrics, signal } = this.#deps;
    while (this.#blocked !== undefined) await this.#blocked;
    try {
      await queue.append(record);
    } catch (error) {
      if (!(error instanceof QueueFullError)) throw error;
      metrics.rejected.inc({ receiver: 'forward', reason: 'queue_full_wait' });
      // Rejects on shutdown, which closes the connection unacked: the sender resends elsewhere or later.
      const drained = once(queue, 'drain', { signal }).then(() => undefined);
      this.#blocked = drained;
      try {
        await drained;
      } finally {
        if (this.#blocked === drained) this.#blocked = undefined;
      }
      return this.#onFrame(frame);
    }
    metrics.queueAppends.inc();
    metrics.received.inc({ receiver: 'forward', signal: 'logs' }, frame.entryCount);
  }

  start(): Promise<{ port: number }> {
    return this.#server.start();
  }

  get port(): number | undefined {
    return this.#server.address?.port;
  }

  stats(): ForwardServerStats {
    return this.#server.stats();
  }

  close(graceMs: number): Promise<void> {
    return this.#server.close(graceMs);
  }
}

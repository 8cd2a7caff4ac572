// The consumer group. Offsets are resolved and committed only after the processor resolved the
// batch (everything acknowledged), so a crash or a rebalance replays, never skips; replays are
// absorbed by the deterministic ids.
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from '../../common/log/logger.ts';
import type { AuditConfig } from '../config.ts';
import { isAbort } from '../store/backoff.ts';
import type { AuditMetrics } from '../telemetry/metrics.ts';
import type { PartitionProcessor } from './processor.ts';

export class AuditConsumer {
  readonly #consumer: Consumer;
  readonly #config: AuditConfig['kafka'];
  readonly #processor: PartitionProcessor;
  readonly #logger: Logger;
  readonly #metrics: AuditMetrics;
  readonly #stop = new AbortController();
  #joined = false;
  #crashed: string | undefined;

  constructor(
    kafka: Kafka,
    config: AuditConfig['kafka'],
    processor: PartitionProcessor,
    logger: Logger,
    metrics: AuditMetrics,
  ) {
    this.#config = config;
    this.#processor = processor;
    this.#logger = logger;
    this.#metrics = metrics;
    this.#consumer = kafka.consumer({
      groupId: config.group_id,
      sessionTimeout: config.session_timeout,
      rebalanceTimeout: Math.max(60_000, config.session_timeout * 2),
      heartbeatInterval: Math.min(3000, Math.floor(config.session_timeout / 3)),
      allowAutoTopicCreation: false,
      retry: { retries: 10, restartOnFailure: async () => !this.#stop.signal.aborted },
    });
    const { GROUP_JOIN, CRASH, REBALANCING } = this.#consumer.events;
    this.#consumer.on(GROUP_JOIN, (e) => {
      this.#joined = true;
      this.#processor.reset();
      const assigned = Object.values(e.payload.memberAssignment).reduce((n, ps) => n + ps.length, 0);
      this.#metrics.partitions.set(assigned);
      this.#logger.info('joined consumer group', {
        group: config.group_id,
        assignment: JSON.stringify(e.payload.memberAssignment),
      });
    });
    this.#consumer.on(REBALANCING, () => {
      this.#joined = false;
    });
    this.#consumer.on(CRASH, (e) => {
      this.#crashed = e.payload.restart ? undefined : e.payload.error.message;
      if (!this.#stop.signal.aborted)
        this.#logger.error('consumer crashed', {
          error: e.payload.error.message,
          restart: e.payload.restart,
        });
    });
  }

  get joined(): boolean {
    return this.#joined;
  }

  /** Set when the consumer stopped for good (kafkajs gave up restarting it). */
  get crashed(): string | undefined {
    return this.#crashed;
  }

  async start(): Promise<void> {
    await this.#consumer.connect();
    await this.#consumer.subscribe({
      topics: [this.#config.topic],
      fromBeginning: this.#config.from_beginning,
    });
    await this.#consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.#config.partitions_concurrently,
      eachBatch: async ({
        batch,
        resolveOffset,
        heartbeat,
        commitOffsetsIfNecessary,
        isRunning,
        isStale,
      }) => {
        if (!isRunning() || isStale() || batch.isEmpty()) return;
        const signal = this.#stop.signal;
        try {
          await this.#processor.process(batch.topic, batch.partition, batch.messages, { signal, heartbeat });
        } catch (err) {
          // Shutting down mid-batch: nothing is resolved, the next owner replays the batch.
          if (isAbort(err) && signal.aborted) return;
          throw err;
        }
        if (!isRunning() || isStale()) return;
        resolveOffset(batch.lastOffset());
        await commitOffsetsIfNecessary();
      },
    });
  }

  async stop(): Promise<void> {
    this.#stop.abort(new Error('shutting down'));
    await this.#consumer.disconnect();
  }
}

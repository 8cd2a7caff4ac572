// The dead-letter topic: the original message unchanged (so it can be replayed once fixed), the
// reason and the source coordinates in headers, as Kafka Connect's error headers do.
import kafkajs from 'kafkajs';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Logger } from '../../common/log/logger.ts';
import { backoffDelay, sleep, throwIfAborted } from '../store/backoff.ts';
import type { WriteContext } from '../store/writer.ts';
import type { DeadLetter, DeadLetterSink } from './processor.ts';

const { CompressionTypes, Partitioners } = kafkajs;

export class KafkaDeadLetters implements DeadLetterSink {
  readonly #kafka: Kafka;
  readonly #topic: string;
  readonly #logger: Logger;
  #producer: Producer | undefined;
  #partitions = 1;

  constructor(kafka: Kafka, topic: string, logger: Logger) {
    this.#kafka = kafka;
    this.#topic = topic;
    this.#logger = logger;
  }

  /** Creates the topic when absent, with the source topic's partition count. */
  async start(sourceTopic: string): Promise<void> {
    const admin: Admin = this.#kafka.admin();
    await admin.connect();
    try {
      const existing = await admin.listTopics();
      if (!existing.includes(this.#topic)) {
        const meta = existing.includes(sourceTopic)
          ? await admin.fetchTopicMetadata({ topics: [sourceTopic] })
          : undefined;
        const partitions = meta?.topics[0]?.partitions.length ?? 1;
        await admin.createTopics({
          topics: [{ topic: this.#topic, numPartitions: partitions }],
          waitForLeaders: true,
        });
      }
    } finally {
      await admin.disconnect();
    }
    const meta = await this.#withAdmin((a) => a.fetchTopicMetadata({ topics: [this.#topic] }));
    this.#partitions = Math.max(1, meta.topics[0]?.partitions.length ?? 1);
    this.#producer = this.#kafka.producer({
      retry: { retries: 3 },
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await this.#producer.connect();
  }

  async #withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      return await fn(admin);
    } finally {
      await admin.disconnect();
    }
  }

  async send(letters: readonly DeadLetter[], ctx: WriteContext): Promise<void> {
    if (letters.length === 0) return;
    const producer = this.#producer;
    if (producer === undefined) throw new Error('dead-letter producer not started');
    const messages = letters.map((l) => ({
      // The source partition's letters stay in order in one dead-letter partition.
      partition: l.partition % this.#partitions,
      key: l.key,
      value: l.value,
      headers: {
        'tributary.audit.reason': l.reason,
        'tributary.audit.kind': l.kind,
        'tributary.audit.topic': l.topic,
        'tributary.audit.partition': String(l.partition),
        'tributary.audit.offset': l.offset,
      },
    }));
    for (let attempt = 0; ; attempt++) {
      throwIfAborted(ctx.signal);
      try {
        await producer.send({ topic: this.#topic, acks: -1, compression: CompressionTypes.None, messages });
        return;
      } catch (err) {
        this.#logger.warn('dead-letter produce failed; retrying', {
          error: err instanceof Error ? err.message : String(err),
        });
        await ctx.heartbeat?.();
        await sleep(backoffDelay(attempt, 200, 10_000), ctx.signal);
      }
    }
  }

  async close(): Promise<void> {
    await this.#producer?.disconnect();
  }
}

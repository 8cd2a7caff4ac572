import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import kafkajs from 'kafkajs';
import type { Admin, KafkaConfig, LogEntry, Message, Producer, SASLOptions } from 'kafkajs';
import { abortError, backoffDelay, sleep } from '../retry.ts';
import type { KafkaExporterConfig } from './config.ts';
import { classifyKafkaError, describeKafkaError, errorTypes } from './errors.ts';
import type { KafkaErrorKind } from './errors.ts';
import {
  RECORD_BATCH_OVERHEAD,
  RECORD_DELTA_SLACK,
  recordBytes,
  singleRecordBatchBytes,
} from './record-size.ts';

// kafkajs is CommonJS and spreads its error classes into module.exports, which hides some
// names from Node's named-export detection (ConfigResourceTypes among them): so the default import.
const { CompressionTypes, ConfigResourceTypes, Kafka, Partitioners, logLevel } = kafkajs;

/** The logger the collector hands every component (pino-shaped: message first, fields second). */
export interface ExporterLogger {
  debug?(msg: string, fields?: object): void;
  info(msg: string, fields?: object): void;
  warn(msg: string, fields?: object): void;
  error(msg: string, fields?: object): void;
}

export interface KafkaSinkDeps {
  readonly logger: ExporterLogger;
}

/** One audit event for the topic. `key` is the actor (`user.id`): one actor's events share a partition. */
export interface KafkaOutMessage {
  readonly key: string | null;
  readonly value: Buffer | string;
  readonly headers?: Record<string, string>;
}

export interface KafkaRejection {
  readonly message: KafkaOutMessage;
  readonly reason: string;
}

export interface KafkaSendResult {
  /** Messages every in-sync replica acknowledged (acks = -1). */
  readonly sent: number;
  /** Messages the broker can never take (too large, invalid record); the caller dead-letters them. */
  readonly rejected: KafkaRejection[];
  /** Produce attempts of this send retried after a transient failure. */
  readonly retries: number;
}

/** Counters since construction; read-only to callers, updated in place. */
export interface KafkaSinkStats {
  /** Produce calls made (each attempt counts). */
  readonly produceCalls: number;
  readonly messagesSent: number;
  readonly messagesRejected: number;
  /** Attempts that failed and were retried. */
  readonly retries: number;
  /** Record bytes acknowledged (uncompressed, as the size checks count them). */
  readonly bytesSent: number;
  /** Times the idempotent producer was replaced after its sequence state went stale. */
  readonly producerResets: number;
  /** Successful start-up checks (connect, topic, size limit); > 1 means the topic was re-ensured. */
  readonly ensures: number;
}

type MutableStats = { -readonly [K in keyof KafkaSinkStats]: KafkaSinkStats[K] };

interface SendState {
  sent: number;
  rejected: KafkaRejection[];
  retries: number;
}

/**
 * Produces audit events to one Kafka topic with an idempotent producer (acks = all, one
 * request in flight), so that per-key order holds and kafkajs's own retries never duplicate
 * or reorder. At-least-once: `send` resolves only when every message was acknowledged or
 * rejected for good; transient failures are retried until the caller's signal aborts.
 */
export class KafkaSink {
  readonly stats: KafkaSinkStats;
  readonly #stats: MutableStats;
  readonly #config: KafkaExporterConfig;
  readonly #logger: ExporterLogger;
  readonly #kafka: InstanceType<typeof Kafka>;
  readonly #closing = new AbortController();
  readonly #inFlight = new Set<Promise<unknown>>();
  /** A promise, so that concurrent sends share one connecting producer. */
  #producer: Promise<Producer> | undefined;
  /** Settles when connected, the topic exists and its size limit is known; reset to re-ensure. */
  #ready: Promise<void> | undefined;
  #maxMessageBytes: number | undefined;

  constructor(config: KafkaExporterConfig, deps: KafkaSinkDeps) {
    this.#config = config;
    this.#logger = deps.logger;
    this.#stats = {
      produceCalls: 0,
      messagesSent: 0,
      messagesRejected: 0,
      retries: 0,
      bytesSent: 0,
      producerResets: 0,
      ensures: 0,
    };
    this.stats = this.#stats;
    this.#kafka = new Kafka(kafkaClientConfig(config, this.#logger));
  }

  /** The topic's `max.message.bytes` (or the broker's `message.max.bytes`), once read. */
  get maxMessageBytes(): number | undefined {
    return this.#maxMessageBytes;
  }

  /**
   * Returns at once: connecting, creating the topic and reading its size limit run in the
   * background and are retried with backoff while Kafka is down. `send` waits for them.
   */
  start(): Promise<void> {
    if (this.#closing.signal.aborted) return Promise.reject(new Error('kafka exporter is shut down'));
    this.#whenReady(this.#closing.signal).catch(() => {
      // Only shutdown ends the background loop; send() reports its own failures.
    });
    return Promise.resolve();
  }

  /**
   * Produces `messages` in order, in produce calls of at most `max_batch_messages` messages /
   * `max_batch_bytes` bytes. Rejects with the abort reason when `signal` (or shutdown) aborts;
   * what was acknowledged before is produced again on the caller's replay.
   */
  send(messages: readonly KafkaOutMessage[], signal: AbortSignal): Promise<KafkaSendResult> {
    if (this.#closing.signal.aborted) return Promise.reject(new Error('kafka exporter is shut down'));
    return this.#track(this.#send(messages, AbortSignal.any([signal, this.#closing.signal])));
  }

  /** Aborts in-flight sends (they reject, the caller replays), waits for them, disconnects. */
  async shutdown(): Promise<void> {
    if (!this.#closing.signal.aborted) {
      const reason = new Error('kafka exporter is shutting down');
      reason.name = 'AbortError';
      this.#closing.abort(reason);
    }
    await Promise.allSettled([...this.#inFlight]);
    const producer = this.#producer;
    this.#producer = undefined;
    await producer?.then((p) => p.disconnect()).catch(() => undefined);
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#inFlight.add(p);
    const done = (): void => {
      this.#inFlight.delete(p);
    };
    p.then(done, done);
    return p;
  }

  // ---- readiness -------------------------------------------------------------------------

  #whenReady(signal: AbortSignal): Promise<void> {
    this.#ready ??= this.#track(this.#ensureLoop());
    return raceAbort(this.#ready, signal);
  }

  async #ensureLoop(): Promise<void> {
    const signal = this.#closing.signal;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#ensureOnce();
        this.#stats.ensures += 1;
        return;
      } catch (err) {
        if (signal.aborted) throw abortError(signal);
        const delay = this.#backoff(attempt);
        if (attempt < 3 || attempt % 10 === 0) {
          this.#logger.warn('kafka not ready yet (connect / create topic / read its limits), retrying', {
            reason: describeKafkaError(err),
            attempt: attempt + 1,
            delayMs: Math.round(delay),
            brokers: this.#config.brokers,
          });
        }
        await sleep(delay, signal);
      }
    }
  }

  async #ensureOnce(): Promise<void> {
    const { topic } = this.#config;
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      const created = await admin
        .createTopics({
          topics: [
            {
              topic,
              numPartitions: this.#config.partitions,
              replicationFactor: this.#config.replication_factor,
              configEntries: Object.entries(this.#config.topic_config ?? {}).map(([name, value]) => ({
                name,
                value,
              })),
            },
          ],
          waitForLeaders: true,
          timeout: this.#config.request_timeout,
        })
        .catch((err: unknown) => {
          // kafkajs turns TOPIC_ALREADY_EXISTS into `false` only for its aggregate error; a
          // parallel creator (another collector replica) can surface it in other shapes.
          if (errorTypes(err).includes('TOPIC_ALREADY_EXISTS')) return false;
          throw err;
        });
      if (created) {
        this.#logger.info('kafka topic created', {
          topic,
          partitions: this.#config.partitions,
          replicationFactor: this.#config.replication_factor,
        });
      } else {
        const meta = await admin.fetchTopicMetadata({ topics: [topic] });
        const partitions = meta.topics[0]?.partitions.length ?? 0;
        if (partitions !== this.#config.partitions) {
          this.#logger.info('kafka topic exists with another partition count; left as it is', {
            topic,
            partitions,
            configured: this.#config.partitions,
          });
        }
      }
      this.#maxMessageBytes = await readMaxMessageBytes(admin, topic);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await this.#connectProducer();
  }

  #connectProducer(): Promise<Producer> {
    if (this.#producer === undefined) {
      const connecting = this.#newProducer();
      this.#producer = connecting;
      // A failed connect is forgotten, so the next attempt starts afresh.
      connecting.catch(() => {
        if (this.#producer === connecting) this.#producer = undefined;
      });
    }
    return this.#producer;
  }

  async #newProducer(): Promise<Producer> {
    const producer = this.#kafka.producer({
      idempotent: true,
      // kafkajs refuses idempotence with more than one request in flight; one in flight is
      // also what keeps a retried batch from overtaking the next one (per-key order).
      maxInFlightRequests: 1,
      // Java-compatible murmur2 (kafkajs 2's default, named to silence its start-up warning):
      // a key lands on the same partition as with the Java client.
      createPartitioner: Partitioners.DefaultPartitioner,
      // Few retries inside kafkajs: our loop retries forever but honours the abort signal,
      // kafkajs's does not. (kafkajs warns once that limiting retries may break EoS; our
      // own retries resend the same batch, which the broker deduplicates by sequence.)
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    try {
      await producer.connect();
    } catch (err) {
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
    return producer;
  }

  /** A fresh producer id, so stale sequence numbers cannot wedge every later send. */
  async #resetProducer(): Promise<void> {
    const old = this.#producer;
    this.#producer = undefined;
    this.#stats.producerResets += 1;
    await old?.then((p) => p.disconnect()).catch(() => undefined);
  }

  #backoff(attempt: number): number {
    return backoffDelay(attempt, this.#config.retry.initial_backoff, this.#config.retry.max_backoff);
  }

  // ---- sending ---------------------------------------------------------------------------

  async #send(messages: readonly KafkaOutMessage[], signal: AbortSignal): Promise<KafkaSendResult> {
    if (signal.aborted) throw abortError(signal);
    const state: SendState = { sent: 0, rejected: [], retries: 0 };
    if (messages.length === 0) return state;
    await this.#whenReady(signal);

    let chunk: KafkaOutMessage[] = [];
    let chunkBytes = RECORD_BATCH_OVERHEAD;
    for (const m of messages) {
      const tooLarge = this.#oversize(m);
      if (tooLarge !== undefined) {
        this.#reject(state, m, tooLarge);
        continue;
      }
      const bytes = recordBytes(m) + RECORD_DELTA_SLACK;
      if (
        chunk.length > 0 &&
        (chunk.length >= this.#config.max_batch_messages || chunkBytes + bytes > this.#chunkLimit())
      ) {
        await this.#deliver(chunk, chunkBytes, signal, state);
        chunk = [];
        chunkBytes = RECORD_BATCH_OVERHEAD;
      }
      chunk.push(m);
      chunkBytes += bytes;
    }
    if (chunk.length > 0) await this.#deliver(chunk, chunkBytes, signal, state);
    return state;
  }

  /**
   * One produce call may put the whole chunk into one partition's record batch, which the
   * broker checks against max.message.bytes: so chunks stay under it, with 1% + 128 bytes to
   * spare for gzip, whose output can exceed its input for incompressible data.
   */
  #chunkLimit(): number {
    const limit = this.#maxMessageBytes;
    if (limit === undefined) return this.#config.max_batch_bytes;
    return Math.min(this.#config.max_batch_bytes, Math.floor(limit * 0.99) - 128);
  }

  /** The reason `m` can never be produced, or undefined if it fits the topic's limit. */
  #oversize(m: KafkaOutMessage): string | undefined {
    const limit = this.#maxMessageBytes;
    if (limit === undefined) return undefined;
    const bytes = singleRecordBatchBytes(m);
    if (bytes <= limit) return undefined;
    if (this.#config.compression === 'gzip') {
      // The broker checks the compressed batch; only messages already over the limit pay for
      // this trial compression, and a miss is still caught by MESSAGE_TOO_LARGE.
      const compressed = RECORD_BATCH_OVERHEAD + 32 + gzipSync(recordPayload(m)).byteLength;
      if (compressed <= limit) return undefined;
    }
    return tooLargeReason(bytes, limit);
  }

  #reject(state: SendState, message: KafkaOutMessage, reason: string): void {
    state.rejected.push({ message, reason });
    this.#stats.messagesRejected += 1;
    this.#logger.warn('kafka message rejected', { topic: this.#config.topic, reason });
  }

  async #deliver(
    chunk: readonly KafkaOutMessage[],
    bytes: number,
    signal: AbortSignal,
    state: SendState,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) throw abortError(signal);
      let kind: KafkaErrorKind;
      let reason: string;
      try {
        const producer = await raceAbort(this.#connectProducer(), signal);
        this.#stats.produceCalls += 1;
        const sending = producer.send({
          topic: this.#config.topic,
          acks: -1,
          timeout: this.#config.request_timeout,
          compression: this.#config.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
          messages: chunk.map(toKafkaMessage),
        });
        // kafkajs cannot cancel a produce call; on abort we stop waiting, and the caller's replay
        // may duplicate what this call still writes (at-least-once).
        await raceAbort(sending, signal);
        state.sent += chunk.length;
        this.#stats.messagesSent += chunk.length;
        this.#stats.bytesSent += bytes;
        return;
      } catch (err) {
        if (signal.aborted) throw abortError(signal);
        kind = classifyKafkaError(err);
        reason = describeKafkaError(err);
      }

      if (kind === 'too-large' || kind === 'invalid-record') {
        // The first error says which batch, not which message. A multi-partition produce can
        // also half-succeed, after which kafkajs's rolled-back sequence numbers no longer match
        // the broker's: so a new producer, then each message on its own, in order.
        await this.#resetProducer();
        if (kind === 'too-large') await this.#refreshLimit();
        if (chunk.length === 1 && chunk[0] !== undefined) {
          const m = chunk[0];
          this.#reject(
            state,
            m,
            kind === 'too-large'
              ? tooLargeReason(singleRecordBatchBytes(m), this.#maxMessageBytes, reason)
              : `kafka refused the record: ${reason}`,
          );
          return;
        }
        this.#logger.warn('kafka refused a batch; producing its messages one by one to find the culprit', {
          reason,
          messages: chunk.length,
        });
        for (const m of chunk) {
          const oversize = this.#oversize(m);
          if (oversize !== undefined) this.#reject(state, m, oversize);
          else await this.#deliver([m], singleRecordBatchBytes(m), signal, state);
        }
        return;
      }

      state.retries += 1;
      this.#stats.retries += 1;
      if (kind === 'producer-state') await this.#resetProducer();
      if (kind === 'unknown-topic') this.#ready = undefined;
      const delay = this.#backoff(attempt);
      if (attempt < 3 || attempt % 10 === 0) {
        const log = kind === 'stuck' ? this.#logger.error : this.#logger.warn;
        log.call(this.#logger, 'kafka produce failed, retrying', {
          reason,
          kind,
          attempt: attempt + 1,
          delayMs: Math.round(delay),
          messages: chunk.length,
        });
      }
      await sleep(delay, signal);
      if (kind === 'unknown-topic') await this.#whenReady(signal);
    }
  }

  /** Re-reads the size limit after the broker said "too large" (the topic config may have changed). */
  async #refreshLimit(): Promise<void> {
    const admin = this.#kafka.admin();
    try {
      await admin.connect();
      this.#maxMessageBytes = await readMaxMessageBytes(admin, this.#config.topic);
    } catch (err) {
      this.#logger.warn('could not re-read the topic size limit', { reason: describeKafkaError(err) });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

/** The topic's `max.message.bytes`, else the broker's `message.max.bytes`. */
export async function readMaxMessageBytes(admin: Admin, topic: string): Promise<number | undefined> {
  const topicConfigs = await admin.describeConfigs({
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] }],
    includeSynonyms: false,
  });
  const fromTopic = Number(
    topicConfigs.resources[0]?.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue,
  );
  if (Number.isSafeInteger(fromTopic) && fromTopic > 0) return fromTopic;
  const { brokers } = await admin.describeCluster();
  const broker = brokers[0];
  if (broker === undefined) return undefined;
  const brokerConfigs = await admin.describeConfigs({
    resources: [
      { type: ConfigResourceTypes.BROKER, name: String(broker.nodeId), configNames: ['message.max.bytes'] },
    ],
    includeSynonyms: false,
  });
  const fromBroker = Number(
    brokerConfigs.resources[0]?.configEntries.find((e) => e.configName === 'message.max.bytes')?.configValue,
  );
  return Number.isSafeInteger(fromBroker) && fromBroker > 0 ? fromBroker : undefined;
}

export function tooLargeReason(bytes: number, limit: number | undefined, brokerSaid?: string): string {
  const base =
    limit === undefined
      ? `message of ${bytes} bytes exceeds the topic's max.message.bytes`
      : `message of ${bytes} bytes exceeds the topic's max.message.bytes ${limit}`;
  return brokerSaid === undefined ? base : `${base} (broker: ${brokerSaid})`;
}

function toKafkaMessage(m: KafkaOutMessage): Message {
  return m.headers === undefined
    ? { key: m.key, value: m.value }
    : { key: m.key, value: m.value, headers: m.headers };
}

/** Key, value and headers as one buffer: what gzip would see of a one-record batch. */
function recordPayload(m: KafkaOutMessage): Buffer {
  const parts: Buffer[] = [];
  if (m.key !== null) parts.push(Buffer.from(m.key));
  parts.push(typeof m.value === 'string' ? Buffer.from(m.value) : m.value);
  for (const [k, v] of Object.entries(m.headers ?? {})) parts.push(Buffer.from(k), Buffer.from(v));
  return Buffer.concat(parts);
}

/** Resolves or rejects with `p`, or rejects with the abort error first; `p` is never left unhandled. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    p.catch(() => undefined);
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function kafkaClientConfig(config: KafkaExporterConfig, logger: ExporterLogger): KafkaConfig {
  const kc: KafkaConfig = {
    clientId: config.client_id,
    brokers: config.brokers,
    requestTimeout: config.request_timeout,
    // One quick retry inside kafkajs for connects and admin calls; our loops do the long haul.
    retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 1000 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...fields } = entry.log;
      // kafkajs warns at every start that limited retries may weaken exactly-once; the limit is
      // ours on purpose (this sink retries, and replaces the producer before isolating a bad
      // message, see README), so it is not news to an operator.
      if (message.startsWith('Limiting retries for the idempotent producer')) return;
      // Per-request failures (including the TOPIC_ALREADY_EXISTS that start() tolerates) are
      // classified and, where they matter, logged by this sink itself.
      if (entry.namespace === 'Connection') {
        logger.debug?.(`kafkajs ${entry.namespace}: ${message}`, fields);
        return;
      }
      // kafkajs logs every failed attempt at ERROR; our own loop logs its decisions, so
      // kafkajs's opinion is a warning.
      logger.warn(`kafkajs ${entry.namespace}: ${message}`, fields);
    },
  };
  if (config.ssl !== undefined) {
    kc.ssl =
      config.ssl.ca_file === undefined
        ? { rejectUnauthorized: config.ssl.reject_unauthorized }
        : {
            rejectUnauthorized: config.ssl.reject_unauthorized,
            ca: [readFileSync(config.ssl.ca_file, 'utf8')],
          };
  }
  if (config.sasl !== undefined) {
    const { mechanism, username, password } = config.sasl;
    const sasl: SASLOptions =
      mechanism === 'plain'
        ? { mechanism, username, password }
        : mechanism === 'scram-sha-256'
          ? { mechanism, username, password }
          : { mechanism, username, password };
    kc.sasl = sasl;
  }
  return kc;
}

// Wires the audit service: Elasticsearch templates, the dead-letter producer, the consumer group,
// the digest timer and the HTTP server; and takes them down in the reverse order.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import kafkajs from 'kafkajs';
import type { Client } from '@elastic/elasticsearch';
import { closeHttpServer } from '../common/http/index.ts';
import type { Logger } from '../common/log/logger.ts';
import { WebhookNotifier } from './alerts/notifier.ts';
import { buildApiApp, listenApi } from './api/server.ts';
import { loadSigningKeys } from './chain/keys.ts';
import type { SigningKeys } from './chain/keys.ts';
import type { AuditConfig } from './config.ts';
import { AuditConsumer } from './consumer/consumer.ts';
import { KafkaDeadLetters } from './consumer/dead-letter.ts';
import { kafkaClientConfig } from './consumer/kafka-options.ts';
import { PartitionProcessor } from './consumer/processor.ts';
import { RuleEngine } from './rules/engine.ts';
import { retrying } from './store/backoff.ts';
import { createEsClient } from './store/client.ts';
import { auditStreams } from './store/names.ts';
import type { AuditStreams } from './store/names.ts';
import { installAuditTemplates } from './store/templates.ts';
import { BulkWriter } from './store/writer.ts';
import { createAuditMetrics } from './telemetry/metrics.ts';
import type { AuditMetrics } from './telemetry/metrics.ts';

export interface AuditServiceDeps {
  readonly logger: Logger;
  readonly env?: NodeJS.ProcessEnv;
  /** prom-client's process metrics; off in tests that run several services in one process. */
  readonly defaultMetrics?: boolean;
}

export class AuditService {
  readonly config: AuditConfig;
  readonly streams: AuditStreams;
  readonly metrics: AuditMetrics;
  readonly client: Client;
  readonly keys: SigningKeys;
  readonly #logger: Logger;
  readonly #stop = new AbortController();
  #server: Server | undefined;
  #consumer: AuditConsumer | undefined;
  #deadLetters: KafkaDeadLetters | undefined;
  #notifier: WebhookNotifier | undefined;
  #ticker: NodeJS.Timeout | undefined;
  #ready = false;
  #stopping = false;

  private constructor(config: AuditConfig, deps: AuditServiceDeps) {
    this.config = config;
    this.#logger = deps.logger;
    this.streams = auditStreams(config.elasticsearch.namespace);
    this.metrics = createAuditMetrics({ defaultMetrics: deps.defaultMetrics ?? true });
    this.keys = loadSigningKeys(config.signing, deps.env);
    this.client = createEsClient(config.elasticsearch);
  }

  /** Port the HTTP server listens on (when enabled). */
  get httpPort(): number | undefined {
    return (this.#server?.address() as AddressInfo | null)?.port;
  }

  static async start(config: AuditConfig, deps: AuditServiceDeps): Promise<AuditService> {
    const service = new AuditService(config, deps);
    try {
      await service.#start();
    } catch (err) {
      await service.shutdown();
      throw err;
    }
    return service;
  }

  async #start(): Promise<void> {
    const { config, metrics, client, streams } = this;
    const logger = this.#logger;
    const signal = this.#stop.signal;
    if (config.chain.enabled && this.keys.privateKey === undefined)
      logger.warn('no signing key configured: the chain is kept but no digests are signed', {});
    if (config.api.enabled) {
      const app = buildApiApp({
        config,
        client,
        streams,
        publicKey: this.keys.publicKey,
        metrics,
        logger: logger.child({ part: 'api' }),
        healthy: () => !this.#stopping && this.#consumer?.crashed === undefined,
        notReadyReason: () =>
          this.#stopping
            ? 'shutting down'
            : !this.#ready
              ? 'starting'
              : this.#consumer?.joined === true
                ? undefined
                : 'not in the consumer group',
      });
      this.#server = await listenApi(config.api, app);
    }
    const onError = (what: string, err: unknown) =>
      logger.warn(`${what} failed; retrying`, { error: err instanceof Error ? err.message : String(err) });
    if (config.elasticsearch.templates.install)
      await retrying(
        'install index templates',
        () =>
          installAuditTemplates(
            client,
            streams,
            {
              priority: config.elasticsearch.templates.priority,
              replicas: config.elasticsearch.templates.replicas,
              dataStreams: config.elasticsearch.data_streams,
            },
            signal,
          ),
        { signal, onError },
      );

    const kafka = new kafkajs.Kafka(kafkaClientConfig(config.kafka, logger.child({ part: 'kafka' })));
    this.#deadLetters = new KafkaDeadLetters(kafka, config.kafka.dead_letter_topic, logger);
    const deadLetters = this.#deadLetters;
    await retrying('start the dead-letter producer', () => deadLetters.start(config.kafka.topic), {
      signal,
      onError,
    });
    this.#notifier = new WebhookNotifier(
      config.alerts.webhooks,
      logger.child({ part: 'webhooks' }),
      (result) => metrics.webhooks.inc({ result }),
    );
    const writer = new BulkWriter(client, logger, {
      initialBackoff: config.elasticsearch.retry.initial_backoff,
      maxBackoff: config.elasticsearch.retry.max_backoff,
    });
    const processor = new PartitionProcessor({
      config,
      client,
      writer,
      streams,
      rules: new RuleEngine(config.rules),
      notifier: this.#notifier,
      deadLetters,
      keys: this.keys,
      metrics,
      logger,
    });
    this.#consumer = new AuditConsumer(kafka, config.kafka, processor, logger, metrics);
    const consumer = this.#consumer;
    await retrying('start the consumer', () => consumer.start(), { signal, onError });
    const every = Math.max(100, Math.min(1000, Math.floor(config.chain.digest_every / 4)));
    this.#ticker = setInterval(() => {
      processor.tick(signal).catch((err: unknown) => {
        if (!signal.aborted) onError('timed digest', err);
      });
    }, every);
    this.#ready = true;
    logger.info('audit service started', {
      topic: config.kafka.topic,
      group: config.kafka.group_id,
      events_stream: streams.events,
      http_port: this.httpPort ?? null,
      chain: config.chain.enabled,
      digests: config.chain.enabled && this.keys.privateKey !== undefined,
      rules: config.rules.length,
    });
  }

  /** Stops consuming (what is in flight is replayed by the next owner), drains webhooks, closes. */
  async shutdown(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#stop.abort(new Error('shutting down'));
    clearInterval(this.#ticker);
    const step = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        this.#logger.warn(`shutdown: ${what} failed`, {
          error: err instanceof Error ? err.message : String(err),
        });
      }
    };
    await step('consumer', async () => this.#consumer?.stop());
    await step('dead-letter producer', async () => this.#deadLetters?.close());
    await step('webhooks', async () => this.#notifier?.close(5000));
    await step('http server', async () => this.#server && closeHttpServer(this.#server, 0));
    await step('elasticsearch client', () => this.client.close());
    this.#logger.info('audit service stopped', {});
  }
}

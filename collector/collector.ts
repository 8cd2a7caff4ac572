// The collector: receivers -> durable queue -> one export loop per exporter, plus the HTTP server.
// Lifecycle: start() brings everything up (exporters never block on a dead destination);
// shutdown() stops receiving, drains exporters until the deadline, and leaves the rest on disk.
import type { Server } from 'node:http';
import { Counter, Gauge } from 'prom-client';
import { closeHttpServer } from '../common/http/index.ts';
import { DiskQueue, QueueFullError } from '../common/queue/index.ts';
import type { Logger } from '../common/log/logger.ts';
import type { CollectorConfig } from './config.ts';
import type { Exporter } from './exporters/exporter.ts';
import { createExporters } from './exporters/registry.ts';
import { buildApp, listen } from './http/server.ts';
import { encodeSpanBatch } from './pipeline/batch-record.ts';
import { ExportLoop } from './pipeline/export-loop.ts';
import { ForwardReceiver } from './receivers/forward/receiver.ts';
import { zipkinReceiver } from './receivers/zipkin/receiver.ts';
import { createMetrics, type CollectorMetrics } from './telemetry/metrics.ts';

export interface CollectorOptions {
  logger: Logger;
  /** Tests pass their own exporters (e.g. to observe deliveries); normally built from the config. */
  exporters?: Exporter[];
  defaultMetrics?: boolean;
}

export class Collector {
  readonly metrics: CollectorMetrics;
  readonly #config: CollectorConfig;
  readonly #logger: Logger;
  readonly #queue: DiskQueue;
  readonly #exporters: Exporter[];
  readonly #loops: ExportLoop[] = [];
  readonly #receiveAbort = new AbortController();
  #forward: ForwardReceiver | undefined;
  #http: Server | undefined;
  #state: 'starting' | 'running' | 'stopping' | 'stopped' = 'starting';

  private constructor(
    config: CollectorConfig,
    options: CollectorOptions,
    queue: DiskQueue,
    exporters: Exporter[],
  ) {
    this.#config = config;
    this.#logger = options.logger;
    this.#queue = queue;
    this.#exporters = exporters;
    this.metrics = createMetrics({ defaultMetrics: options.defaultMetrics ?? true });
  }

  static async start(config: CollectorConfig, options: CollectorOptions): Promise<Collector> {
    const exporters = options.exporters ?? createExporters(config, options.logger);
    const queue = await DiskQueue.open({
      dir: config.queue.path,
      cursors: exporters.map((e) => e.name),
      fsync: config.queue.fsync,
      fsyncIntervalMs: config.queue.fsync_interval,
      maxBytes: config.queue.max_bytes,
      segmentBytes: config.queue.segment_bytes,
      logger: options.logger.child({ component: 'queue' }),
    });
    const collector = new Collector(config, options, queue, exporters);
    try {
      await collector.#start();
    } catch (error) {
      await collector.shutdown().catch(() => undefined);
      throw error;
    }
    return collector;
  }

  get forwardPort(): number | undefined {
    return this.#forward?.port;
  }

  get httpPort(): number | undefined {
    const address = this.#http?.address();
    return address !== null && typeof address === 'object' ? address.port : undefined;
  }

  async #start(): Promise<void> {
    const { metrics } = this;
    for (const exporter of this.#exporters) {
      await exporter.start();
      const loop = new ExportLoop(
        exporter.name,
        this.#queue.cursor(exporter.name),
        exporter.deliver,
        { ...exporter.batch, failureBackoffMs: 1000 },
        {
          onDelivered: (outcome, seconds) => {
            const labels = { exporter: exporter.name };
            metrics.exported.inc(labels, outcome.delivered);
            if (outcome.duplicates) metrics.duplicates.inc(labels, outcome.duplicates);
            if (outcome.deadLettered) metrics.deadLettered.inc(labels, outcome.deadLettered);
            if (outcome.retries) metrics.retried.inc(labels, outcome.retries);
            if (outcome.dropped) metrics.dropped.inc(labels, outcome.dropped);
            metrics.exportLatency.observe(labels, seconds);
          },
          onError: (error) =>
            this.#logger.error('export failed; retrying', { exporter: exporter.name, error: error.message }),
        },
      );
      this.#loops.push(loop);
      loop.start();
    }
    this.#registerCollectedMetrics();

    const receivers = this.#config.receivers;
    if (receivers.forward.enabled) {
      this.#forward = new ForwardReceiver(receivers.forward, {
        queue: this.#queue,
        metrics,
        logger: this.#logger.child({ component: 'forward' }),
        signal: this.#receiveAbort.signal,
      });
      await this.#forward.start();
    }
    const queue = this.#queue;
    const app = buildApp(this.#config.http, {
      registry: metrics.registry,
      probes: {
        healthy: () => this.#state !== 'stopped',
        notReadyReason: () =>
          this.#state !== 'running' ? this.#state : queue.isFull() ? 'queue full' : undefined,
      },
      ...(receivers.zipkin.enabled
        ? {
            spans: zipkinReceiver(receivers.zipkin, {
              metrics,
              isQueueFullError: (error) => error instanceof QueueFullError,
              consumer: {
                isFull: () => queue.isFull(),
                appendSpans: async (body, count) => {
                  await queue.append(encodeSpanBatch(count, body));
                  metrics.queueAppends.inc();
                },
              },
            }),
          }
        : {}),
      onUnauthorized: () => metrics.rejected.inc({ receiver: 'zipkin', reason: 'unauthorized' }),
    });
    this.#http = await listen(this.#config.http, app);
    this.#state = 'running';
    this.#logger.info('collector started', {
      forward_port: this.forwardPort,
      http_port: this.httpPort,
      exporters: this.#exporters.map((e) => e.name).join(','),
      queue: this.#config.queue.path,
    });
  }

  /** Gauges and counters read from components' own counters at scrape time. */
  #registerCollectedMetrics(): void {
    const { registry } = this.metrics;
    const queue = this.#queue;
    const loops = this.#loops;
    const forward = () => this.#forward;
    const { queueBytes, exportLagBytes } = this.metrics;
    new Gauge({
      name: 'tributary_collector_queue_full',
      help: '1 while the durable queue refuses appends (receivers push back).',
      registers: [registry],
      collect() {
        this.set(queue.isFull() ? 1 : 0);
        queueBytes.set(queue.stats().bytesOnDisk);
        for (const loop of loops) exportLagBytes.set({ exporter: loop.name }, loop.lagBytes);
      },
    });
    new Counter({
      name: 'tributary_collector_forward_errors_total',
      help: 'Forward connections closed for a protocol error, by kind.',
      labelNames: ['kind'],
      registers: [registry],
      collect() {
        const stats = forward()?.stats();
        if (stats === undefined) return;
        this.reset();
        for (const [kind, count] of Object.entries(stats.errors)) if (count > 0) this.inc({ kind }, count);
      },
    });
    new Gauge({
      name: 'tributary_collector_forward_connections',
      help: 'Open Forward connections.',
      registers: [registry],
      collect() {
        this.set(forward()?.stats().connectionsActive ?? 0);
      },
    });
  }

  /** Stops receiving, drains exporters until the deadline, keeps whatever is left in the queue. */
  async shutdown(): Promise<{ drained: boolean }> {
    if (this.#state === 'stopped' || this.#state === 'stopping') return { drained: false };
    this.#state = 'stopping';
    const started = Date.now();
    const deadline = this.#config.service.shutdown_timeout;
    this.#logger.info('collector stopping', { deadline_ms: deadline });
    this.#receiveAbort.abort(new Error('collector stopping'));
    const receiveGrace = Math.min(5000, deadline / 3);
    await Promise.all([
      this.#forward?.close(receiveGrace),
      this.#http && closeHttpServer(this.#http, receiveGrace),
    ]);
    const remaining = Math.max(0, deadline - (Date.now() - started));
    const results = await Promise.all(this.#loops.map((loop) => loop.stop(remaining)));
    await Promise.all(this.#exporters.map((e) => e.shutdown().catch(() => undefined)));
    await this.#queue.close();
    this.#state = 'stopped';
    const drained = results.every((r) => r.drained);
    this.#logger.info('collector stopped', { drained, seconds: (Date.now() - started) / 1000 });
    return { drained };
  }
}

// The collector's Prometheus metrics (prom-client): one registry per collector instance, so that
// tests can run several collectors in one process without their counters mixing.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface CollectorMetrics {
  registry: Registry;
  received: Counter<'receiver' | 'signal'>;
  rejected: Counter<'receiver' | 'reason'>;
  queueBytes: Gauge;
  queueAppends: Counter;
  exported: Counter<'exporter'>;
  retried: Counter<'exporter'>;
  deadLettered: Counter<'exporter'>;
  duplicates: Counter<'exporter'>;
  dropped: Counter<'exporter'>;
  exportLagBytes: Gauge<'exporter'>;
  exportLatency: Histogram<'exporter'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): CollectorMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true)
    collectDefaultMetrics({ register: registry, prefix: 'tributary_collector_' });
  const registers = [registry];
  return {
    registry,
    received: new Counter({
      name: 'tributary_collector_received_total',
      help: 'Log records and spans accepted by a receiver (durably queued).',
      labelNames: ['receiver', 'signal'],
      registers,
    }),
    rejected: new Counter({
      name: 'tributary_collector_rejected_total',
      help: 'Requests, frames or records a receiver refused, by reason.',
      labelNames: ['receiver', 'reason'],
      registers,
    }),
    queueBytes: new Gauge({
      name: 'tributary_collector_queue_bytes',
      help: 'Bytes in the durable queue not yet committed by the slowest exporter.',
      registers,
    }),
    queueAppends: new Counter({
      name: 'tributary_collector_queue_appends_total',
      help: 'Durable appends to the queue (each a batch).',
      registers,
    }),
    exported: new Counter({
      name: 'tributary_collector_exported_total',
      help: 'Records an exporter delivered (its destination acknowledged them).',
      labelNames: ['exporter'],
      registers,
    }),
    retried: new Counter({
      name: 'tributary_collector_retried_total',
      help: 'Records or requests an exporter retried after a transient failure.',
      labelNames: ['exporter'],
      registers,
    }),
    deadLettered: new Counter({
      name: 'tributary_collector_dead_lettered_total',
      help: 'Records an exporter could not deliver and wrote to the dead-letter stream.',
      labelNames: ['exporter'],
      registers,
    }),
    duplicates: new Counter({
      name: 'tributary_collector_duplicates_total',
      help: 'Records the destination already had (replays absorbed by idempotent writes).',
      labelNames: ['exporter'],
      registers,
    }),
    dropped: new Counter({
      name: 'tributary_collector_dropped_total',
      help: 'Records rejected by the destination AND by the dead-letter store: lost. Alert on any increase.',
      labelNames: ['exporter'],
      registers,
    }),
    exportLagBytes: new Gauge({
      name: 'tributary_collector_export_lag_bytes',
      help: "Queue bytes an exporter's cursor has not committed yet.",
      labelNames: ['exporter'],
      registers,
    }),
    exportLatency: new Histogram({
      name: 'tributary_collector_export_batch_seconds',
      help: 'Time to deliver one batch, retries included.',
      labelNames: ['exporter'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
  };
}

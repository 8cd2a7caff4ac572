// Prometheus metrics (prom-client), one registry per service instance so tests can run several.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface AuditMetrics {
  readonly registry: Registry;
  readonly events: Counter<'result'>;
  readonly invalid: Counter<'kind'>;
  readonly digests: Counter;
  readonly alerts: Counter<'rule'>;
  readonly webhooks: Counter<'result'>;
  readonly recoveries: Counter;
  readonly divergences: Counter;
  readonly esRetries: Counter;
  readonly batchSeconds: Histogram;
  readonly partitions: Gauge;
  readonly api: Counter<'route' | 'status'>;
}

export function createAuditMetrics(options: { defaultMetrics?: boolean } = {}): AuditMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true)
    collectDefaultMetrics({ register: registry, prefix: 'tributary_audit_' });
  const registers = [registry];
  return {
    registry,
    events: new Counter({
      name: 'tributary_audit_events_total',
      help: 'Audit events by result: indexed (new), replayed (already indexed), duplicate (event.id seen before), invalid (dead-lettered).',
      labelNames: ['result'],
      registers,
    }),
    invalid: new Counter({
      name: 'tributary_audit_invalid_events_total',
      help: 'Events sent to the dead-letter topic, by kind (oversized, malformed, invalid).',
      labelNames: ['kind'],
      registers,
    }),
    digests: new Counter({
      name: 'tributary_audit_digests_total',
      help: 'Signed digests written.',
      registers,
    }),
    alerts: new Counter({
      name: 'tributary_audit_alerts_total',
      help: 'New alerts raised, by rule.',
      labelNames: ['rule'],
      registers,
    }),
    webhooks: new Counter({
      name: 'tributary_audit_webhook_deliveries_total',
      help: 'Alert webhook attempts by result (delivered, retry, failed).',
      labelNames: ['result'],
      registers,
    }),
    recoveries: new Counter({
      name: 'tributary_audit_chain_recoveries_total',
      help: 'Partition states rebuilt from Elasticsearch (assignment, rebalance, restart).',
      registers,
    }),
    divergences: new Counter({
      name: 'tributary_audit_chain_divergences_total',
      help: 'Replayed offsets whose indexed chain link differs from the recomputed one (the indexed one is kept). Investigate any.',
      registers,
    }),
    esRetries: new Counter({
      name: 'tributary_audit_elasticsearch_retries_total',
      help: 'Documents re-sent to Elasticsearch after a transient failure.',
      registers,
    }),
    batchSeconds: new Histogram({
      name: 'tributary_audit_batch_seconds',
      help: 'Time to process one Kafka batch of one partition (validate, chain, index, rules).',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    partitions: new Gauge({
      name: 'tributary_audit_partitions_assigned',
      help: 'Partitions this instance owns.',
      registers,
    }),
    api: new Counter({
      name: 'tributary_audit_api_requests_total',
      help: 'Query API requests by route and status.',
      labelNames: ['route', 'status'],
      registers,
    }),
  };
}

// collector.yaml: the whole collector's schema. Each component owns its section's schema; this file
// only assembles them, so a component's README table and its validation come from one place.
import { z } from 'zod';
import { duration, loadYamlConfig, size, type ConfigInput } from '../common/config/index.ts';
import { httpConfigSchema } from './http/config.ts';
import { ecsConfigSchema } from './processors/ecs/index.ts';
import { routeConfigSchema } from './processors/route/index.ts';
import { forwardReceiverConfigSchema } from './receivers/forward/config.ts';
import { zipkinReceiverConfigSchema } from './receivers/zipkin/config.ts';
import { elasticsearchExporterConfigSchema } from './exporters/elasticsearch/config.ts';
import { kafkaExporterConfigSchema } from './exporters/kafka/config.ts';
import { zipkinExporterConfigSchema } from './exporters/zipkin/config.ts';

export const queueConfigSchema = z.strictObject({
  path: z
    .string()
    .min(1)
    .default('/var/lib/tributary/collector/queue')
    .describe('Directory of the durable queue (one collector per directory).'),
  fsync: z
    .enum(['always', 'interval', 'never'])
    .default('always')
    .describe(
      '`always`: ack only after fsync (group commit). `interval`: fsync every `fsync_interval`, ack after it. `never`: ack after write (survives a process crash, not a power loss).',
    ),
  fsync_interval: duration().prefault('100ms').describe('With `fsync: interval`.'),
  max_bytes: size()
    .prefault('1GiB')
    .describe(
      'Unexported data on disk beyond which receivers push back (Forward stops acking, HTTP answers 503).',
    ),
  segment_bytes: size().prefault('64MiB').describe('Size at which a new segment file is started.'),
});

export const serviceConfigSchema = z.strictObject({
  log_level: z
    .enum(['debug', 'info', 'warn', 'error'])
    .default('info')
    .describe("The collector's own log level."),
  shutdown_timeout: duration()
    .prefault('30s')
    .describe(
      'On SIGTERM: time to finish in-flight requests and drain exporters; the rest stays queued on disk.',
    ),
});

const exportBatch = {
  max_batch_records: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Queue records (received batches) per delivery.'),
  max_batch_bytes: size().optional().describe('Queue bytes per delivery.'),
};

export const discardExporterConfigSchema = z
  .strictObject({ ...exportBatch })
  .describe('Discards everything (benchmarks).');

export const collectorConfigSchema = z.strictObject({
  receivers: z
    .strictObject({
      forward: forwardReceiverConfigSchema.prefault({}),
      zipkin: zipkinReceiverConfigSchema.prefault({}),
    })
    .prefault({}),
  http: httpConfigSchema.prefault({}),
  queue: queueConfigSchema.prefault({}),
  processors: z
    .strictObject({
      ecs: ecsConfigSchema.prefault({}),
      route: routeConfigSchema.prefault({}),
    })
    .prefault({}),
  exporters: z
    .strictObject({
      elasticsearch: elasticsearchExporterConfigSchema
        .optional()
        .describe(
          'Logs and spans as ECS documents into data streams, idempotently (`create`, `_id` = `event.id`).',
        ),
      zipkin: zipkinExporterConfigSchema.optional().describe('Spans to a Zipkin server (v2 API).'),
      kafka: kafkaExporterConfigSchema
        .optional()
        .describe('Audit-flagged events to a Kafka topic, keyed by actor.'),
      discard: discardExporterConfigSchema.optional(),
    })
    .refine((e) => Object.values(e).some((v) => v !== undefined), 'configure at least one exporter'),
  service: serviceConfigSchema.prefault({}),
});

export type CollectorConfig = z.output<typeof collectorConfigSchema>;

export function loadCollectorConfig(input: ConfigInput, env?: NodeJS.ProcessEnv): CollectorConfig {
  return loadYamlConfig(input, collectorConfigSchema, env === undefined ? {} : { env });
}

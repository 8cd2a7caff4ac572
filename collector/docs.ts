// The collector's config reference, generated from the schemas (one source for validation and docs).
//   node collector/docs.ts          prints it
//   node collector/docs.ts --write  rewrites the marked region of collector/README.md
import { join } from 'node:path';
import { configReference } from '../common/config/index.ts';
import type { ConfigSection } from '../common/config/index.ts';
import { httpConfigSchema } from './http/config.ts';
import { discardExporterConfigSchema, queueConfigSchema, serviceConfigSchema } from './config.ts';
import { elasticsearchExporterConfigSchema } from './exporters/elasticsearch/config.ts';
import { kafkaExporterConfigSchema } from './exporters/kafka/config.ts';
import { zipkinExporterConfigSchema } from './exporters/zipkin/config.ts';
import { ecsConfigSchema } from './processors/ecs/index.ts';
import { routeConfigSchema } from './processors/route/index.ts';
import { forwardReceiverConfigSchema } from './receivers/forward/config.ts';
import { zipkinReceiverConfigSchema } from './receivers/zipkin/config.ts';

const SECTIONS: readonly ConfigSection[] = [
  ['receivers.forward', forwardReceiverConfigSchema],
  ['receivers.zipkin', zipkinReceiverConfigSchema],
  ['http', httpConfigSchema],
  ['queue', queueConfigSchema],
  ['processors.ecs', ecsConfigSchema],
  ['processors.route', routeConfigSchema],
  ['exporters.elasticsearch', elasticsearchExporterConfigSchema],
  ['exporters.zipkin', zipkinExporterConfigSchema],
  ['exporters.kafka', kafkaExporterConfigSchema],
  ['exporters.discard', discardExporterConfigSchema],
  ['service', serviceConfigSchema],
];

export const reference = configReference({
  readme: join(import.meta.dirname, 'README.md'),
  script: 'collector/docs.ts',
  sections: SECTIONS,
});

if (import.meta.main) reference.main(process.argv);

// Builds the configured exporters. Adding an exporter = a folder with config, sink and exporter.ts,
// one entry here and one key in collector/config.ts.
import { join } from 'node:path';
import type { Logger } from '../../common/log/logger.ts';
import type { CollectorConfig } from '../config.ts';
import { FileDeadLetterStore, type DeadLetterStore } from '../pipeline/dead-letter.ts';
import { ecsOptions } from '../processors/ecs/index.ts';
import { createRouter } from '../processors/route/index.ts';
import { createDiscardExporter } from './discard/exporter.ts';
import { createElasticsearchExporter } from './elasticsearch/exporter.ts';
import type { Exporter } from './exporter.ts';
import { createKafkaExporter } from './kafka/exporter.ts';
import { createZipkinExporter } from './zipkin/exporter.ts';

export function createExporters(config: CollectorConfig, logger: Logger): Exporter[] {
  const section = config.exporters;
  const router = createRouter(config.processors.route);
  const normalise = ecsOptions(config.processors.ecs, router.isAuditTag);
  const exporters: Exporter[] = [];
  let deadLetters: DeadLetterStore = new FileDeadLetterStore(join(config.queue.path, 'dead-letter.ndjson'));
  if (section.elasticsearch !== undefined) {
    const elasticsearch = createElasticsearchExporter(section.elasticsearch, {
      logger: logger.child({ exporter: 'elasticsearch' }),
      normalise,
    });
    exporters.push(elasticsearch.exporter);
    deadLetters = elasticsearch.deadLetters;
  }
  if (section.zipkin !== undefined) {
    exporters.push(
      createZipkinExporter(section.zipkin, { logger: logger.child({ exporter: 'zipkin' }), deadLetters }),
    );
  }
  if (section.kafka !== undefined) {
    exporters.push(
      createKafkaExporter(section.kafka, {
        logger: logger.child({ exporter: 'kafka' }),
        deadLetters,
        router,
        normalise: normalise.log,
      }),
    );
  }
  if (section.discard !== undefined) exporters.push(createDiscardExporter(section.discard));
  return exporters;
}

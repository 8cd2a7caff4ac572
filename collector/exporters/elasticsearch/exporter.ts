// Queue records -> ECS documents -> the Elasticsearch sink. Logs go to `logs-<service>-<namespace>`,
// spans to `traces-zipkin-<namespace>`, each with `_id = event.id`. The sink's dead-letter data stream
// also takes the other exporters' dead letters.
import type { Logger } from '../../../common/log/logger.ts';
import { decodeBatch, KIND_LOGS } from '../../pipeline/batch-record.ts';
import { deadLetterId, type DeadLetterStore } from '../../pipeline/dead-letter.ts';
import { logDocuments, parseSpans, spanDocuments, type NormaliseOptions } from '../../pipeline/documents.ts';
import { dataStreamName, type EcsDocument } from '../../processors/ecs/index.ts';
import type { Exporter } from '../exporter.ts';
import type { BulkDocument } from './bulk.ts';
import type { ElasticsearchExporterConfig } from './config.ts';
import { deadLetterDocument } from './dead-letter.ts';
import { ElasticsearchSink } from './sink.ts';

function bulkDocument(doc: EcsDocument): BulkDocument {
  const { type, dataset, namespace } = doc.data_stream;
  return { index: dataStreamName(type, dataset, namespace), id: doc.event.id, source: JSON.stringify(doc) };
}

export function createElasticsearchExporter(
  config: ElasticsearchExporterConfig,
  deps: { logger: Logger; normalise: NormaliseOptions },
): { exporter: Exporter; deadLetters: DeadLetterStore } {
  const sink = new ElasticsearchSink(config, { logger: deps.logger });
  const exporter: Exporter = {
    name: 'elasticsearch',
    // Queue bytes are msgpack; as ECS JSON they grow about 3.5x. A quarter of the bulk size per
    // delivery keeps one delivery near one bulk request and the decoded working set small.
    batch: {
      maxBatchRecords: 1000,
      maxBatchBytes: Math.max(64 * 1024, Math.floor(config.max_batch_bytes / 4)),
      flushIntervalMs: config.flush_interval,
    },
    start: () => sink.start(),
    shutdown: () => sink.shutdown(),
    deliver: async (records, signal) => {
      const docs: BulkDocument[] = [];
      for (const record of records) {
        const batch = decodeBatch(record.payload);
        const ecs =
          batch.kind === KIND_LOGS
            ? logDocuments(batch, deps.normalise.log)
            : spanDocuments(parseSpans(batch), deps.normalise.span);
        for (const doc of ecs) docs.push(bulkDocument(doc));
      }
      if (docs.length === 0) return { delivered: 0 };
      const result = await sink.write(docs, signal);
      return {
        delivered: result.created,
        duplicates: result.duplicates,
        deadLettered: result.deadLettered,
        retries: result.retries,
        dropped: result.dropped ?? 0,
      };
    },
  };
  const maxOriginal = Math.floor(config.max_batch_bytes / 8);
  const deadLetters: DeadLetterStore = {
    async write(letters, signal) {
      if (letters.length === 0) return;
      const docs = letters.map((letter) =>
        deadLetterDocument(
          {
            doc: { index: `exporter:${letter.exporter}`, id: deadLetterId(letter), source: letter.original },
            status: 0,
            type: `${letter.exporter}_rejected`,
            reason: letter.reason,
          },
          config.dead_letter.data_stream,
          maxOriginal,
        ),
      );
      await sink.write(docs, signal);
    },
  };
  return { exporter, deadLetters };
}

// Queue records -> the Zipkin sink: span batches are re-sent as received; log batches are skipped.
import type { Logger } from '../../../common/log/logger.ts';
import { decodeBatch, KIND_SPANS } from '../../pipeline/batch-record.ts';
import type { DeadLetterStore } from '../../pipeline/dead-letter.ts';
import { parseSpans } from '../../pipeline/documents.ts';
import type { Exporter } from '../exporter.ts';
import type { ZipkinExporterConfig } from './config.ts';
import { ZipkinSink } from './sink.ts';

export function createZipkinExporter(
  config: ZipkinExporterConfig,
  deps: { logger: Logger; deadLetters: DeadLetterStore },
): Exporter {
  const sink = new ZipkinSink(config, { logger: deps.logger });
  return {
    name: 'zipkin',
    batch: { maxBatchRecords: 64, maxBatchBytes: config.max_batch_bytes },
    start: () => sink.start(),
    shutdown: () => sink.shutdown(),
    deliver: async (records, signal) => {
      const spans: string[] = [];
      for (const record of records) {
        const batch = decodeBatch(record.payload);
        if (batch.kind === KIND_SPANS) for (const span of parseSpans(batch)) spans.push(JSON.stringify(span));
      }
      if (spans.length === 0) return { delivered: 0 };
      const result = await sink.send(spans, signal);
      const letters = result.rejected.flatMap((r) =>
        r.spans.map((original) => ({ exporter: 'zipkin', reason: r.reason, original })),
      );
      await deps.deadLetters.write(letters, signal);
      return { delivered: result.sent, deadLettered: letters.length, retries: result.retries };
    },
  };
}

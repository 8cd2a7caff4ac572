// Discards everything after reading it from the queue (Fluent Bit's `null` output; named so because YAML reads a bare `null` key as null): for benchmarks
// of the ingest path and for pipelines that only need some destinations.
import { decodeBatch, KIND_LOGS } from '../../pipeline/batch-record.ts';
import type { Exporter } from '../exporter.ts';

export interface DiscardExporterConfig {
  max_batch_records?: number | undefined;
  max_batch_bytes?: number | undefined;
}

export function createDiscardExporter(config: DiscardExporterConfig = {}): Exporter {
  return {
    name: 'discard',
    batch: {
      maxBatchRecords: config.max_batch_records ?? 10_000,
      maxBatchBytes: config.max_batch_bytes ?? 64 * 1024 * 1024,
    },
    start: async () => undefined,
    deliver: async (records) => {
      let delivered = 0;
      for (const record of records) {
        const batch = decodeBatch(record.payload);
        delivered += batch.kind === KIND_LOGS ? batch.entryCount : batch.spanCount;
      }
      return { delivered };
    },
    shutdown: async () => undefined,
  };
}

// An exporter that decodes what it is given and keeps it, so that tests can see exactly what went
// through the collector's queue. Used only to test receivers; destinations have their own real tests.
import type { Exporter } from '../../collector/exporters/exporter.ts';
import { decodeBatch, KIND_LOGS } from '../../collector/pipeline/batch-record.ts';
import { logDocuments, parseSpans } from '../../collector/pipeline/documents.ts';
import {
  DEFAULT_LOG_OPTIONS,
  type EcsDocument,
  type ZipkinSpan,
} from '../../collector/processors/ecs/index.ts';

export interface RecordingExporter extends Exporter {
  logs: EcsDocument[];
  tags: string[];
  spans: ZipkinSpan[];
  /** Resolves once at least `count` log documents arrived. */
  waitForLogs(count: number, timeoutMs?: number): Promise<void>;
}

export function createRecordingExporter(name = 'recording'): RecordingExporter {
  const waiters: { count: number; resolve: () => void }[] = [];
  const exporter: RecordingExporter = {
    name,
    batch: { maxBatchRecords: 100, maxBatchBytes: 1 << 22 },
    logs: [],
    tags: [],
    spans: [],
    start: async () => undefined,
    shutdown: async () => undefined,
    deliver: async (records) => {
      let delivered = 0;
      for (const record of records) {
        const batch = decodeBatch(record.payload);
        if (batch.kind === KIND_LOGS) {
          const docs = logDocuments(batch, DEFAULT_LOG_OPTIONS);
          exporter.logs.push(...docs);
          exporter.tags.push(...docs.map(() => batch.tag));
          delivered += docs.length;
        } else {
          const spans = parseSpans(batch);
          exporter.spans.push(...spans);
          delivered += spans.length;
        }
      }
      for (const waiter of waiters.filter((w) => exporter.logs.length >= w.count)) waiter.resolve();
      return { delivered };
    },
    waitForLogs: (count, timeoutMs = 15_000) =>
      exporter.logs.length >= count
        ? Promise.resolve()
        : new Promise((resolve, reject) => {
            const timer = setTimeout(
              () => reject(new Error(`only ${exporter.logs.length} of ${count} log events arrived`)),
              timeoutMs,
            );
            waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
          }),
  };
  return exporter;
}

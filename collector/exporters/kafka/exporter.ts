// Queue records -> audit events -> the Kafka sink. Only audit-flagged events go to Kafka; a batch
// whose tag is not an audit tag and whose bytes never mention "audit" is skipped without decoding.
import type { Logger } from '../../../common/log/logger.ts';
import { decodeBatch, KIND_LOGS } from '../../pipeline/batch-record.ts';
import type { DeadLetterStore } from '../../pipeline/dead-letter.ts';
import { logDocuments } from '../../pipeline/documents.ts';
import type { NormaliseLogOptions } from '../../processors/ecs/index.ts';
import type { Router } from '../../processors/route/index.ts';
import type { Exporter } from '../exporter.ts';
import type { KafkaExporterConfig } from './config.ts';
import { KafkaSink } from './sink.ts';

const AUDIT = Buffer.from('audit');

export function createKafkaExporter(
  config: KafkaExporterConfig,
  deps: { logger: Logger; deadLetters: DeadLetterStore; router: Router; normalise: NormaliseLogOptions },
): Exporter {
  const sink = new KafkaSink(config, { logger: deps.logger });
  return {
    name: 'kafka',
    batch: { maxBatchRecords: 256, maxBatchBytes: 16 * 1024 * 1024 },
    start: () => sink.start(),
    shutdown: () => sink.shutdown(),
    deliver: async (records, signal) => {
      const messages: { key: string | null; value: string; headers: Record<string, string> }[] = [];
      for (const record of records) {
        const batch = decodeBatch(record.payload);
        if (batch.kind !== KIND_LOGS) continue;
        if (!deps.router.isAuditTag(batch.tag) && batch.entries.indexOf(AUDIT) === -1) continue;
        for (const doc of logDocuments(batch, deps.normalise)) {
          if (!deps.router.route(doc).includes('kafka')) continue;
          // The actor is the key: one actor's operations stay in order within a partition.
          messages.push({
            key: doc.user?.id ?? doc.user?.name ?? null,
            value: JSON.stringify(doc),
            headers: { 'event.id': doc.event.id },
          });
        }
      }
      if (messages.length === 0) return { delivered: 0 };
      const result = await sink.send(messages, signal);
      const letters = result.rejected.map((r) => ({
        exporter: 'kafka',
        reason: r.reason,
        original: String(r.message.value),
      }));
      await deps.deadLetters.write(letters, signal);
      return { delivered: result.sent, deadLettered: letters.length, retries: result.retries };
    },
  };
}

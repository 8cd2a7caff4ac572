// Turns queue records back into ECS documents, after the queue (never on the ack path).
// Shared by the exporters that index or forward normalised events (Elasticsearch, Kafka).
import { parseEventStream } from '../../common/forward/index.ts';
import {
  normaliseLog,
  normaliseSpan,
  type EcsDocument,
  type NormaliseLogOptions,
  type NormaliseSpanOptions,
  type ZipkinSpan,
} from '../processors/ecs/index.ts';
import type { LogBatch, SpanBatch } from './batch-record.ts';

export interface NormaliseOptions {
  log: NormaliseLogOptions;
  span: NormaliseSpanOptions;
}

/**
 * One document per Forward entry. Without an `event.id` in the record, the id derives from the
 * sender's chunk id and the entry's index (stable when the sender retries the chunk); without a chunk
 * id, from the event's content — never from the queue position, which restarts with a new queue.
 */
export function logDocuments(batch: LogBatch, options: NormaliseLogOptions): EcsDocument[] {
  const frame = parseEventStream(batch.tag, batch.entries);
  const docs = new Array<EcsDocument>(frame.entryCount);
  for (let i = 0; i < frame.entryCount; i++) {
    const entry = frame.decodeEntry(i);
    const event = { tag: batch.tag, time: entry.time, record: entry.record };
    docs[i] =
      batch.chunk === undefined
        ? normaliseLog(event, options)
        : normaliseLog(event, options, { chunk: batch.chunk, index: i });
  }
  return docs;
}

/** Spans as received (already validated by the receiver). */
export function parseSpans(batch: SpanBatch): ZipkinSpan[] {
  return JSON.parse(batch.json.toString('utf8')) as ZipkinSpan[];
}

export function spanDocuments(spans: readonly ZipkinSpan[], options: NormaliseSpanOptions): EcsDocument[] {
  return spans.map((span) => normaliseSpan(span, options));
}

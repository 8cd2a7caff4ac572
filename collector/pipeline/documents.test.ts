import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventTime, encodeEventStream } from '../../common/forward/index.ts';
import { DEFAULT_LOG_OPTIONS, DEFAULT_SPAN_OPTIONS } from '../processors/ecs/index.ts';
import { decodeBatch, encodeLogBatch, encodeSpanBatch, KIND_LOGS, KIND_SPANS } from './batch-record.ts';
import { logDocuments, parseSpans, spanDocuments } from './documents.ts';

const entries = (n: number) =>
  encodeEventStream(
    Array.from({ length: n }, (_, i) => ({
      time: new EventTime(1_795_000_000 + i, 123_456_789),
      record: {
        message: `line ${i}`,
        level: 'warn',
        service: 'orders',
        trace_id: '0af7651916cd43dd8448eb211c80319c',
      },
    })),
  );

test('log batches become ECS documents with nanosecond timestamps and stable ids', () => {
  const batch = decodeBatch(encodeLogBatch('app.orders', 'chunk-1', 3, entries(3)));
  assert.equal(batch.kind, KIND_LOGS);
  if (batch.kind !== KIND_LOGS) return;
  const docs = logDocuments(batch, DEFAULT_LOG_OPTIONS);
  assert.equal(docs.length, 3);
  assert.equal(docs[0]?.message, 'line 0');
  assert.equal(docs[0]?.log?.level, 'warn');
  assert.equal(docs[0]?.service?.name, 'orders');
  assert.equal(docs[0]?.trace?.id, '0af7651916cd43dd8448eb211c80319c');
  assert.match(docs[1]?.['@timestamp'] ?? '', /\.123456789Z$/);
  // The same chunk replayed gives the same ids; another chunk gives others.
  const again = logDocuments(batch, DEFAULT_LOG_OPTIONS).map((d) => d.event.id);
  assert.deepEqual(
    again,
    docs.map((d) => d.event.id),
  );
  const other = decodeBatch(encodeLogBatch('app.orders', 'chunk-2', 3, entries(3)));
  if (other.kind === KIND_LOGS)
    assert.notEqual(logDocuments(other, DEFAULT_LOG_OPTIONS)[0]?.event.id, docs[0]?.event.id);
  assert.equal(new Set(docs.map((d) => d.event.id)).size, 3);
});

test('span batches parse back and normalise', () => {
  const json = Buffer.from(
    JSON.stringify([
      {
        traceId: '463ac35c9f6413ad',
        id: 'a2fb4a1d1a96d312',
        name: 'get',
        timestamp: 1_700_000_000_000_000,
        duration: 250,
        localEndpoint: { serviceName: 'web' },
      },
    ]),
  );
  const batch = decodeBatch(encodeSpanBatch(1, json));
  assert.equal(batch.kind, KIND_SPANS);
  if (batch.kind !== KIND_SPANS) return;
  const spans = parseSpans(batch);
  const [doc] = spanDocuments(spans, DEFAULT_SPAN_OPTIONS);
  assert.equal(doc?.service?.name, 'web');
  assert.equal(doc?.event.duration, 250_000);
});

// The collector end to end against the real servers: Forward and Zipkin in; Elasticsearch, Zipkin
// and Kafka out, field for field; bad records dead-lettered with their reason.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@elastic/elasticsearch';
import { Kafka, logLevel } from 'kafkajs';
import { ensureStack, type StackEndpoints } from '../support/stack.ts';
import { startTestCollector, type TestCollector } from '../support/collector.ts';
import { deleteDataStreams, waitForCount } from '../support/es.ts';
import { ForwardTestClient } from '../support/forward-client.ts';
import { EventTime } from '../../common/forward/index.ts';

const run = randomBytes(4).toString('hex');
const service = `itest${run}`;
const topic = `itest-audit-${run}`;
let stack: StackEndpoints;
let es: Client;
let collector: TestCollector;

before(async () => {
  stack = await ensureStack();
  es = new Client({ node: stack.elasticsearchUrl });
  collector = await startTestCollector({
    processors: { route: { audit: { tags: ['audit.*'] } } },
    exporters: {
      elasticsearch: { endpoints: [stack.elasticsearchUrl], templates: { replicas: 0 } },
      zipkin: { endpoint: stack.zipkinUrl },
      kafka: { brokers: stack.kafkaBrokers, topic, partitions: 3 },
    },
  });
});

after(async () => {
  await collector?.stop();
  await deleteDataStreams(es, `logs-${service}-*`);
  const kafka = new Kafka({ brokers: stack.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
  await kafka.connect();
  await kafka.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await kafka.disconnect();
  await es?.close();
});

/** Sends records under one tag in one acked PackedForward frame (fluent-logger interop has its own test). */
async function send(tag: string, records: Record<string, unknown>[]): Promise<void> {
  const client = await ForwardTestClient.connect(collector.forwardPort);
  try {
    await client.send(
      tag,
      records.map((record) => ({ time: EventTime.now(), record })),
    );
  } finally {
    client.close();
  }
}

test('logs over Forward land in Elasticsearch as ECS documents, field for field', async () => {
  const traceId = randomBytes(16).toString('hex');
  await send(
    'app.orders',
    Array.from({ length: 20 }, (_, i) => ({
      message: `order ${i} created`,
      level: i === 7 ? 'error' : 'info',
      service,
      trace_id: traceId,
      span_id: randomBytes(8).toString('hex'),
      order: { id: i, total: 9.5 },
    })),
  );
  const stream = `logs-${service}-default`;
  assert.equal(await waitForCount(es, stream, { term: { 'trace.id': traceId } }, 20), 20);
  const found = await es.search<Record<string, unknown>>({
    index: stream,
    query: { term: { 'log.level': 'error' } },
  });
  assert.equal(found.hits.hits.length, 1);
  const doc = found.hits.hits[0]?._source as {
    message: string;
    service: { name: string };
    trace: { id: string };
    order: { id: number; total: number };
    event: { id: string };
    '@timestamp': string;
  };
  assert.equal(doc.message, 'order 7 created');
  assert.equal(doc.service.name, service);
  assert.equal(doc.trace.id, traceId);
  assert.deepEqual(doc.order, { id: 7, total: 9.5 });
  assert.equal(found.hits.hits[0]?._id, doc.event.id, '_id is the event id (idempotent writes)');
  assert.match(doc['@timestamp'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
});

test('spans over Zipkin HTTP land in Zipkin unchanged and in Elasticsearch as ECS', async () => {
  const traceId = randomBytes(16).toString('hex');
  const root = randomBytes(8).toString('hex');
  const now = Date.now() * 1000;
  const spans = [
    {
      traceId,
      id: root,
      name: 'post /orders',
      kind: 'SERVER',
      timestamp: now,
      duration: 2500,
      localEndpoint: { serviceName: service },
      tags: { 'http.method': 'POST' },
    },
    {
      traceId,
      id: randomBytes(8).toString('hex'),
      parentId: root,
      name: 'insert',
      kind: 'CLIENT',
      timestamp: now + 10,
      duration: 900,
      localEndpoint: { serviceName: service },
      remoteEndpoint: { serviceName: 'postgres' },
    },
  ];
  const response = await fetch(`${collector.httpUrl}/api/v2/spans`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spans),
  });
  assert.equal(response.status, 202);

  let trace: { id: string; parentId?: string; name: string; tags?: Record<string, string> }[] = [];
  for (let i = 0; i < 100 && trace.length < 2; i++) {
    const r = await fetch(`${stack.zipkinUrl}/api/v2/trace/${traceId}`);
    if (r.status === 200) trace = (await r.json()) as typeof trace;
    else await sleep(200);
  }
  assert.equal(trace.length, 2);
  assert.equal(trace.find((s) => s.id === root)?.tags?.['http.method'], 'POST');

  assert.equal(await waitForCount(es, 'traces-zipkin-default', { term: { 'trace.id': traceId } }, 2), 2);
  const child = await es.search<{
    parent: { id: string };
    span: { name: string };
    event: { duration: number };
    service: { name: string };
  }>({
    index: 'traces-zipkin-default',
    query: { bool: { filter: [{ term: { 'trace.id': traceId } }, { term: { 'parent.id': root } }] } },
  });
  const source = child.hits.hits[0]?._source;
  assert.equal(source?.span.name, 'insert');
  assert.equal(source?.event.duration, 900_000, 'microseconds become nanoseconds');
  assert.equal(source?.service.name, service);
});

test('audit events (by tag or by `audit: true`) also go to Kafka, keyed by actor', async () => {
  const kafka = new Kafka({ brokers: stack.kafkaBrokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `itest-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: { key: string; value: Record<string, unknown> }[] = [];
  void consumer.run({
    eachMessage: async ({ message }) => {
      received.push({
        key: message.key?.toString() ?? '',
        value: JSON.parse(message.value?.toString() ?? '{}') as Record<string, unknown>,
      });
    },
  });
  await send(
    'audit.orders',
    Array.from({ length: 5 }, (_, i) => ({
      message: `delete order ${i}`,
      service,
      event: { action: 'order.delete', outcome: 'success' },
      user: { id: `user-${i % 2}`, name: 'Ann' },
      audit_seq: i,
    })),
  );
  await send('app.orders', [
    {
      message: 'role granted',
      service,
      audit: true,
      event: { action: 'role.grant', outcome: 'failure' },
      user: { id: 'user-9' },
      audit_seq: 5,
    },
    { message: 'not an audit event', service, audit_seq: 6 },
  ]);

  for (let i = 0; i < 150 && received.length < 6; i++) await sleep(200);
  await sleep(500);
  await consumer.disconnect();
  assert.equal(received.length, 6, 'five by tag, one by flag, the plain event not');
  const seqs = received.map((m) => m.value.audit_seq).sort();
  assert.deepEqual(seqs, [0, 1, 2, 3, 4, 5]);
  const grant = received.find((m) => m.value.audit_seq === 5);
  assert.equal(grant?.key, 'user-9');
  assert.deepEqual((grant?.value.event as { action: string }).action, 'role.grant');
  assert.ok(
    received.filter((m) => m.key === 'user-0').every((m) => (m.value.user as { id: string }).id === 'user-0'),
  );
});

test('a record Elasticsearch rejects goes to the dead-letter stream with the reason; the rest are indexed', async () => {
  const marker = `dlq-${run}`;
  await send('app.orders', [
    { message: `${marker} good`, service },
    { message: `${marker} bad`, service, event: { duration: 'not a number' } },
  ]);
  assert.equal(
    await waitForCount(es, `logs-${service}-default`, { match_phrase: { message: `${marker} good` } }, 1),
    1,
  );
  const dlq = 'logs-tributary.deadletter-default';
  assert.equal(await waitForCount(es, dlq, { match_phrase: { 'event.original': marker } }, 1), 1);
  const letter = await es.search<{ error: { type: string; message: string }; event: { original: string } }>({
    index: dlq,
    query: { match_phrase: { 'event.original': marker } },
  });
  const source = letter.hits.hits[0]?._source;
  assert.match(source?.error.type ?? '', /parsing|mapper/);
  assert.match(source?.event.original ?? '', /not a number/);
  assert.match(
    await collector.collector.metrics.registry.metrics(),
    /tributary_collector_dead_lettered_total\{exporter="elasticsearch"\} [1-9]/,
  );
});

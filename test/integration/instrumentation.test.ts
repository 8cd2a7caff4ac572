// The instrumentation package end to end against the real servers: the two example services run as
// child processes under `--import .../register`, ship spans to a collector's Zipkin endpoint and logs
// straight to its Forward port (the agent is optional here); the collector exports to the real
// Elasticsearch, Zipkin and Kafka.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@elastic/elasticsearch';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { ensureStack, type StackEndpoints } from '../support/stack.ts';
import { startTestCollector, type TestCollector } from '../support/collector.ts';
import { deleteDataStreams, waitForCount } from '../support/es.ts';
import { startChild, type Child } from '../../instrumentation/test-support/child.ts';

const run = randomBytes(4).toString('hex');
const ordersService = `itorders${run}`;
const inventoryService = `itinventory${run}`;
const topic = `itest-instrumentation-${run}`;
let stack: StackEndpoints;
let es: Client;
let collector: TestCollector;
let inventory: Child;
let orders: Child;
let consumer: Consumer;
const audits: { key: string; value: Record<string, unknown> }[] = [];

before(async () => {
  stack = await ensureStack();
  es = new Client({ node: stack.elasticsearchUrl });
  collector = await startTestCollector({
    exporters: {
      elasticsearch: { endpoints: [stack.elasticsearchUrl], templates: { replicas: 0 } },
      zipkin: { endpoint: stack.zipkinUrl },
      kafka: { brokers: stack.kafkaBrokers, topic, partitions: 1 },
    },
  });
  const env = {
    TRIBUTARY_ZIPKIN_URL: `${collector.httpUrl}/api/v2/spans`,
    TRIBUTARY_FORWARD_PORT: String(collector.forwardPort),
    OTEL_BSP_SCHEDULE_DELAY: '200',
    PORT: '0',
  };
  inventory = await startChild('examples/inventory.ts', {
    env: { ...env, OTEL_SERVICE_NAME: inventoryService },
  });
  orders = await startChild('examples/orders.ts', {
    env: { ...env, OTEL_SERVICE_NAME: ordersService, INVENTORY_URL: inventory.url },
  });
  consumer = new Kafka({ brokers: stack.kafkaBrokers, logLevel: logLevel.NOTHING }).consumer({
    groupId: `itest-${randomUUID()}`,
  });
  await consumer.connect();
  // The exporter creates the topic in the background; subscribing before it exists would fail.
  for (let i = 0; ; i++) {
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      break;
    } catch (error) {
      if (i > 100) throw error;
      await sleep(200);
    }
  }
  void consumer.run({
    eachMessage: async ({ message }) => {
      audits.push({
        key: message.key?.toString() ?? '',
        value: JSON.parse(message.value?.toString() ?? '{}') as Record<string, unknown>,
      });
    },
  });
});

after(async () => {
  await orders?.stop();
  await inventory?.stop();
  await consumer?.disconnect();
  await collector?.stop();
  if (es !== undefined) {
    await deleteDataStreams(es, `logs-${ordersService}-*`);
    await deleteDataStreams(es, `logs-${inventoryService}-*`);
    await es.close();
  }
  if (stack !== undefined) {
    const admin = new Kafka({ brokers: stack.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
});

interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  kind?: string;
  name: string;
  localEndpoint?: { serviceName?: string };
}

async function zipkinTrace(traceId: string, services: number): Promise<ZipkinSpan[]> {
  let spans: ZipkinSpan[] = [];
  for (let i = 0; i < 150; i++) {
    const response = await fetch(`${stack.zipkinUrl}/api/v2/trace/${traceId}`);
    if (response.status === 200) spans = (await response.json()) as ZipkinSpan[];
    else await response.arrayBuffer();
    if (new Set(spans.map((s) => s.localEndpoint?.serviceName)).size >= services) return spans;
    await sleep(200);
  }
  return spans;
}

test('a request to the orders service yields one trace in Zipkin spanning both services, and its logs in Elasticsearch', async () => {
  const traceId = randomBytes(16).toString('hex');
  const response = await fetch(`${orders.url}/orders/17`, {
    headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
  });
  assert.equal(response.status, 200, orders.output());
  await response.text();

  const spans = await zipkinTrace(traceId, 2);
  const byService = (name: string) => spans.filter((s) => s.localEndpoint?.serviceName === name);
  const ordersServer = byService(ordersService).find((s) => s.kind === 'SERVER');
  const ordersClient = byService(ordersService).find((s) => s.kind === 'CLIENT');
  const inventoryServer = byService(inventoryService).find((s) => s.kind === 'SERVER');
  assert.equal(ordersServer?.name, 'get /orders/:id', JSON.stringify(spans, null, 1));
  assert.equal(inventoryServer?.name, 'get /stock/:sku');
  assert.equal(inventoryServer?.parentId, ordersClient?.id, 'inventory continues the call from orders');

  for (const service of [ordersService, inventoryService]) {
    const stream = `logs-${service}-default`;
    assert.equal(await waitForCount(es, stream, { term: { 'trace.id': traceId } }, 1, 30_000), 1, stream);
    const found = await es.search<Record<string, unknown>>({
      index: stream,
      query: { term: { 'trace.id': traceId } },
    });
    const hit = found.hits.hits[0];
    // The collector nests the fields it maps (log.level, service.name, span.id, event.id); other
    // dotted keys stay as sent in _source, which Elasticsearch indexes as paths.
    const doc = hit?._source as {
      log: { level: string };
      service: { name: string };
      span: { id: string };
      event: { id: string };
      'http.route': string;
      'http.response.status_code': number;
    };
    assert.equal(doc.service.name, service);
    assert.equal(doc.log.level, 'info');
    assert.equal(doc['http.response.status_code'], 200);
    assert.equal(doc['http.route'], service === ordersService ? '/orders/:id' : '/stock/:sku');
    assert.equal(hit?._id, doc.event.id, 'the event id made at emit time is the document id');
    assert.ok(
      spans.some((s) => s.id === doc.span.id),
      `span.id ${doc.span.id} is one of the trace's spans`,
    );
  }
});

test('a POST yields audit events on Kafka (explicit audit() and the middleware), correlated with the trace', async () => {
  const traceId = randomBytes(16).toString('hex');
  const response = await fetch(`${orders.url}/orders`, {
    method: 'POST',
    headers: {
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      'content-type': 'application/json',
      'x-user-id': `user-${run}`,
      'x-user-name': 'Ann',
      'x-user-roles': 'clerk,admin',
    },
    body: JSON.stringify({ sku: 'sku-1', quantity: 2 }),
  });
  assert.equal(response.status, 201, orders.output());
  const { id } = (await response.json()) as { id: string };

  const mine = () => audits.filter((m) => (m.value['trace'] as { id?: string } | undefined)?.id === traceId);
  for (let i = 0; i < 200 && mine().length < 2; i++) await sleep(150);
  const events = mine();
  assert.equal(events.length, 2, JSON.stringify(audits));
  const created = events.find((m) => (m.value['service'] as { name: string }).name === ordersService);
  const reserved = events.find((m) => (m.value['service'] as { name: string }).name === inventoryService);
  assert.equal(created?.key, `user-${run}`, 'keyed by actor');
  assert.equal((created?.value['event'] as { action: string }).action, 'order.create');
  assert.equal((created?.value['event'] as { outcome: string }).outcome, 'success');
  assert.deepEqual(created?.value['user'], { id: `user-${run}`, name: 'Ann', roles: ['clerk', 'admin'] });
  assert.deepEqual((created?.value['audit'] as { resource: unknown }).resource, { type: 'order', id });
  assert.equal((created?.value['tributary'] as { audit: boolean }).audit, true);
  assert.equal((reserved?.value['event'] as { action: string }).action, 'POST /reservations');
  assert.equal((reserved?.value['source'] as { ip: string }).ip, '127.0.0.1');
  assert.equal((reserved?.value['user'] as { id: string }).id, `user-${run}`);
});

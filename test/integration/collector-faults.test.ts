// Fault tests against the real servers: the collector SIGKILLed mid-stream, and Elasticsearch, Zipkin
// and Kafka stopped for 60 s mid-stream. Every event is counted by sequence number at the far end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { EventTime } from '../../common/forward/index.ts';
import { stackDown, stackUp } from '../../cli/stack/stack.ts';
import { freePort, startCollectorProcess, type CollectorProcess } from '../support/collector-process.ts';
import { startTestCollector } from '../support/collector.ts';
import { exactlyOnce, valueCounts, waitForCount } from '../support/es.ts';
import { ForwardTestClient } from '../support/forward-client.ts';
import { sendNumberedEvents } from '../support/resending-sender.ts';
import { stackSession } from '../support/stack.ts';

const run = randomBytes(4).toString('hex');
const stack = stackSession(`logs-fault*${run}-*`);

test('SIGKILL the collector twice during 100k numbered events: every event in Elasticsearch exactly once', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-kill-'));
  const service = `faultkill${run}`;
  const forwardPort = await freePort();
  const config = [
    `receivers:\n  forward: { listen: 127.0.0.1, port: ${forwardPort} }`,
    `http: { listen: 127.0.0.1, port: ${await freePort()} }`,
    `queue: { path: ${join(dir, 'queue')}, fsync: always }`,
    `exporters:\n  elasticsearch:\n    endpoints: ['${stack.endpoints.elasticsearchUrl}']\n    templates: { replicas: 0 }`,
    'service: { shutdown_timeout: 20s }',
  ].join('\n');
  let collector: CollectorProcess = await startCollectorProcess(dir, config);
  t.after(async () => {
    await collector.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });
  const total = 100_000;
  const killAt = [30_000, 65_000];
  let kills = 0;
  let restarting: Promise<void> | undefined;
  const result = await sendNumberedEvents({
    port: () => forwardPort,
    tag: 'app.fault',
    total,
    perFrame: 500,
    window: 4,
    record: (seq) => ({ message: `event ${seq}`, service, seq }),
    onProgress: (acked) => {
      if (kills < killAt.length && acked >= (killAt[kills] as number) && restarting === undefined) {
        kills++;
        restarting = (async () => {
          await collector.kill('SIGKILL');
          await sleep(300);
          collector = await startCollectorProcess(dir, config);
          restarting = undefined;
        })();
      }
    },
  });
  while (restarting !== undefined) await restarting;
  assert.equal(kills, 2);
  t.diagnostic(
    `sender reconnected ${result.reconnects} times and sent ${result.framesAfterReconnect} frames after reconnecting`,
  );

  const stream = `logs-${service}-default`;
  assert.equal(await waitForCount(stack.es, stream, { match_all: {} }, total, 180_000), total);
  const { missing, duplicated } = exactlyOnce(await valueCounts(stack.es, stream, 'seq'), total);
  assert.deepEqual({ missing, duplicated }, { missing: 0, duplicated: 0 });
  assert.equal(await collector.kill('SIGTERM'), 0, 'a clean stop after the restarts');
});

test('Elasticsearch, Zipkin and Kafka stopped for 60 s mid-stream: nothing lost, nothing duplicated', async (t) => {
  const service = `faultout${run}`;
  const topic = `itest-outage-${run}`;
  const collector = await startTestCollector({
    exporters: {
      elasticsearch: {
        endpoints: [stack.endpoints.elasticsearchUrl],
        templates: { replicas: 0 },
        retry: { max_backoff: '2s' },
      },
      zipkin: { endpoint: stack.endpoints.zipkinUrl, retry: { max_backoff: '2s' } },
      kafka: { brokers: stack.endpoints.kafkaBrokers, topic, partitions: 3, retry: { max_backoff: '2s' } },
    },
    service: { shutdown_timeout: '20s' },
  });
  t.after(() => collector.stop());

  let seq = 0;
  const spansSentDuringOutage: { traceId: string; spans: number }[] = [];
  async function sendPhase(
    logs: number,
    audits: number,
    traces: number,
    duringOutage: boolean,
  ): Promise<void> {
    const client = await ForwardTestClient.connect(collector.forwardPort);
    for (let frame = 0; frame < logs / 500; frame++) {
      const records = Array.from({ length: 500 }, (_, i) => {
        const s = seq++;
        return i < audits / (logs / 500)
          ? {
              message: `audit ${s}`,
              service,
              seq: s,
              audit: true,
              event: { action: 'order.update', outcome: 'success' },
              user: { id: `u${s % 7}` },
            }
          : { message: `event ${s}`, service, seq: s };
      });
      await client.send(
        'app.outage',
        records.map((record) => ({ time: EventTime.now(), record })),
      );
    }
    client.close();
    for (let i = 0; i < traces; i++) {
      const traceId = randomBytes(16).toString('hex');
      const root = randomBytes(8).toString('hex');
      const spans = [
        {
          traceId,
          id: root,
          name: 'get',
          kind: 'SERVER',
          timestamp: Date.now() * 1000,
          duration: 10,
          localEndpoint: { serviceName: service },
        },
        {
          traceId,
          id: randomBytes(8).toString('hex'),
          parentId: root,
          name: 'db',
          timestamp: Date.now() * 1000,
          duration: 5,
          localEndpoint: { serviceName: service },
        },
      ];
      const r = await fetch(`${collector.httpUrl}/api/v2/spans`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(spans),
      });
      assert.equal(r.status, 202);
      if (duringOutage) spansSentDuringOutage.push({ traceId, spans: 2 });
    }
  }

  await sendPhase(5000, 500, 10, false);
  const stream = `logs-${service}-default`;
  assert.equal(
    await waitForCount(stack.es, stream, { match_all: {} }, 5000),
    5000,
    'first half indexed before the outage',
  );

  const down = Date.now();
  await stackDown({ only: ['elasticsearch', 'zipkin', 'kafka'] });
  await sendPhase(5000, 500, 10, true);
  await sleep(Math.max(0, 60_000 - (Date.now() - down)));
  assert.ok(
    (await collector.collector.metrics.registry.metrics()).includes('tributary_collector_export_lag_bytes'),
  );
  await stackUp({ only: ['elasticsearch', 'zipkin', 'kafka'] });
  t.diagnostic(`servers were down for ${((Date.now() - down) / 1000).toFixed(0)} s`);

  const total = seq;
  assert.equal(await waitForCount(stack.es, stream, { match_all: {} }, total, 180_000), total);
  assert.deepEqual(exactlyOnce(await valueCounts(stack.es, stream, 'seq'), total), {
    missing: 0,
    duplicated: 0,
  });

  for (const { traceId, spans } of spansSentDuringOutage) {
    let found = 0;
    for (let i = 0; i < 300 && found < spans; i++) {
      const r = await fetch(`${stack.endpoints.zipkinUrl}/api/v2/trace/${traceId}`);
      found = r.status === 200 ? ((await r.json()) as unknown[]).length : 0;
      if (found < spans) await sleep(200);
    }
    assert.equal(found, spans, `trace ${traceId} in Zipkin once, whole`);
  }

  const kafka = new Kafka({ brokers: stack.endpoints.kafkaBrokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `itest-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const audits = new Map<number, number>();
  let messages = 0;
  void consumer.run({
    eachMessage: async ({ message }) => {
      const { seq: s } = JSON.parse(message.value?.toString() ?? '{}') as { seq: number };
      audits.set(s, (audits.get(s) ?? 0) + 1);
      messages++;
    },
  });
  for (let i = 0; i < 300 && audits.size < 1000; i++) await sleep(200);
  await sleep(1000);
  await consumer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  assert.equal(audits.size, 1000, 'every audit event reached Kafka');
  assert.equal(messages, 1000, 'and none twice');
});

// The stack's Kafka is a real Kafka 3.9 broker: kafkajs produces, and consumes through a consumer group.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { ensureStack } from '../support/stack.ts';
import { logFileOf } from '../../cli/stack/stack.ts';

let kafka: Kafka;
let admin: Admin;
const topic = `itest-${randomUUID()}`;

before(async () => {
  const stack = await ensureStack();
  kafka = new Kafka({ clientId: 'tributary-itest', brokers: stack.kafkaBrokers, logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
});

after(async () => {
  await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin?.disconnect();
});

test('the broker is Kafka 3.9 in KRaft mode', async (t) => {
  const cluster = await admin.describeCluster();
  assert.equal(cluster.brokers.length, 1);
  const log = await readFile(logFileOf('kafka'), 'utf8');
  const version = [...log.matchAll(/Kafka version: (\S+)/g)].at(-1)?.[1] ?? '';
  t.diagnostic(`Kafka ${version} (${cluster.brokers.length} broker, controller ${cluster.controller})`);
  assert.match(version, /^3\.9\.\d+$/);
  assert.match(log, /KafkaRaftServer/);
});

test('produce keyed messages with acks=all, consume them all through a consumer group', async () => {
  await admin.createTopics({
    topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const messages = Array.from({ length: 30 }, (_, i) => ({
    key: `user-${i % 3}`,
    value: JSON.stringify({ seq: i }),
  }));
  await producer.send({ topic, acks: -1, messages });
  await producer.disconnect();

  const groupId = `itest-group-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: { key: string; seq: number; partition: number; offset: string }[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`only ${received.length} of 30 messages arrived`)),
      60_000,
    );
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ message, partition }) => {
          const { seq } = JSON.parse(message.value?.toString() ?? '{}') as { seq: number };
          received.push({ key: message.key?.toString() ?? '', seq, partition, offset: message.offset });
          if (received.length === messages.length) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  // Commit explicitly, as the audit service will once Elasticsearch has acknowledged.
  const next = new Map<number, bigint>();
  for (const m of received) {
    const after = BigInt(m.offset) + 1n;
    if (after > (next.get(m.partition) ?? 0n)) next.set(m.partition, after);
  }
  await consumer.commitOffsets(
    [...next].map(([partition, offset]) => ({ topic, partition, offset: offset.toString() })),
  );
  await consumer.disconnect();

  assert.deepEqual(
    received.map((m) => m.seq).sort((a, b) => a - b),
    messages.map((_, i) => i),
  );
  // One key, one partition: the order guarantee the audit exporter depends on.
  for (const key of ['user-0', 'user-1', 'user-2']) {
    const ofKey = received.filter((m) => m.key === key);
    assert.equal(new Set(ofKey.map((m) => m.partition)).size, 1);
    assert.deepEqual(
      ofKey.map((m) => m.seq),
      [...ofKey.map((m) => m.seq)].sort((a, b) => a - b),
    );
  }
  // The group committed its position: a restarted consumer would not read these again.
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  // A partition no key hashed to has no committed offset (-1).
  const total = (committed?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  assert.equal(total, messages.length);
});

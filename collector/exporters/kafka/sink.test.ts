import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import type { Admin, Kafka } from 'kafkajs';
import { ensureStack } from '../../../test/support/stack.ts';
import { kafkaExporterConfigSchema } from './config.ts';
import type { KafkaExporterConfigInput } from './config.ts';
import { errorTypes } from './errors.ts';
import { singleRecordBatchBytes } from './record-size.ts';
import { KafkaSink } from './sink.ts';
import type { ExporterLogger, KafkaOutMessage } from './sink.ts';

interface Logged {
  level: 'info' | 'warn' | 'error';
  msg: string;
  fields?: object;
}

function testLogger(): ExporterLogger & { readonly lines: Logged[] } {
  const lines: Logged[] = [];
  return {
    lines,
    info: (msg, fields) => lines.push({ level: 'info', msg, ...(fields ? { fields } : {}) }),
    warn: (msg, fields) => lines.push({ level: 'warn', msg, ...(fields ? { fields } : {}) }),
    error: (msg, fields) => lines.push({ level: 'error', msg, ...(fields ? { fields } : {}) }),
  };
}

interface Received {
  key: string | null;
  value: string;
  partition: number;
  offset: number;
}

async function waitFor(what: string, cond: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const auditEvent = (actor: string, seq: number, pad = 0): KafkaOutMessage => ({
  key: actor,
  value: JSON.stringify({ 'event.action': 'update', 'user.id': actor, seq, pad: 'x'.repeat(pad) }),
  headers: { 'event.id': `e-${seq}` },
});

const { ConfigResourceTypes, logLevel } = kafkajs;

describe('kafka exporter against the real Kafka', () => {
  let brokers: string[] = [];
  let kafka: Kafka;
  let admin: Admin;
  const topics: string[] = [];
  const sinks: KafkaSink[] = [];

  const newTopic = (): string => {
    const t = `test-exporter-${randomUUID()}`;
    topics.push(t);
    return t;
  };
  const make = (config: KafkaExporterConfigInput, logger: ExporterLogger = testLogger()): KafkaSink => {
    const s = new KafkaSink(
      kafkaExporterConfigSchema.parse({
        brokers,
        retry: { initial_backoff: '50ms', max_backoff: '500ms' },
        ...config,
      }),
      { logger },
    );
    sinks.push(s);
    return s;
  };

  /** Reads the whole topic back through a consumer group, until `count` messages arrived. */
  async function consume(topic: string, count: number): Promise<Received[]> {
    const consumer = kafka.consumer({ groupId: `test-exporter-${randomUUID()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      const received: Received[] = [];
      await consumer.run({
        eachMessage: async ({ message, partition }) => {
          received.push({
            key: message.key?.toString() ?? null,
            value: message.value?.toString() ?? '',
            partition,
            offset: Number(message.offset),
          });
        },
      });
      await waitFor(`${count} messages (have ${received.length})`, () => received.length >= count, 60_000);
      // A little longer, so that duplicates beyond `count` would show.
      await new Promise((r) => setTimeout(r, 300));
      return received;
    } finally {
      await consumer.disconnect();
    }
  }

  before(async () => {
    ({ kafkaBrokers: brokers } = await ensureStack());
    kafka = new kafkajs.Kafka({ clientId: 'tributary-exporter-test', brokers, logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
  });

  after(async () => {
    await Promise.all(sinks.map((s) => s.shutdown()));
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });

  it('start() creates the topic with the configured partitions, in the background', async () => {
    const topic = newTopic();
    const s = make({ topic, partitions: 4, topic_config: { 'retention.ms': '3600000' } });
    const started = Date.now();
    await s.start();
    assert.ok(Date.now() - started < 100, 'start() does not wait for Kafka');
    await waitFor('topic ensured', () => s.stats.ensures === 1);
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    assert.equal(meta.topics[0]?.partitions.length, 4);
    const cfg = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }],
      includeSynonyms: false,
    });
    assert.equal(cfg.resources[0]?.configEntries[0]?.configValue, '3600000');
    assert.equal(s.maxMessageBytes, 1048588, "Kafka's default max.message.bytes");

    // A second sink (another collector replica) finds the topic there: no error.
    const again = make({ topic, partitions: 8 });
    await again.start();
    await waitFor('second sink ensured', () => again.stats.ensures === 1);
    assert.equal((await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions.length, 4);
  });

  it('2,000 keyed messages all arrive; one key stays on one partition, in send order', async () => {
    const topic = newTopic();
    const s = make({ topic, partitions: 6, max_batch_messages: 300 });
    await s.start();
    const actors = Array.from({ length: 25 }, (_, i) => `user-${i}`);
    const messages = Array.from({ length: 2000 }, (_, seq) =>
      auditEvent(actors[seq % actors.length] ?? '', seq),
    );
    // Two sends, as the queue loop would make them: order must hold across sends too.
    const first = await s.send(messages.slice(0, 1100), AbortSignal.timeout(60_000));
    const second = await s.send(messages.slice(1100), AbortSignal.timeout(60_000));
    assert.deepEqual(first, { sent: 1100, rejected: [], retries: 0 });
    assert.deepEqual(second, { sent: 900, rejected: [], retries: 0 });
    assert.equal(s.stats.produceCalls, 7); // calls of at most 300: 1100 = 3×300 + 200, 900 = 3×300

    const received = await consume(topic, 2000);
    assert.equal(received.length, 2000);
    const seqs = new Set(received.map((r) => (JSON.parse(r.value) as { seq: number }).seq));
    assert.equal(seqs.size, 2000);
    const byKey = new Map<string, Received[]>();
    for (const r of received) byKey.set(r.key ?? '', [...(byKey.get(r.key ?? '') ?? []), r]);
    assert.equal(byKey.size, 25);
    const partitionsUsed = new Set<number>();
    for (const [key, rs] of byKey) {
      const partitions = new Set(rs.map((r) => r.partition));
      assert.equal(partitions.size, 1, `${key} on one partition`);
      partitionsUsed.add(rs[0]?.partition ?? -1);
      const inOffsetOrder = [...rs]
        .sort((a, b) => a.offset - b.offset)
        .map((r) => (JSON.parse(r.value) as { seq: number }).seq);
      assert.deepEqual(
        inOffsetOrder,
        [...inOffsetOrder].sort((a, b) => a - b),
        `${key} in send order`,
      );
    }
    assert.ok(partitionsUsed.size > 1, 'keys spread over partitions');
  });

  it('a message over max.message.bytes is rejected with the reason; the rest of the batch is sent', async () => {
    const topic = newTopic();
    const s = make({ topic, partitions: 3, topic_config: { 'max.message.bytes': '10000' } });
    await s.start();
    await waitFor('ensured', () => s.stats.ensures === 1);
    assert.equal(s.maxMessageBytes, 10000);

    // Pad a message to exactly the limit, as the broker measures it: it must go through.
    const padTo = (seq: number, bytes: number): KafkaOutMessage => {
      let pad = bytes - singleRecordBatchBytes(auditEvent('user-exact', seq));
      // Length varints grow with the value, so settle the padding by steps.
      while (singleRecordBatchBytes(auditEvent('user-exact', seq, pad)) > bytes) pad--;
      return auditEvent('user-exact', seq, pad);
    };
    const atLimit = padTo(1000, 10000);
    assert.equal(singleRecordBatchBytes(atLimit), 10000);
    const overByOne = padTo(1001, 10001);
    assert.equal(singleRecordBatchBytes(overByOne), 10001);
    const huge = auditEvent('user-big', 1002, 20000);
    const small = Array.from({ length: 30 }, (_, i) => auditEvent(`user-${i % 3}`, i));
    const batch = [
      ...small.slice(0, 10),
      huge,
      ...small.slice(10, 20),
      atLimit,
      overByOne,
      ...small.slice(20),
    ];

    const result = await s.send(batch, AbortSignal.timeout(30_000));
    assert.equal(result.sent, 31);
    assert.equal(result.retries, 0);
    assert.deepEqual(
      result.rejected.map((r) => r.message),
      [huge, overByOne],
    );
    assert.equal(
      result.rejected[0]?.reason,
      `message of ${singleRecordBatchBytes(huge)} bytes exceeds the topic's max.message.bytes 10000`,
    );
    assert.equal(
      result.rejected[1]?.reason,
      "message of 10001 bytes exceeds the topic's max.message.bytes 10000",
    );
    const received = await consume(topic, 31);
    assert.equal(received.length, 31);

    // The size arithmetic is the broker's: a plain producer sending the 10,001-byte message gets
    // MESSAGE_TOO_LARGE (and the 10,000-byte one above was accepted).
    const plain = kafka.producer({ retry: { retries: 0 } });
    await plain.connect();
    try {
      await assert.rejects(
        plain.send({ topic, acks: -1, messages: [{ ...overByOne, key: overByOne.key }] }),
        (err: unknown) => errorTypes(err).includes('MESSAGE_TOO_LARGE'),
      );
    } finally {
      await plain.disconnect();
    }
  });

  it("the broker's MESSAGE_TOO_LARGE (limit lowered behind the sink's back) isolates the offender", async () => {
    const topic = newTopic();
    const log = testLogger();
    const s = make({ topic, partitions: 3 }, log);
    await s.start();
    await waitFor('ensured', () => s.stats.ensures === 1);
    assert.equal(s.maxMessageBytes, 1048588);
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [{ name: 'max.message.bytes', value: '5000' }],
        },
      ],
    });
    const big = auditEvent('user-big', 500, 8000);
    const batch = [
      ...Array.from({ length: 12 }, (_, i) => auditEvent(`user-${i % 4}`, i)),
      big,
      auditEvent('user-1', 13),
    ];
    const result = await s.send(batch, AbortSignal.timeout(60_000));
    assert.equal(result.sent, 13);
    assert.equal(result.rejected.length, 1);
    assert.equal(result.rejected[0]?.message, big);
    assert.match(
      result.rejected[0]?.reason ?? '',
      /^message of 8\d{3} bytes exceeds the topic's max\.message\.bytes 5000/,
    );
    assert.equal(s.maxMessageBytes, 5000, 'the limit was re-read');
    assert.ok(s.stats.producerResets >= 1);
    assert.ok(log.lines.some((l) => /one by one/.test(l.msg)));
    // Every good message arrived; a partition that took its part of the first attempt may hold it twice.
    const received = await consume(topic, 13);
    const seqs = new Set(received.map((r) => (JSON.parse(r.value) as { seq: number }).seq));
    assert.equal(seqs.size, 13);
    assert.ok(!seqs.has(500));
  });

  it('Kafka unreachable: start() returns, send retries until aborted and rejects; the replay succeeds', async () => {
    const topic = newTopic();
    const log = testLogger();
    const down = make({ topic, brokers: [`127.0.0.1:${await closedPort()}`] }, log);
    const started = Date.now();
    await down.start();
    assert.ok(Date.now() - started < 100);
    const messages = Array.from({ length: 50 }, (_, i) => auditEvent(`user-${i % 5}`, i));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1500);
    await assert.rejects(down.send(messages, controller.signal), { name: 'AbortError' });
    assert.ok(Date.now() - started < 5000, 'the abort is honoured promptly');
    assert.equal(down.stats.messagesSent, 0);
    assert.ok(
      log.lines.some(
        (l) => /not ready yet/.test(l.msg) && /ECONNREFUSED|Connection error/i.test(JSON.stringify(l.fields)),
      ),
    );
    await down.shutdown();

    const up = make({ topic });
    await up.start();
    assert.deepEqual(await up.send(messages, AbortSignal.timeout(60_000)), {
      sent: 50,
      rejected: [],
      retries: 0,
    });
    const received = await consume(topic, 50);
    assert.equal(received.length, 50);
  });

  it('shutdown aborts an in-flight send; later calls reject', async () => {
    const s = make({ topic: newTopic(), brokers: [`127.0.0.1:${await closedPort()}`] });
    await s.start();
    const pending = s.send([auditEvent('u', 1)], new AbortController().signal);
    await new Promise((r) => setTimeout(r, 200));
    await s.shutdown();
    await assert.rejects(pending, { name: 'AbortError' });
    await assert.rejects(s.send([auditEvent('u', 2)], AbortSignal.timeout(1000)), /shut down/);
    await assert.rejects(s.start(), /shut down/);
  });
});

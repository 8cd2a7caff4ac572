// Shared by the audit service's tests and benchmark: a unique topic and namespace per run on the
// real local stack, collector-shaped events, and cleanup of exactly what the run created.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@elastic/elasticsearch';
import type { estypes } from '@elastic/elasticsearch';
import kafkajs from 'kafkajs';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { ensureStack } from '../../test/support/stack.ts';
import { generateSigningKeyPair } from '../chain/keys.ts';
import type { Json } from '../chain/hash.ts';
import { auditConfigSchema } from '../config.ts';
import type { AuditConfig, AuditConfigInput } from '../config.ts';
import { auditStreams } from '../store/names.ts';
import type { AuditStreams } from '../store/names.ts';

const { logLevel } = kafkajs;

export interface TestRun {
  readonly id: string;
  readonly topic: string;
  readonly deadLetterTopic: string;
  readonly namespace: string;
  readonly streams: AuditStreams;
  readonly brokers: string[];
  readonly esUrl: string;
  readonly es: Client;
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly producer: Producer;
  readonly dir: string;
  readonly privateKeyFile: string;
  readonly publicKeyFile: string;
  /** The validated config for this run, with `extra` merged over the run's defaults. */
  config(extra?: AuditConfigInput): AuditConfig;
  /** The same as YAML-ready JSON (JSON is YAML), for child processes. */
  configText(extra?: AuditConfigInput): string;
  produce(messages: readonly { partition: number; value: string | Buffer; key?: string }[]): Promise<void>;
  cleanup(): Promise<void>;
}

function merge(a: Json, b: Json): Json {
  const out: Json = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] =
      typeof v === 'object' &&
      v !== null &&
      !Array.isArray(v) &&
      typeof cur === 'object' &&
      cur !== null &&
      !Array.isArray(cur)
        ? merge(cur as Json, v as Json)
        : v;
  }
  return out;
}

export async function startTestRun(
  options: { partitions?: number; dataStreams?: boolean } = {},
): Promise<TestRun> {
  const { elasticsearchUrl, kafkaBrokers } = await ensureStack();
  const id = randomBytes(5).toString('hex');
  const topic = `test-audit-${id}`;
  const deadLetterTopic = `test-audit-${id}-dlq`;
  // Data streams cannot be deleted on this Elasticsearch (no DELETE /_data_stream, and a write
  // index cannot be deleted): the data stream runs share one namespace, filter everything by their
  // own topic and delete their own documents, so no empty streams pile up run after run.
  const namespace = options.dataStreams === true ? 'tributary_audit_test' : `t${id}`;
  const streams = auditStreams(namespace);
  const es = new Client({ node: elasticsearchUrl });
  const kafka = new kafkajs.Kafka({
    clientId: 'audit-test',
    brokers: kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: options.partitions ?? 4 }],
    waitForLeaders: true,
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const dir = mkdtempSync(join(tmpdir(), 'tributary-audit-'));
  const pair = generateSigningKeyPair();
  const privateKeyFile = join(dir, 'signing.key');
  const publicKeyFile = join(dir, 'signing.pub');
  writeFileSync(privateKeyFile, pair.privatePem, { mode: 0o600 });
  writeFileSync(publicKeyFile, pair.publicPem);
  const base: Json = {
    kafka: {
      brokers: kafkaBrokers,
      topic,
      dead_letter_topic: deadLetterTopic,
      group_id: `test-audit-${id}`,
      session_timeout: '6s',
    },
    elasticsearch: {
      endpoints: [elasticsearchUrl],
      namespace,
      data_streams: options.dataStreams ?? false,
      templates: { replicas: 0 },
      retry: { initial_backoff: '50ms', max_backoff: '1s' },
    },
    signing: { private_key_file: privateKeyFile, public_key_file: publicKeyFile },
    api: { listen: '127.0.0.1', port: 0, tokens: [{ name: 'test', token: 'test-auditor-token-0123456789' }] },
    service: { log_level: 'warn' },
  };
  const configJson = (extra: AuditConfigInput = {}): Json => merge(base, extra as Json);
  return {
    id,
    topic,
    deadLetterTopic,
    namespace,
    streams,
    brokers: kafkaBrokers,
    esUrl: elasticsearchUrl,
    es,
    kafka,
    admin,
    producer,
    dir,
    privateKeyFile,
    publicKeyFile,
    config: (extra) => auditConfigSchema.parse(configJson(extra)),
    configText: (extra) => JSON.stringify(configJson(extra), null, 2),
    produce: async (messages) => {
      for (let i = 0; i < messages.length; i += 1000)
        await producer.send({
          topic,
          acks: -1,
          messages: messages
            .slice(i, i + 1000)
            .map((m) => ({ partition: m.partition, key: m.key ?? null, value: m.value })),
        });
    },
    cleanup: async () => {
      await producer.disconnect().catch(() => undefined);
      await admin.deleteTopics({ topics: [topic, deadLetterTopic] }).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      const names = [streams.events, streams.digests, streams.alerts];
      if (options.dataStreams === true) {
        // No DELETE /_data_stream here: empty them; the empty write indices remain (see README).
        // No _delete_by_query here either (no reindex module): delete this run's documents by id.
        await deleteMatching(es, names, ofTopic(topic)).catch(() => undefined);
      } else {
        for (const index of names)
          await es.indices.delete({ index, ignore_unavailable: true }).catch(() => undefined);
        for (const name of names)
          await es.indices.deleteIndexTemplate({ name: `tributary-${name}` }).catch(() => undefined);
      }
      await es.close();
    },
  };
}

/** Deletes every document matching `query` by id (from the backing index each hit names). */
export async function deleteMatching(
  es: Client,
  indices: readonly string[],
  query: estypes.QueryDslQueryContainer,
): Promise<void> {
  const lenient = { ignore_unavailable: true, allow_no_indices: true } as const;
  await es.indices.refresh({ index: [...indices], ...lenient });
  for (;;) {
    const res = await es.search({ index: [...indices], ...lenient, size: 5000, _source: false, query });
    const hits = res.hits.hits;
    if (hits.length === 0) return;
    await es.bulk({
      refresh: true,
      operations: hits.map((h) => ({ delete: { _index: h._index, _id: h._id ?? '' } })),
    });
  }
}

/** Documents of one test run's topic, in any of the three streams. */
export function ofTopic(topic: string): estypes.QueryDslQueryContainer {
  return {
    bool: {
      should: [
        { term: { 'audit.chain.topic': topic } },
        { term: { 'audit.digest.topic': topic } },
        { term: { 'alert.topic': topic } },
      ],
      minimum_should_match: 1,
    },
  };
}

let counter = 0;

/** A collector-shaped audit event (nested ECS), as the kafka exporter writes it. */
export function auditEvent(overrides: Json = {}): Json {
  counter++;
  const base: Json = {
    '@timestamp': new Date(Date.UTC(2024, 4, 6, 10, 0, 0) + counter).toISOString(),
    message: `update order ${counter}`,
    service: { name: 'orders' },
    event: {
      id: `ev-${process.pid}-${counter}-${randomBytes(4).toString('hex')}`,
      action: 'order.update',
      outcome: 'success',
      kind: 'event',
    },
    user: { id: `u${counter % 7}`, name: `user ${counter % 7}`, roles: ['clerk'] },
    source: { ip: '10.1.2.3' },
    audit: { resource: { type: 'order', id: `o-${counter}` } },
    data_stream: { type: 'logs', dataset: 'orders', namespace: 'shop' },
    tributary: { audit: true },
  };
  return merge(base, overrides);
}

/**
 * Polls `fn` until it gives a value. A throw counts as "not yet": a search on a data stream that was
 * created a moment ago can fail with no_shard_available until its primary shard has started.
 */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  let lastError: unknown;
  for (;;) {
    let v: T | undefined;
    try {
      v = await fn();
    } catch (error) {
      lastError = error;
    }
    if (v !== undefined) return v;
    if (Date.now() > deadline) {
      const why = lastError === undefined ? '' : ` (last error: ${(lastError as Error).message})`;
      throw new Error(`timed out waiting for ${what}${why}`);
    }
    await sleep(200);
  }
}

/** Documents in `index` (refreshed first), sorted by partition and seq. */
export async function allDocs(
  es: Client,
  index: string,
  topic?: string,
): Promise<{ id: string; index: string; source: Json }[]> {
  await es.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
  const out: { id: string; index: string; source: Json }[] = [];
  let after: (string | number)[] | undefined;
  for (;;) {
    const res = await es.search<Json>({
      index,
      ignore_unavailable: true,
      allow_no_indices: true,
      size: 5000,
      ...(topic === undefined ? {} : { query: ofTopic(topic) }),
      sort: [
        { 'audit.chain.partition': { order: 'asc', unmapped_type: 'long' } },
        { 'audit.chain.offset': { order: 'asc', unmapped_type: 'long' } },
      ],
      ...(after === undefined ? {} : { search_after: after }),
    });
    for (const h of res.hits.hits) out.push({ id: h._id ?? '', index: h._index, source: h._source ?? {} });
    if (res.hits.hits.length < 5000) return out;
    after = res.hits.hits.at(-1)?.sort as (string | number)[];
  }
}

export async function countDocs(es: Client, index: string, topic?: string): Promise<number> {
  await es.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
  return (
    await es.count({
      index,
      ignore_unavailable: true,
      allow_no_indices: true,
      ...(topic === undefined ? {} : { query: ofTopic(topic) }),
    })
  ).count;
}

// The stack's Elasticsearch is a real Elasticsearch 8 that the official client works with unchanged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client, errors } from '@elastic/elasticsearch';
import { ensureStack } from '../support/stack.ts';

let client: Client;
const dataset = `itest${randomUUID().slice(0, 8)}`;
const stream = `logs-${dataset}-default`;

before(async () => {
  const stack = await ensureStack();
  client = new Client({ node: stack.elasticsearchUrl });
});

after(async () => {
  await client?.indices.deleteDataStream({ name: stream }).catch(() => undefined);
  await client?.indices.deleteIndexTemplate({ name: stream }).catch(() => undefined);
  await client?.close();
});

test('it is Elasticsearch 8 and the client accepts it (product header check)', async (t) => {
  const info = await client.nodes.info({ node_id: '_local', metric: 'process' });
  const version = Object.values(info.nodes)[0]?.version ?? '';
  t.diagnostic(`Elasticsearch ${version}`);
  assert.match(version, /^8\.\d+\.\d+$/);
  const health = await client.cluster.health({ wait_for_status: 'yellow', timeout: '30s' });
  assert.ok(['green', 'yellow'].includes(health.status));
});

test('a composable index template makes a data stream; bulk create indexes; search finds', async () => {
  await client.indices.putIndexTemplate({
    name: stream,
    index_patterns: [`logs-${dataset}-*`],
    priority: 500,
    data_stream: {},
    template: {
      settings: { number_of_replicas: 0 },
      mappings: {
        properties: {
          '@timestamp': { type: 'date_nanos' },
          message: { type: 'text' },
          'event.id': { type: 'keyword' },
          'log.level': { type: 'keyword' },
        },
      },
    },
  });
  const docs = Array.from({ length: 50 }, (_, i) => ({
    '@timestamp': new Date(Date.UTC(2026, 10, 23, 0, 0, i)).toISOString(),
    message: i % 2 === 0 ? `even event ${i}` : `odd event ${i}`,
    'event.id': `${dataset}-${i}`,
    'log.level': i % 10 === 0 ? 'error' : 'info',
  }));
  const bulk = await client.bulk({
    refresh: 'wait_for',
    operations: docs.flatMap((doc) => [{ create: { _index: stream, _id: doc['event.id'] } }, doc]),
  });
  assert.equal(bulk.errors, false);
  assert.equal(bulk.items.length, 50);
  assert.ok(bulk.items.every((item) => item.create?.status === 201));

  const found = await client.search<{ message: string }>({
    index: stream,
    query: { bool: { must: [{ match: { message: 'even' } }], filter: [{ term: { 'log.level': 'error' } }] } },
    size: 100,
  });
  const total = typeof found.hits.total === 'number' ? found.hits.total : found.hits.total?.value;
  assert.equal(total, 5);
  assert.ok(found.hits.hits.every((hit) => hit._source?.message.startsWith('even')));
  assert.ok(
    found.hits.hits.every((hit) => hit._index.startsWith(`.ds-${stream}-`)),
    'documents live in the data stream',
  );
});

test('create with an existing _id is a 409 conflict (what idempotent exporters rely on)', async () => {
  const bulk = await client.bulk({
    refresh: 'wait_for',
    operations: [
      { create: { _index: stream, _id: `${dataset}-0` } },
      { '@timestamp': new Date().toISOString(), message: 'again' },
    ],
  });
  assert.equal(bulk.errors, true);
  assert.equal(bulk.items[0]?.create?.status, 409);
  await assert.rejects(
    client.create({
      index: stream,
      id: `${dataset}-1`,
      document: { '@timestamp': new Date().toISOString() },
    }),
    (error: unknown) => error instanceof errors.ResponseError && error.statusCode === 409,
  );
});

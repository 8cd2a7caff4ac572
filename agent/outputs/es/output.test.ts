// Against the local stack's real Elasticsearch (ensureStack). Index names are unique per run and
// deleted by exact name afterwards: this server is shared with other test runs.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Client } from '@elastic/elasticsearch';
import { waitForCount } from '../../../test/support/es.ts';
import { ensureStack } from '../../../test/support/stack.ts';
import { silentLogger } from '../../../common/log/logger.ts';
import type { Chunk } from '../../engine/types.ts';
import { createEsOutput } from './output.ts';
import { chunkOf, esLoaded, esOutput, recordingLogger } from './test-helpers.ts';

const RUN = `trb-agent-es-${process.pid}-${Date.now().toString(36)}`;
const DAY = 86_400;
const T = 1_704_164_645; // 2024-01-02T03:04:05Z

let client: Client;
let port = 9200;
const created = new Set<string>();

function indexName(suffix: string): string {
  const name = `${RUN}-${suffix}`;
  created.add(name);
  return name;
}

async function docs(index: string): Promise<{ id: string; source: Record<string, unknown> }[]> {
  await client.indices.refresh({ index });
  const r = await client.search<Record<string, unknown>>({ index, size: 100, sort: ['_doc'] });
  return r.hits.hits.map((h) => ({ id: h._id ?? '', source: h._source ?? {} }));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const p = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return p;
}

describe('es output against Elasticsearch', { timeout: 180_000 }, () => {
  before(async () => {
    const stack = await ensureStack();
    port = Number(new URL(stack.elasticsearchUrl).port);
    client = new Client({ node: stack.elasticsearchUrl });
  });

  after(async () => {
    for (const index of created) await client.indices.delete({ index, ignore_unavailable: true });
    await client.close();
  });

  it('records land in Index with @timestamp', async () => {
    const index = indexName('plain');
    const out = esOutput({ Port: port, Index: index, Suppress_Type_Name: 'On' });
    await out.start();
    try {
      const result = await out.flush(
        chunkOf('app.web', [
          { msg: 'one', n: 1 },
          { msg: 'two', n: 2 },
        ]),
      );
      assert.equal(result, 'ok');
      const got = await docs(index);
      assert.equal(got.length, 2);
      assert.deepEqual(got[0]?.source, { '@timestamp': '2024-01-02T03:04:05.123Z', msg: 'one', n: 1 });
      assert.equal(got[1]?.source.msg, 'two');
    } finally {
      await out.stop();
    }
  });

  it("Fluent Bit's default Suppress_Type_Name Off falls back to no _type on Elasticsearch 8", async () => {
    const index = indexName('typed');
    const { logger, entries } = recordingLogger();
    const out = esOutput({ Port: port, Index: index }, logger);
    try {
      assert.equal(await out.flush(chunkOf('t', [{ msg: 'x' }])), 'ok');
      assert.equal(await out.flush(chunkOf('t', [{ msg: 'y' }])), 'ok');
      assert.equal((await docs(index)).length, 2);
      assert.equal(entries.filter((e) => e.message.includes('refuses _type')).length, 1);
    } finally {
      await out.stop();
    }
  });

  it('Logstash_Format writes to Logstash_Prefix-YYYY.MM.DD by record time, with the tag key', async () => {
    const prefix = `${RUN}-ls`;
    const day1 = indexName('ls-2024.01.02');
    const day2 = indexName('ls-2024.01.03');
    const { config, instance } = esLoaded({
      Port: port,
      Logstash_Format: 'On',
      Logstash_Prefix: prefix,
      Include_Tag_Key: 'On',
      Tag_Key: 'tag',
      Suppress_Type_Name: 'On',
    });
    // Through the factory, as the engine will build it.
    const out = createEsOutput(instance, { logger: silentLogger, config });
    try {
      const chunk: Chunk = {
        tag: 'kube.app',
        bytes: 30,
        events: [
          { sec: T, nsec: 0, record: { msg: 'a' } },
          { sec: T + DAY, nsec: 5_000_000, record: { msg: 'b' } },
          { sec: T + DAY, nsec: 0, record: { msg: 'c' } },
        ],
      };
      assert.equal(await out.flush(chunk), 'ok');
      assert.deepEqual(
        (await docs(day1)).map((d) => d.source),
        [{ '@timestamp': '2024-01-02T03:04:05.000Z', tag: 'kube.app', msg: 'a' }],
      );
      const second = await docs(day2);
      assert.equal(second.length, 2);
      assert.equal(second[0]?.source['@timestamp'], '2024-01-03T03:04:05.005Z');
    } finally {
      await out.stop();
    }
  });

  it('event.id becomes _id with create: re-flushing a chunk does not duplicate', async () => {
    const index = indexName('ids');
    const out = esOutput({ Port: port, Index: index, Suppress_Type_Name: 'On' });
    try {
      const records = [
        { 'event.id': 'evt-1', msg: 'a' },
        { 'event.id': 'evt-2', msg: 'b' },
        { event: { id: 'evt-3' }, msg: 'c' },
      ];
      const chunk = chunkOf('t', records);
      assert.equal(await out.flush(chunk), 'ok');
      // The engine re-flushes the same chunk (e.g. after a timeout it took for a failure) ...
      assert.equal(await out.flush(chunk), 'ok');
      // ... or a replay rebuilds it from the buffer: every item comes back 409, which is success.
      assert.equal(await out.flush(chunkOf('t', records)), 'ok');
      assert.equal(await waitForCount(client, index, { match_all: {} }, 3, 5_000), 3);
      const got = await docs(index);
      assert.deepEqual(got.map((d) => d.id).sort(), ['evt-1', 'evt-2', 'evt-3']);
      assert.equal(out.permanentErrors, 0);
    } finally {
      await out.stop();
    }
  });

  it('Generate_ID makes replays of records without event.id idempotent too', async () => {
    const index = indexName('genid');
    const out = esOutput({ Port: port, Index: index, Generate_ID: 'On', Suppress_Type_Name: 'On' });
    try {
      const records = [{ msg: 'a' }, { msg: 'b' }];
      assert.equal(await out.flush(chunkOf('t', records)), 'ok');
      assert.equal(await out.flush(chunkOf('t', records)), 'ok');
      assert.equal((await docs(index)).length, 2);
    } finally {
      await out.stop();
    }
  });

  it('Write_Operation upsert updates the document of the same event.id', async () => {
    const index = indexName('upsert');
    const out = esOutput({
      Port: port,
      Index: index,
      Write_Operation: 'upsert',
      Generate_ID: 'On',
      Suppress_Type_Name: 'On',
    });
    try {
      assert.equal(await out.flush(chunkOf('t', [{ 'event.id': 'u1', state: 'open', a: 1 }])), 'ok');
      assert.equal(await out.flush(chunkOf('t', [{ 'event.id': 'u1', state: 'closed' }])), 'ok');
      const got = await docs(index);
      assert.equal(got.length, 1);
      assert.equal(got[0]?.id, 'u1');
      assert.equal(got[0]?.source.state, 'closed');
      assert.equal(got[0]?.source.a, 1);
    } finally {
      await out.stop();
    }
  });

  it('a mapping error drops that document only, logged and counted, and the flush is ok', async () => {
    const index = indexName('mapping');
    await client.indices.create({ index, mappings: { properties: { n: { type: 'long' } } } });
    const { logger, entries } = recordingLogger();
    const out = esOutput({ Port: port, Index: index, Suppress_Type_Name: 'On', Trace_Error: 'On' }, logger);
    try {
      const chunk = chunkOf('t', [
        { 'event.id': 'm1', n: 1 },
        { 'event.id': 'm2', n: 'not a number' },
        { 'event.id': 'm3', n: 3 },
      ]);
      assert.equal(await out.flush(chunk), 'ok');
      assert.equal(out.permanentErrors, 1);
      assert.deepEqual((await docs(index)).map((d) => d.id).sort(), ['m1', 'm3']);
      const dropped = entries.find((e) => e.message.includes('dropped'));
      assert.equal(dropped?.fields?.dropped, 1);
      assert.equal(dropped?.fields?.status, 400);
      assert.match(String(dropped?.fields?.reason), /failed to parse field \[n\]/);
      const traced = entries.find((e) => e.message === 'es: document rejected');
      assert.match(String(traced?.fields?.document), /not a number/);
    } finally {
      await out.stop();
    }
  });

  it('Elasticsearch unreachable: retry', async () => {
    const { logger, entries } = recordingLogger();
    const out = esOutput(
      { Port: await freePort(), Index: `${RUN}-nowhere`, 'net.connect_timeout': 2 },
      logger,
    );
    try {
      assert.equal(await out.flush(chunkOf('t', [{ msg: 'a' }])), 'retry');
      assert.equal(await out.flush(chunkOf('t', [{ msg: 'a' }])), 'retry');
      const failure = entries.find((e) => e.message.includes('bulk request failed'));
      assert.equal(failure?.fields?.error, 'connection_error');
    } finally {
      await out.stop();
    }
  });
});

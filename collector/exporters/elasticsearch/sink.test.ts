/*
 * The sink against the real Elasticsearch of the local stack. Where a test needs the server to
 * misbehave (429s, being down, 413), a small node:http proxy in front of it answers some requests
 * itself and forwards the rest to the real server, so every document that lands, lands for real.
 *
 * Data stream names are unique per run. This server has no data stream APIs and refuses to delete
 * a data stream's write index, so `after` rolls each stream over and deletes the data-bearing
 * backing indices (see removeDataStream); the empty streams and the test templates (fixed names,
 * narrow `logs-trbes*` patterns, shared by all runs) stay.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Client } from '@elastic/elasticsearch';
import { ensureStack } from '../../../test/support/stack.ts';
import type { BulkDocument } from './bulk.ts';
import { elasticsearchExporterConfigSchema } from './config.ts';
import type { ElasticsearchExporterConfigInput } from './config.ts';
import { ElasticsearchSink } from './sink.ts';
import { ecsDoc as makeDoc, removeDataStream } from './test-helpers.ts';
import type { SinkLogger } from './sink.ts';

const RUN = randomBytes(4).toString('hex');
const DEAD_LETTER = `logs-trbesdl.deadletter-r${RUN}`;

interface LogLine {
  level: 'info' | 'warn' | 'error';
  msg: string;
  fields?: object;
}

function recordingLogger(): SinkLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const add = (level: LogLine['level']) => (msg: string, fields?: object) => {
    lines.push(fields === undefined ? { level, msg } : { level, msg, fields });
  };
  return { lines, info: add('info'), warn: add('warn'), error: add('error') };
}

function config(endpoint: string, extra: ElasticsearchExporterConfigInput = {}) {
  return elasticsearchExporterConfigSchema.parse({
    endpoints: [endpoint],
    retry: { initial_backoff: '10ms', max_backoff: '200ms' },
    ...extra,
    templates: {
      replicas: 0,
      priority: 450,
      name_prefix: 'tributary-estest',
      logs_index_patterns: ['logs-trbes*-*'],
      traces_index_patterns: ['traces-trbes*-*'],
      ...extra.templates,
    },
    dead_letter: { data_stream: DEAD_LETTER },
  });
}

/** A data stream name of this run; every test writes to its own namespace. */
const created = new Set<string>([DEAD_LETTER]);
function stream(test: string): string {
  const name = `logs-trbes${RUN}-${test}`;
  created.add(name);
  return name;
}

const ecsDoc = (index: string, extra: Record<string, unknown> = {}) => makeDoc(index, RUN, extra);
const docsFor = (index: string, n: number): BulkDocument[] => Array.from({ length: n }, () => ecsDoc(index));

interface ProxyRequest {
  method: string;
  url: string;
  body: string;
}
type ProxyAnswer = { status: number; body: unknown } | { forwardBody: string } | 'forward';

/** node:http in front of the real server; `decide` answers a request itself or lets it through. */
async function startProxy(
  target: string,
  decide: (req: ProxyRequest) => ProxyAnswer | Promise<ProxyAnswer>,
): Promise<{ url: string; seen: ProxyRequest[]; close(): Promise<void> }> {
  const seen: ProxyRequest[] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const r = { method: req.method ?? 'GET', url: req.url ?? '/', body: Buffer.concat(chunks).toString() };
    seen.push(r);
    const answer = await decide(r);
    if (answer !== 'forward' && 'status' in answer) {
      res.writeHead(answer.status, {
        'content-type': 'application/json',
        'x-elastic-product': 'Elasticsearch',
      });
      res.end(JSON.stringify(answer.body));
      return;
    }
    const body = answer === 'forward' ? r.body : answer.forwardBody;
    const upstream = await fetch(target + r.url, {
      method: r.method,
      // The client's `compatible-with=8` media types must travel as a pair.
      headers: Object.fromEntries(
        ['content-type', 'accept'].flatMap((h) =>
          req.headers[h] === undefined ? [] : [[h, String(req.headers[h])]],
        ),
      ),
      ...(r.method === 'GET' || r.method === 'HEAD' ? {} : { body }),
    });
    res.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'application/json',
      'x-elastic-product': 'Elasticsearch',
    });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(502);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nobody listens on: bound, then released. */
async function deadEndpoint(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A write that, failing, says what the sink logged (the retry loop otherwise hides the cause). */
async function explained<T>(p: Promise<T>, logger: { lines: LogLine[] }): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw new Error(`write failed; sink log: ${JSON.stringify(logger.lines)}`, { cause: err });
  }
}

const bulkLines = (body: string): string[] => body.split('\n').filter((l) => l !== '');

describe('ElasticsearchSink (real Elasticsearch)', () => {
  let url: string;
  let es: Client;
  let sink: ElasticsearchSink;
  let logger: ReturnType<typeof recordingLogger>;

  async function count(index: string, query?: object): Promise<number> {
    await es.indices.refresh({ index, ignore_unavailable: true });
    const res = await es.count({
      index,
      ignore_unavailable: true,
      ...(query === undefined ? {} : { query }),
    });
    return res.count;
  }

  before(async () => {
    url = (await ensureStack()).elasticsearchUrl;
    es = new Client({ node: url });
    logger = recordingLogger();
    sink = new ElasticsearchSink(config(url), { logger });
    await sink.start();
  });

  after(async () => {
    await sink.shutdown();
    for (const name of created) await removeDataStream(es, name);
    await es.close();
  });

  it('installs the templates and a document lands in a data stream with the ECS mappings', async () => {
    const index = stream('mapping');
    const doc = ecsDoc(index, { custom: { note: 'free text field' }, labels: { 'any.key': 'v' } });
    const result = await explained(sink.write([doc], AbortSignal.timeout(30_000)), logger);
    assert.deepEqual(result, { created: 1, duplicates: 0, deadLettered: 0, retries: 0, dropped: 0 });
    assert.equal(sink.ready, true);
    assert.deepEqual(sink.features, { ilm: false, dataStreamApi: false });
    assert.ok(logger.lines.some((l) => l.msg.includes('features detected')));

    const template = await es.indices.getIndexTemplate({ name: 'tributary-estest-logs' });
    assert.equal(template.index_templates[0]?.index_template.priority, 450);
    const backing = await es.cat.indices({
      index: `.ds-${index}-*`,
      expand_wildcards: 'all',
      format: 'json',
    });
    assert.equal(backing.length, 1, 'a data stream backing index was created');

    const mapping = await es.indices.getFieldMapping({
      index,
      fields: ['@timestamp', 'kubernetes.labels', 'labels', 'service.name', 'event.duration', 'custom.note'],
    });
    const fields = Object.values(mapping)[0]?.mappings ?? {};
    const typeOf = (f: string) => {
      const m = fields[f]?.mapping ?? {};
      return (Object.values(m)[0] as { type?: string; ignore_above?: number } | undefined) ?? {};
    };
    assert.equal(typeOf('@timestamp').type, 'date_nanos');
    assert.equal(typeOf('kubernetes.labels').type, 'flattened');
    assert.equal(typeOf('labels').type, 'flattened');
    assert.equal(typeOf('service.name').type, 'keyword');
    assert.deepEqual(typeOf('custom.note'), { type: 'keyword', ignore_above: 1024 });

    await es.indices.refresh({ index });
    const hit = (await es.search({ index, query: { term: { 'event.id': doc.id } } })).hits.hits[0];
    assert.equal(hit?._id, doc.id);
    assert.equal((hit?._source as { '@timestamp': string })['@timestamp'], '2024-05-06T07:08:09.123456789Z');
  });

  it('creates a batch of 2,000, and a replay of it is all duplicates', async () => {
    const index = stream('bulk');
    const docs = docsFor(index, 2000);
    const requestsBefore = sink.stats.bulkRequests;
    const small = new ElasticsearchSink(config(url, { max_batch_docs: 300, max_batch_bytes: 200_000 }), {
      logger,
    });
    try {
      const first = await small.write(docs, AbortSignal.timeout(30_000));
      assert.deepEqual(first, { created: 2000, duplicates: 0, deadLettered: 0, retries: 0, dropped: 0 });
      assert.ok(small.stats.bulkRequests >= 7, `split into ${small.stats.bulkRequests} requests`);
      assert.ok(small.stats.bulkBytes > 2000 * 300);
      assert.equal(await count(index), 2000);

      const replay = await sink.write(docs, AbortSignal.timeout(30_000));
      assert.deepEqual(replay, { created: 0, duplicates: 2000, deadLettered: 0, retries: 0, dropped: 0 });
      assert.equal(sink.stats.bulkRequests, requestsBefore + 1, 'one 5 MiB request for the replay');
      assert.equal(await count(index), 2000);
    } finally {
      await small.shutdown();
    }
  });

  it('dead-letters what violates the mapping, with the reason and the original, and creates the rest', async () => {
    const index = stream('reject');
    const good = docsFor(index, 8);
    const stringDuration = ecsDoc(index, { event: { id: 'x', duration: 'three seconds' } });
    const objectKeyword = ecsDoc(index, { service: { name: { first: 'check', last: 'out' } } });
    const emptyId: BulkDocument = { index, id: '', source: '{"message":"no id"}' };
    const batch = [
      good[0],
      stringDuration,
      ...good.slice(1, 5),
      objectKeyword,
      ...good.slice(5),
      emptyId,
    ].filter((d): d is BulkDocument => d !== undefined);
    const lettersBefore = await count(DEAD_LETTER);

    const result = await sink.write(batch, AbortSignal.timeout(30_000));
    assert.deepEqual(result, { created: 8, duplicates: 0, deadLettered: 3, retries: 0, dropped: 0 });
    assert.equal(await count(index), 8);
    assert.equal(await count(DEAD_LETTER), lettersBefore + 3);

    await es.indices.refresh({ index: DEAD_LETTER });
    const found = await es.search<{
      event: { id: string; original: string };
      error: { type: string; message: string };
      tributary: { dead_letter: { index: string; status: number } };
    }>({ index: DEAD_LETTER, query: { term: { 'event.id': stringDuration.id } } });
    const dl = found.hits.hits[0]?._source;
    assert.ok(dl, 'dead letter stored');
    assert.equal(dl.event.original, stringDuration.source);
    assert.equal(dl.error.type, 'document_parsing_exception');
    assert.match(dl.error.message, /event\.duration/);
    assert.deepEqual(dl.tributary.dead_letter, { index, status: 400 });
    const noId = await es.search<{ error: { type: string } }>({
      index: DEAD_LETTER,
      query: { term: { 'tributary.dead_letter.index': index } },
      size: 10,
    });
    assert.ok(noId.hits.hits.some((h) => h._source?.error.type === 'invalid_id'));

    // A replay (the queue re-sends after a crash) changes nothing, dead letters included.
    const replay = await sink.write(batch, AbortSignal.timeout(30_000));
    assert.deepEqual(replay, { created: 0, duplicates: 8, deadLettered: 3, retries: 0, dropped: 0 });
    assert.equal(await count(DEAD_LETTER), lettersBefore + 3);
    assert.ok((sink.stats.failures.document_parsing_exception ?? 0) >= 4);
  });

  it('retries whole-request and per-item 429s, re-sending only the rejected items', async () => {
    const index = stream('retry');
    const docs = docsFor(index, 200);
    let bulks = 0;
    const proxy = await startProxy(url, async (r) => {
      if (!r.url.startsWith('/_bulk')) return 'forward';
      bulks++;
      if (bulks === 1)
        return {
          status: 429,
          body: { error: { type: 'es_rejected_execution_exception', reason: 'queue full' }, status: 429 },
        };
      if (bulks !== 2) return 'forward';
      // Let only the even documents through; answer 429 for the odd ones, as a busy node does.
      const lines = bulkLines(r.body);
      const even = lines.filter((_, i) => Math.floor(i / 2) % 2 === 0);
      const upstream = await fetch(url + r.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: even.join('\n') + '\n',
      });
      const real = (await upstream.json()) as { items: unknown[] };
      const items = Array.from({ length: lines.length / 2 }, (_, i) =>
        i % 2 === 0
          ? real.items[i / 2]
          : { create: { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'busy' } } },
      );
      return { status: 200, body: { errors: true, items } };
    });
    const proxyLog = recordingLogger();
    const viaProxy = new ElasticsearchSink(config(proxy.url), { logger: proxyLog });
    try {
      const result = await explained(viaProxy.write(docs, AbortSignal.timeout(30_000)), proxyLog);
      assert.deepEqual(result, { created: 200, duplicates: 0, deadLettered: 0, retries: 300, dropped: 0 });
      const bulkBodies = proxy.seen
        .filter((s) => s.url.startsWith('/_bulk'))
        .map((s) => bulkLines(s.body).length / 2);
      assert.deepEqual(bulkBodies, [200, 200, 100], 'the third request carries only the 100 rejected items');
      assert.equal(viaProxy.stats.failures.es_rejected_execution_exception, 101);
      assert.equal(await count(index), 200);
    } finally {
      await viaProxy.shutdown();
      await proxy.close();
    }
  });

  it('splits a request Elasticsearch refuses as too large, and dead-letters only the culprit', async () => {
    const index = stream('toolarge');
    const docs = docsFor(index, 9);
    const big = ecsDoc(index, { blob: 'OVERSIZED' });
    docs.splice(4, 0, big);
    const proxy = await startProxy(url, (r) =>
      r.url.startsWith('/_bulk') && r.body.includes('"blob":"OVERSIZED"')
        ? { status: 413, body: { error: { type: 'http_413', reason: 'content too long' }, status: 413 } }
        : 'forward',
    );
    const proxyLog = recordingLogger();
    const viaProxy = new ElasticsearchSink(config(proxy.url), { logger: proxyLog });
    try {
      const result = await explained(viaProxy.write(docs, AbortSignal.timeout(30_000)), proxyLog);
      assert.deepEqual(result, { created: 9, duplicates: 0, deadLettered: 1, retries: 0, dropped: 0 });
      assert.equal(await count(index), 9);
      assert.equal(await count(DEAD_LETTER, { term: { 'event.id': big.id } }), 1);
    } finally {
      await viaProxy.shutdown();
      await proxy.close();
    }
  });

  it('keeps retrying a refused connection until aborted, then rejects with AbortError; nothing is lost', async () => {
    const index = stream('refused');
    const docs = docsFor(index, 50);
    const dead = new ElasticsearchSink(config(await deadEndpoint(), { templates: { install: false } }), {
      logger: recordingLogger(),
    });
    try {
      const t0 = Date.now();
      await assert.rejects(dead.write(docs, AbortSignal.timeout(500)), { name: 'AbortError' });
      assert.ok(Date.now() - t0 < 5000, 'aborts promptly');
      assert.ok(dead.stats.retries > 0);
      assert.ok((dead.stats.failures.connection_error ?? 0) > 1);
      assert.equal(dead.stats.created, 0);
    } finally {
      await dead.shutdown();
    }
    const result = await sink.write(docs, AbortSignal.timeout(30_000));
    assert.equal(result.created, 50);
    assert.equal(await count(index), 50);
  });

  it('start() with Elasticsearch unreachable neither throws nor blocks; writes wait and can be aborted', async () => {
    const logs = recordingLogger();
    const down = new ElasticsearchSink(config(await deadEndpoint()), { logger: logs });
    const t0 = Date.now();
    await down.start();
    assert.ok(Date.now() - t0 < 100, `start took ${Date.now() - t0} ms`);
    assert.equal(down.ready, false);
    await assert.rejects(down.write(docsFor(stream('down'), 3), AbortSignal.timeout(300)), {
      name: 'AbortError',
    });
    assert.equal(down.stats.bulkRequests, 0, 'no bulk before the templates are in');
    assert.ok(logs.lines.some((l) => l.msg.includes('template installation failed')));
    const t1 = Date.now();
    await down.shutdown();
    assert.ok(Date.now() - t1 < 2000);
    await assert.rejects(down.write([], AbortSignal.timeout(100)), /shut down/);
  });

  it('installs the templates once Elasticsearch comes up, then writes', async () => {
    const index = stream('late');
    let up = false;
    const proxy = await startProxy(url, () =>
      up
        ? 'forward'
        : { status: 503, body: { error: { type: 'unavailable', reason: 'starting' }, status: 503 } },
    );
    const lateLog = recordingLogger();
    const late = new ElasticsearchSink(config(proxy.url), { logger: lateLog });
    try {
      await late.start();
      const writing = late.write(docsFor(index, 20), AbortSignal.timeout(30_000));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(late.ready, false);
      up = true;
      const result = await explained(writing, lateLog);
      assert.equal(result.created, 20);
      assert.equal(late.ready, true);
      const firstBulk = proxy.seen.findIndex((s) => s.url.startsWith('/_bulk'));
      const lastTemplate = proxy.seen.findLastIndex((s) => s.url.startsWith('/_index_template/'));
      assert.ok(lastTemplate >= 0 && lastTemplate < firstBulk, 'templates before the first bulk');
    } finally {
      await late.shutdown();
      await proxy.close();
    }
  });

  it('gzips request bodies when asked', async () => {
    const index = stream('gzip');
    const gz = new ElasticsearchSink(config(url, { compression: true }), { logger: recordingLogger() });
    try {
      const result = await gz.write(docsFor(index, 100), AbortSignal.timeout(30_000));
      assert.equal(result.created, 100);
      assert.equal(await count(index), 100);
    } finally {
      await gz.shutdown();
    }
  });
});

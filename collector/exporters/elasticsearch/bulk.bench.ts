/*
 * Micro-benchmark of the Elasticsearch exporter (not a test: it prints figures, asserts nothing).
 *
 *   node collector/exporters/elasticsearch/bulk.bench.ts            # encoding + end-to-end
 *   node collector/exporters/elasticsearch/bulk.bench.ts --encode   # encoding only, no server
 *
 * 1. Bulk encoding: NDJSON bodies of 5 MiB from ~400-byte ECS documents, docs/s and MB/s.
 * 2. End-to-end against the local stack's real Elasticsearch: 200,000 documents through
 *    `ElasticsearchSink.write` in 5 MiB `_bulk` requests, at concurrency 1 and 2, docs/s.
 */
import { randomBytes } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { ensureStack } from '../../../test/support/stack.ts';
import { encodeBulk } from './bulk.ts';
import { elasticsearchExporterConfigSchema, MIB } from './config.ts';
import { ElasticsearchSink } from './sink.ts';
import { ecsDoc, removeDataStream } from './test-helpers.ts';

const DOCS = 200_000;
const run = randomBytes(4).toString('hex');

/** `toBuffer`: also pay for flattening the concatenated string into UTF-8, as the socket write does. */
function encodeAll(
  docs: Parameters<typeof encodeBulk>[0],
  toBuffer: boolean,
): { bytes: number; requests: number } {
  let start = 0;
  let bytes = 0;
  let requests = 0;
  while (start < docs.length) {
    const enc = encodeBulk(docs, start, 5 * MIB, 100_000);
    bytes += toBuffer ? Buffer.from(enc.body).length : enc.bytes;
    requests++;
    start = enc.end;
  }
  return { bytes, requests };
}

function benchEncoding(): void {
  const docs = Array.from({ length: DOCS }, () => ecsDoc('logs-checkout-shop', run));
  const avg = docs.reduce((n, d) => n + d.source.length, 0) / docs.length;
  for (const toBuffer of [false, true]) {
    for (let i = 0; i < 3; i++) encodeAll(docs, toBuffer); // warm-up: let the JIT settle
    const rounds = 10;
    const t0 = process.hrtime.bigint();
    let bytes = 0;
    let requests = 0;
    for (let i = 0; i < rounds; i++) {
      const r = encodeAll(docs, toBuffer);
      bytes += r.bytes;
      requests += r.requests;
    }
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(
      `encode${toBuffer ? ' + UTF-8 buffer' : ''}: ${(((DOCS * rounds) / s) | 0).toLocaleString('en')} docs/s, ` +
        `${(bytes / s / 1e6).toFixed(0)} MB/s (avg source ${avg.toFixed(0)} B, ` +
        `${requests / rounds} bodies of <= 5 MiB per ${DOCS.toLocaleString('en')} docs)`,
    );
  }
}

async function benchEndToEnd(): Promise<void> {
  const { elasticsearchUrl } = await ensureStack();
  const es = new Client({ node: elasticsearchUrl });
  const logger = { info: () => undefined, warn: console.warn, error: console.error };
  try {
    for (const concurrency of [1, 2]) {
      const index = `logs-trbesbench${run}-c${concurrency}`;
      const docs = Array.from({ length: DOCS }, () => ecsDoc(index, `${run}c${concurrency}`));
      const sink = new ElasticsearchSink(
        elasticsearchExporterConfigSchema.parse({
          endpoints: [elasticsearchUrl],
          concurrency,
          max_batch_bytes: 5 * MIB,
          max_batch_docs: 100_000,
          // The tests' templates: narrow patterns, never the production `logs-*-*` on a shared server.
          templates: {
            replicas: 0,
            priority: 450,
            name_prefix: 'tributary-estest',
            logs_index_patterns: ['logs-trbes*-*'],
            traces_index_patterns: ['traces-trbes*-*'],
          },
          dead_letter: { data_stream: `logs-trbesdl.deadletter-bench${run}` },
        }),
        { logger },
      );
      try {
        await sink.start();
        // Templates and the data stream first, so the timing is of steady-state bulk indexing.
        await sink.write(docs.slice(0, 1), AbortSignal.timeout(60_000));
        const t0 = process.hrtime.bigint();
        const r = await sink.write(docs.slice(1), AbortSignal.timeout(600_000));
        const s = Number(process.hrtime.bigint() - t0) / 1e9;
        const { bulkRequests, bulkBytes } = sink.stats;
        console.log(
          `end-to-end (concurrency ${concurrency}): ${(((DOCS - 1) / s) | 0).toLocaleString('en')} docs/s, ` +
            `${(bulkBytes / s / 1e6).toFixed(1)} MB/s, ${bulkRequests - 1} requests, ` +
            `created ${r.created}, retries ${r.retries}, ${s.toFixed(2)} s`,
        );
      } finally {
        await sink.shutdown();
        await removeDataStream(es, index);
      }
    }
  } finally {
    await es.close();
  }
}

benchEncoding();
if (!process.argv.includes('--encode')) await benchEndToEnd();

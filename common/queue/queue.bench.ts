// Benchmark for the durable queue. Not a test: run `node common/queue/queue.bench.ts` and read the figures.
// Shapes the collector's load: ~230 KB appends (1000 events of ~230 B), several producers in flight so
// group commit has something to group. Optional env: BENCH_APPENDS (default 2000), BENCH_PRODUCERS (8).
// Each append run writes BENCH_APPENDS x 225 KiB (~440 MiB by default) under os.tmpdir(), removed afterwards.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskQueue } from './index.ts';
import type { FsyncPolicy } from './index.ts';

const RECORD_BYTES = 230;
const RECORDS_PER_APPEND = 1000;
const APPENDS = Number(process.env['BENCH_APPENDS'] ?? 2000);
const PRODUCERS = Number(process.env['BENCH_PRODUCERS'] ?? 8);
const MiB = 1024 * 1024;

function makePayload(): Buffer {
  const buf = Buffer.alloc(RECORD_BYTES * RECORDS_PER_APPEND);
  for (let i = 0; i < RECORDS_PER_APPEND; i++) {
    buf.write(
      `{"@timestamp":"2024-01-01T00:00:00.000Z","message":"event ${i}","service.name":"bench"}`.padEnd(
        RECORD_BYTES,
        ' ',
      ),
      i * RECORD_BYTES,
    );
  }
  return buf;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

function report(name: string, unit: string, bytes: number, ops: number, seconds: number, extra = ''): void {
  const mb = bytes / MiB / seconds;
  const eventsPerSecond = (ops * RECORDS_PER_APPEND) / seconds;
  console.log(
    `${name.padEnd(28)} ${mb.toFixed(0).padStart(5)} MB/s ${(ops / seconds).toFixed(0).padStart(6)} ${unit}/s ` +
      `${(eventsPerSecond / 1000).toFixed(0).padStart(6)}k events/s  ${extra}`,
  );
}

async function appendBench(policy: FsyncPolicy, payload: Buffer, producers: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-queue-bench-'));
  const queue = await DiskQueue.open({
    dir,
    cursors: ['bench'],
    fsync: policy,
    fsyncIntervalMs: 100,
    maxBytes: 64 * 1024 * MiB,
    logger: { warn: () => undefined },
  });
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: producers }, async () => {
      while (next < APPENDS) {
        next++;
        const t = performance.now();
        await queue.append(payload);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const { fsyncs } = queue.stats();
  latencies.sort((a, b) => a - b);
  report(
    `append-${policy} (${producers} prod.)`,
    'appends',
    APPENDS * payload.length,
    APPENDS,
    seconds,
    `latency p50 ${percentile(latencies, 0.5).toFixed(1)} ms p99 ${percentile(latencies, 0.99).toFixed(1)} ms` +
      (fsyncs > 0 ? `, ${(APPENDS / fsyncs).toFixed(1)} appends/fsync` : ''),
  );
  await queue.close();
  if (policy !== 'always' || producers !== PRODUCERS) await rm(dir, { recursive: true, force: true });
  return dir;
}

async function readBench(dir: string, payloadBytes: number): Promise<void> {
  const queue = await DiskQueue.open({
    dir,
    cursors: ['bench'],
    maxBytes: 64 * 1024 * MiB,
    logger: { warn: () => undefined },
  });
  const cursor = queue.cursor('bench');
  let records = 0;
  let bytes = 0;
  const started = performance.now();
  for (;;) {
    const batch = await cursor.read({ maxBytes: 8 * MiB, maxRecords: 1000 });
    const last = batch[batch.length - 1];
    if (last === undefined) break;
    records += batch.length;
    for (const r of batch) bytes += r.payload.length;
    await cursor.commit(last.position);
  }
  const seconds = (performance.now() - started) / 1000;
  if (bytes !== records * payloadBytes) throw new Error('read-through returned unexpected bytes');
  report(
    'read-through',
    'records',
    bytes,
    records,
    seconds,
    `(${records} records, commit after every read, segments deleted)`,
  );
  await queue.close();
}

const payload = makePayload();
console.log(
  `queue bench: Node ${process.version}, ${APPENDS} appends of ${(payload.length / 1024).toFixed(0)} KiB ` +
    `(${RECORDS_PER_APPEND} x ${RECORD_BYTES} B events), ${PRODUCERS} producers, tmpdir ${tmpdir()}`,
);
// One producer: every append pays a full fsync. Several: group commit shares fsyncs between them.
await appendBench('always', payload, 1);
const alwaysDir = await appendBench('always', payload, PRODUCERS);
// 'interval' acknowledges only at the next timed fsync, so a closed-loop producer manages at most one
// append per interval: its throughput is producers / interval. Shown at two producer counts to make that visible.
await appendBench('interval', payload, PRODUCERS);
await appendBench('interval', payload, PRODUCERS * 8);
await appendBench('never', payload, PRODUCERS);
await readBench(alwaysDir, payload.length);
await rm(alwaysDir, { recursive: true, force: true });

// Benchmark: Forward in -> durable queue (fsync always) -> discard exporter.
//   node test/bench/collector-forward.bench.ts [--records 2000000] [--runs 3] [--batch 1000] [--inflight 8]
// Prints records/s, the collector's CPU seconds per million records and its peak RSS, per run and median.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EventTime, encodeEventStream } from '../../common/forward/index.ts';
import { freePort, startCollectorProcess } from '../support/collector-process.ts';
import { ForwardTestClient } from '../support/forward-client.ts';
import { benchRecord, benchLine } from './lib/records.ts';
import { repeatRuns, cpuSeconds, median, memoryMiB } from './lib/proc.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '2000000' },
    runs: { type: 'string', default: '3' },
    batch: { type: 'string', default: '1000' },
    inflight: { type: 'string', default: '16' },
    fsync: { type: 'string', default: 'always' },
  },
});
const total = Number(values.records);
const batch = Number(values.batch);
const inflight = Number(values.inflight);

// One pre-encoded event stream, re-sent with fresh chunk ids: the client must cost little next to the collector.
const now = Math.floor(Date.now() / 1000);
const stream = encodeEventStream(
  Array.from({ length: batch }, (_, i) => ({ time: new EventTime(now, i * 1000), record: benchRecord(i) })),
);
console.log(
  `record: ${benchLine(0).length} bytes as JSON; ${(stream.length / batch).toFixed(0)} bytes as msgpack; ${batch} per frame, ${inflight} frames in flight`,
);

async function run(): Promise<{ rps: number; cpuPerMillion: number; peakMiB: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-bench-'));
  const collector = await startCollectorProcess(
    dir,
    [
      'receivers:',
      `  forward: { listen: 127.0.0.1, port: ${await freePort()} }`,
      'http:',
      `  listen: 127.0.0.1`,
      `  port: ${await freePort()}`,
      'queue:',
      `  path: ${join(dir, 'queue')}`,
      `  fsync: ${values.fsync}`,
      '  max_bytes: 8GiB',
      'exporters:',
      '  discard: {}',
      'service:',
      '  log_level: info',
    ].join('\n'),
  );
  const pid = collector.child.pid as number;
  try {
    const client = await ForwardTestClient.connect(collector.forwardPort);
    const frames = Math.ceil(total / batch);
    const cpuBefore = cpuSeconds(pid);
    const started = performance.now();
    let next = 0;
    const lanes = Array.from({ length: inflight }, async () => {
      while (next < frames) {
        next++;
        await client.send('bench.app', stream);
      }
    });
    await Promise.all(lanes);
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSeconds(pid) - cpuBefore;
    const sent = frames * batch;
    client.close();
    return { rps: sent / seconds, cpuPerMillion: cpu / (sent / 1e6), peakMiB: memoryMiB(pid).peak };
  } finally {
    await collector.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

const results = await repeatRuns(
  Number(values.runs),
  run,
  (r) =>
    `${Math.round(r.rps).toLocaleString('en')} records/s, ${r.cpuPerMillion.toFixed(2)} collector CPU s per million, peak RSS ${r.peakMiB.toFixed(0)} MiB`,
);
const rps = median(results.map((r) => r.rps));
const cpu = median(results.map((r) => r.cpuPerMillion));
console.log(
  `median of ${results.length}: ${Math.round(rps).toLocaleString('en')} records/s (${(rps / 713_000).toFixed(2)}x Fluent Bit's 713k), ` +
    `${cpu.toFixed(2)} CPU s per million (Fluent Bit 1.02), peak RSS ${median(results.map((r) => r.peakMiB)).toFixed(0)} MiB`,
);

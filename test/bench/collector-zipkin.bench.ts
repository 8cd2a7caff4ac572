// Benchmark: Zipkin v2 HTTP in (batches of 512 OTel-shaped spans) -> durable queue -> discard exporter.
//   node test/bench/collector-zipkin.bench.ts [--requests 2000] [--runs 3] [--concurrency 8]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, startCollectorProcess } from '../support/collector-process.ts';
import { repeatRuns, cpuSeconds, median, memoryMiB } from './lib/proc.ts';
import { otelZipkinSpan } from './lib/spans.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    runs: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '8' },
    batch: { type: 'string', default: '512' },
  },
});
const requests = Number(values.requests);
const batch = Number(values.batch);
// A handful of distinct bodies, re-sent: the client's cost stays small next to the collector's.
const bodies = Array.from({ length: 8 }, (_, b) =>
  JSON.stringify(Array.from({ length: batch }, (_, i) => otelZipkinSpan(b * batch + i))),
);
console.log(
  `${batch} spans per request, ${((bodies[0]?.length ?? 0) / batch).toFixed(0)} bytes per span, ${values.concurrency} requests in flight`,
);

async function run(): Promise<{ sps: number; cpuPerMillion: number; peakMiB: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-bench-'));
  const httpPort = await freePort();
  const collector = await startCollectorProcess(
    dir,
    `receivers:\n  forward: { enabled: false }\nhttp: { listen: 127.0.0.1, port: ${httpPort} }\nqueue: { path: ${join(dir, 'queue')}, fsync: always, max_bytes: 8GiB }\nexporters:\n  discard: {}\n`,
  );
  const pid = collector.child.pid as number;
  try {
    const url = `http://127.0.0.1:${httpPort}/api/v2/spans`;
    let next = 0;
    const cpuBefore = cpuSeconds(pid);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: Number(values.concurrency) }, async () => {
        while (next < requests) {
          const body = bodies[next++ % bodies.length] as string;
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
          if (response.status !== 202) throw new Error(`status ${response.status}: ${await response.text()}`);
          await response.arrayBuffer();
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const spans = requests * batch;
    return {
      sps: spans / seconds,
      cpuPerMillion: (cpuSeconds(pid) - cpuBefore) / (spans / 1e6),
      peakMiB: memoryMiB(pid).peak,
    };
  } finally {
    await collector.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

const results = await repeatRuns(
  Number(values.runs),
  run,
  (r) =>
    `${Math.round(r.sps).toLocaleString('en')} spans/s, ${r.cpuPerMillion.toFixed(2)} collector CPU s per million, peak RSS ${r.peakMiB.toFixed(0)} MiB`,
);
const sps = median(results.map((r) => r.sps));
console.log(
  `median of ${results.length}: ${Math.round(sps).toLocaleString('en')} spans/s (${(sps / 100_000).toFixed(2)}x the 100k target), peak RSS ${median(results.map((r) => r.peakMiB)).toFixed(0)} MiB`,
);

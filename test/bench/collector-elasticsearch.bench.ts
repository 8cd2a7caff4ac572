// Benchmark: Forward in -> durable queue -> Elasticsearch exporter -> the real local Elasticsearch.
//   node test/bench/collector-elasticsearch.bench.ts [--records 300000] [--runs 3]
// Prints end-to-end records/s (until Elasticsearch counts them all) and the collector's CPU seconds
// against Elasticsearch's over the run: the target is that Elasticsearch, not the collector, limits.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@elastic/elasticsearch';
import { EventTime, encodeEventStream } from '../../common/forward/index.ts';
import { readRunRecord } from '../../cli/stack/processes.ts';
import { loadStackSettings } from '../../cli/stack/settings.ts';
import { freePort, startCollectorProcess } from '../support/collector-process.ts';
import { deleteDataStreams, waitForCount } from '../support/es.ts';
import { ForwardTestClient } from '../support/forward-client.ts';
import { ensureStack } from '../support/stack.ts';
import { benchRecord } from './lib/records.ts';
import { repeatRuns, cpuSeconds, groupCpuSeconds, median, memoryMiB } from './lib/proc.ts';

const { values } = parseArgs({
  options: { records: { type: 'string', default: '300000' }, runs: { type: 'string', default: '3' } },
});
const total = Number(values.records);
const stack = await ensureStack();
const esPid = (await readRunRecord(join(loadStackSettings().root, 'elasticsearch', 'run.json')))
  ?.pid as number;
const es = new Client({ node: stack.elasticsearchUrl });

async function run(
  index: number,
): Promise<{ rps: number; collectorCpu: number; esCpu: number; peakMiB: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-bench-'));
  const service = `bench${process.pid}x${index}`;
  const collector = await startCollectorProcess(
    dir,
    [
      `receivers:\n  forward: { listen: 127.0.0.1, port: ${await freePort()} }`,
      `http: { listen: 127.0.0.1, port: ${await freePort()} }`,
      `queue: { path: ${join(dir, 'queue')}, fsync: always, max_bytes: 8GiB }`,
      `exporters:\n  elasticsearch:\n    endpoints: ['${stack.elasticsearchUrl}']\n    templates: { replicas: 0 }`,
    ].join('\n'),
  );
  const pid = collector.child.pid as number;
  const batch = 1000;
  const now = Math.floor(Date.now() / 1000);
  try {
    const client = await ForwardTestClient.connect(collector.forwardPort);
    const cpu0 = cpuSeconds(pid);
    const es0 = groupCpuSeconds(esPid);
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < total / batch) {
          const frame = next++;
          // Distinct events (the collector derives ids from chunk and index), one service = one data stream.
          const stream = encodeEventStream(
            Array.from({ length: batch }, (_, i) => ({
              time: new EventTime(now, i),
              record: { ...benchRecord(frame * batch + i), service },
            })),
          );
          await client.send('bench.app', stream);
        }
      }),
    );
    client.close();
    const indexed = await waitForCount(es, `logs-${service}-default`, { match_all: {} }, total, 600_000);
    if (indexed !== total) throw new Error(`only ${indexed} of ${total} indexed`);
    const seconds = (performance.now() - started) / 1000;
    return {
      rps: total / seconds,
      collectorCpu: cpuSeconds(pid) - cpu0,
      esCpu: groupCpuSeconds(esPid) - es0,
      peakMiB: memoryMiB(pid).peak,
    };
  } finally {
    await collector.kill('SIGTERM');
    await deleteDataStreams(es, `logs-${service}-*`);
    await rm(dir, { recursive: true, force: true });
  }
}

const results = await repeatRuns(
  Number(values.runs),
  run,
  (r) =>
    `${Math.round(r.rps).toLocaleString('en')} records/s into Elasticsearch; CPU s: collector ${r.collectorCpu.toFixed(1)}, Elasticsearch ${r.esCpu.toFixed(1)} (ratio ${(r.collectorCpu / r.esCpu).toFixed(2)}); collector peak RSS ${r.peakMiB.toFixed(0)} MiB`,
);
console.log(
  `median of ${results.length}: ${Math.round(median(results.map((r) => r.rps))).toLocaleString('en')} records/s; collector/Elasticsearch CPU ratio ${median(results.map((r) => r.collectorCpu / r.esCpu)).toFixed(2)} (target < 0.5)`,
);
await es.close();

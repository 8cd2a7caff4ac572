// Benchmark: the collector's memory while Elasticsearch is unreachable and the queue grows on disk.
//   node test/bench/collector-backlog-rss.bench.ts [--records 3000000]
// Ingests into a collector whose Elasticsearch endpoint refuses connections; samples RSS throughout.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EventTime, encodeEventStream } from '../../common/forward/index.ts';
import { freePort, startCollectorProcess } from '../support/collector-process.ts';
import { ForwardTestClient } from '../support/forward-client.ts';
import { benchRecord } from './lib/records.ts';
import { memoryMiB } from './lib/proc.ts';

const { values } = parseArgs({ options: { records: { type: 'string', default: '3000000' } } });
const total = Number(values.records);
const dir = await mkdtemp(join(tmpdir(), 'tributary-bench-'));
const deadPort = await freePort();
const collector = await startCollectorProcess(
  dir,
  [
    `receivers:\n  forward: { listen: 127.0.0.1, port: ${await freePort()} }`,
    `http: { listen: 127.0.0.1, port: ${await freePort()} }`,
    `queue: { path: ${join(dir, 'queue')}, fsync: always, max_bytes: 8GiB }`,
    `exporters:\n  elasticsearch:\n    endpoints: ['http://127.0.0.1:${deadPort}']`,
  ].join('\n'),
);
const pid = collector.child.pid as number;
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, memoryMiB(pid).rss)), 100);
try {
  const stream = encodeEventStream(
    Array.from({ length: 1000 }, (_, i) => ({
      time: new EventTime(1_795_000_000, i),
      record: benchRecord(i),
    })),
  );
  const client = await ForwardTestClient.connect(collector.forwardPort);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < total / 1000) {
        next++;
        await client.send('bench.app', stream);
      }
    }),
  );
  client.close();
  const seconds = (performance.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 3000));
  const { rss } = memoryMiB(pid);
  console.log(
    `${total.toLocaleString('en')} records queued in ${seconds.toFixed(1)} s with Elasticsearch unreachable; ` +
      `collector RSS peak ${Math.max(peak, rss).toFixed(0)} MiB (sampled every 100 ms), ${rss.toFixed(0)} MiB after; target < 300 MiB`,
  );
} finally {
  clearInterval(sampler);
  await collector.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
}

// Micro-benchmark for normaliseLog; not a test. Run: node collector/processors/ecs/ecs.bench.ts
// Prints events/s for a typical ~227-byte instrumentation record, with and without an
// event.id (without one, the id is derived with SHA-256), and for a Fluent Bit kubernetes record
// carrying the event.id the agent's tail input gives it.
import { normaliseLog } from './normalise-log.ts';
import type { LogEvent } from './types.ts';

const typical = {
  level: 30,
  msg: 'order created',
  service: 'orders',
  trace_id: '5982fe77008310cc80f1da5e10147517',
  span_id: '80f1da5e10147517',
  'event.id': '01HX3Q4M6W9ZK8V2R7T5N1B0C',
  order_id: 'o-1234567890',
  user_id: 'u-42',
  duration_ms: 12,
};
const { 'event.id': _id, ...withoutId } = typical;
const k8s = {
  'event.id': 'dev803-ino1234567-off98765432',
  log: '2024-05-01T12:00:00.123Z INFO GET /orders 200 12ms\n',
  stream: 'stdout',
  kubernetes: {
    pod_name: 'orders-7d9f8-abcde',
    namespace_name: 'shop-prod',
    pod_id: '3f1c2a9e-5b7d-4c1e-9f0a-1b2c3d4e5f60',
    labels: { app: 'orders', 'app.kubernetes.io/name': 'orders', 'pod-template-hash': '7d9f8' },
    host: 'node-1',
    container_name: 'orders',
    docker_id: 'c0ffee0123456789',
    container_image: 'registry.example/orders:1.2.3',
  },
};

function bench(name: string, record: Record<string, unknown>): void {
  const n = 200_000;
  const events: LogEvent[] = [];
  // Distinct timestamps, as in a real stream; the per-second prefix cache still hits.
  for (let i = 0; i < 1024; i++)
    events.push({
      tag: 'orders.app',
      time: { seconds: 1714564800 + (i >> 8), nanoseconds: i * 977 },
      record,
    });
  let sink = 0;
  for (let i = 0; i < 50_000; i++) sink += normaliseLog(events[i & 1023] as LogEvent).event.id.length;
  const best: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) sink += normaliseLog(events[i & 1023] as LogEvent).event.id.length;
    const ns = Number(process.hrtime.bigint() - t0);
    best.push((n / ns) * 1e9);
  }
  best.sort((a, b) => b - a);
  const bytes = Buffer.byteLength(JSON.stringify(record));
  console.log(
    `${name.padEnd(34)} ${String(bytes).padStart(4)} B  best ${Math.round(best[0] ?? 0)
      .toLocaleString('en-US')
      .padStart(10)} events/s  median ${Math.round(best[2] ?? 0)
      .toLocaleString('en-US')
      .padStart(10)} events/s${sink < 0 ? '!' : ''}`,
  );
}

console.log(`node ${process.version}, one core`);
bench('typical record, with event.id', typical);
bench('typical record, id derived', withoutId);
bench('fluent bit kubernetes record', k8s);

// Benchmark: audit events from Kafka -> audit service -> the real local Elasticsearch, with the hash
// chain and signed digests on, and with the chain off; then `verify` throughput.
//   node test/bench/audit.bench.ts [--events 100000] [--runs 3] [--partitions 4]
// The events are produced to Kafka once; every run consumes the whole topic again with a new
// consumer group into a new namespace (deleted afterwards), so runs see identical input.
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../../common/log/logger.ts';
import { AuditService } from '../../audit/service.ts';
import { loadSigningKeys } from '../../audit/chain/keys.ts';
import { auditStreams } from '../../audit/store/names.ts';
import { auditEvent, startTestRun } from '../../audit/testing/support.ts';
import { verifyTrail } from '../../audit/verify/verify.ts';
import { median, repeatRuns } from './lib/proc.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
    partitions: { type: 'string', default: '4' },
  },
});
const total = Number(values.events);
const partitions = Number(values.partitions);
const run = await startTestRun({ partitions });

console.log(`producing ${total} audit events to ${partitions} partitions...`);
const messages = Array.from({ length: total }, (_, i) => {
  const e = auditEvent();
  return {
    partition: i % partitions,
    key: String((e['user'] as { id: string }).id),
    value: JSON.stringify(e),
  };
});
await run.produce(messages);
const bytes = messages.reduce((n, m) => n + m.value.length, 0);
console.log(`average event ${Math.round(bytes / total)} bytes as JSON`);

async function ingest(
  chain: boolean,
  index: number,
): Promise<{ eps: number; cpu: number; namespace: string }> {
  const namespace = `${run.namespace}${chain ? 'c' : 'n'}${index}`;
  const config = run.config({
    kafka: { group_id: `bench-${run.id}-${chain ? 'c' : 'n'}${index}` },
    elasticsearch: { namespace },
    chain: { enabled: chain, digest_every_events: 1000 },
    api: { enabled: false },
  });
  const service = await AuditService.start(config, { logger: silentLogger, defaultMetrics: false });
  const indexed = async () => {
    const m = await service.metrics.events.get();
    return m.values.filter((v) => v.labels.result === 'indexed').reduce((n, v) => n + v.value, 0);
  };
  try {
    let n0 = 0;
    while ((n0 = await indexed()) === 0) await sleep(5);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let n = n0;
    while ((n = await indexed()) < total) await sleep(20);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { eps: (n - n0) / seconds, cpu: (cpu.user + cpu.system) / 1e6 / ((n - n0) / 1e6), namespace };
  } finally {
    await service.shutdown();
  }
}

async function drop(namespace: string): Promise<void> {
  const s = auditStreams(namespace);
  for (const index of [s.events, s.digests, s.alerts]) {
    await run.es.indices.delete({ index, ignore_unavailable: true }).catch(() => undefined);
    await run.es.indices.deleteIndexTemplate({ name: `tributary-${index}` }).catch(() => undefined);
  }
}

const runs = Number(values.runs);
const on: number[] = [];
const off: number[] = [];
const verifyRates: number[] = [];
const publicKey = loadSigningKeys({ public_key_file: run.publicKeyFile }).publicKey;
try {
  await repeatRuns(
    runs,
    async (i) => {
      const a = await ingest(true, i);
      const report = await verifyTrail(run.es, auditStreams(a.namespace), { topic: run.topic, publicKey });
      if (!report.ok || report.events !== total)
        throw new Error(`verify failed: ${JSON.stringify(report.first)}`);
      await drop(a.namespace);
      const b = await ingest(false, i);
      await drop(b.namespace);
      on.push(a.eps);
      off.push(b.eps);
      verifyRates.push(report.events / report.seconds);
      return { a, b, verify: report.events / report.seconds, digests: report.digests };
    },
    (r) =>
      `chain on ${Math.round(r.a.eps)} events/s (${r.a.cpu.toFixed(1)} CPU s per million in this process), ` +
      `chain off ${Math.round(r.b.eps)} events/s (${r.b.cpu.toFixed(1)} CPU s per million); ` +
      `verify ${Math.round(r.verify)} events/s over ${r.digests} digests`,
  );
  const mOn = median(on);
  const mOff = median(off);
  console.log(
    `median of ${runs}: chain on ${Math.round(mOn)} events/s, chain off ${Math.round(mOff)} events/s, ` +
      `ratio ${(mOn / mOff).toFixed(3)} (chain cost ${((1 - mOn / mOff) * 100).toFixed(1)}%); verify ${Math.round(median(verifyRates))} events/s`,
  );
} finally {
  await run.cleanup();
}

// Chunk encoding throughput, single core. Not a test: run it with
//   node agent/outputs/forward/encode.bench.ts [events-per-chunk] [chunks]
// Compares ForwardEncoder with building EntryInputs for common/forward's encodePackedForward.
import { EventTime, encodePackedForward } from '../../../common/forward/index.ts';
import type { LogEvent } from '../../engine/types.ts';
import { ForwardEncoder } from './encode.ts';
import type { EncodeSettings } from './encode.ts';

const PER_CHUNK = Number(process.argv[2] ?? 2000);
const CHUNKS = Number(process.argv[3] ?? 500);

const events: LogEvent[] = Array.from({ length: PER_CHUNK }, (_, i) => ({
  sec: 1_700_000_000 + i,
  nsec: (i * 7919) % 1_000_000_000,
  record: {
    log: `2026-11-23T00:00:00Z INFO request handled path=/api/v1/orders/${100000 + i} status=200`,
    stream: 'stdout',
    kubernetes: { pod_name: `orders-${i % 13}`, namespace_name: 'shop', container_name: 'orders' },
    seq: i,
  },
}));
const chunk = { tag: 'kube.var.log.containers.orders', events, bytes: 0 };

async function run(name: string, settings: EncodeSettings | undefined): Promise<void> {
  const encoder = new ForwardEncoder();
  let bytes = 0;
  const started = process.hrtime.bigint();
  for (let c = 0; c < CHUNKS; c++) {
    if (settings === undefined) {
      const entries = chunk.events.map((e) => ({ time: new EventTime(e.sec, e.nsec), record: e.record }));
      bytes += encodePackedForward(chunk.tag, entries, { size: entries.length }).length;
    } else {
      bytes += (await encoder.encode(chunk, settings)).frame.length;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const perSecond = Math.round((PER_CHUNK * CHUNKS) / seconds);
  console.log(
    `${name.padEnd(34)} ${perSecond.toLocaleString('en').padStart(12)} events/s  ${(bytes / seconds / 1e6).toFixed(0)} MB/s of frames`,
  );
}

const base = { timeAsInteger: false, sendOptions: true, requireAck: false, compress: false, tag: undefined };
for (let round = 0; round < 2; round++) {
  await run('common/forward encodePackedForward', undefined);
  await run('ForwardEncoder', base);
  await run('ForwardEncoder, Compress gzip', { ...base, compress: true });
}

// Benchmark (not a test): tcp json -> null. Fluent Bit does ~944k records/s here with ~227-byte
// JSON objects over 1 or 4 connections. Run:
//   node agent/inputs/tcp/tcp.bench.ts [records] [connections]
// The senders run in a child process so that process.cpuUsage() below is the input's cost alone:
// socket reads, UTF-8 decoding, splitting and JSON.parse of every object, one batch per read.
import { fork } from 'node:child_process';
import { connect } from 'node:net';
import { TcpInput } from './input.ts';

function object(i: number): string {
  // ~227 bytes: a typical structured service log record (same shape as tail.bench.ts).
  const ts = new Date(1_700_000_000_000 + i).toISOString();
  const base = `{"time":"${ts}","level":"info","service":"checkout","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","msg":"order placed","order":${i},"pad":"`;
  return base + 'x'.repeat(Math.max(0, 226 - base.length - 2)) + '"}\n';
}

async function sender(port: number, records: number): Promise<void> {
  // Large writes: 4096 objects (~0.9 MB) per write, reused.
  let text = '';
  for (let i = 0; i < 4096; i++) text += object(i);
  const block = Buffer.from(text);
  const sock = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => sock.once('connect', resolve));
  let sent = 0;
  while (sent < records) {
    const n = Math.min(4096, records - sent);
    const buf = n === 4096 ? block : Buffer.from(text.split('\n', n).join('\n') + '\n');
    if (!sock.write(buf)) await new Promise<void>((resolve) => sock.once('drain', resolve));
    sent += n;
  }
  await new Promise<void>((resolve) => sock.end(resolve));
}

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 2_000_000);
  const conns = Number(process.argv[3] ?? 4);
  let received = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const input = new TcpInput({
    listen: '127.0.0.1',
    port: 0,
    onRecords: (batch) => {
      received += batch.records.length;
      if (received >= total) done();
    },
  });
  const { port } = await input.start();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const per = Math.ceil(total / conns);
  const exited = Array.from({ length: conns }, (_, c) => {
    const child = fork(
      import.meta.filename,
      ['--send', String(port), String(Math.min(per, total - c * per))],
      {
        execArgv: ['--disable-warning=ExperimentalWarning'],
      },
    );
    return new Promise((resolve) => child.once('exit', resolve));
  });
  await finished;
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  const m = input.metrics();
  console.log(
    `tcp json -> null: ${conns} connection(s), ${received} records of ~227 B, ${(m.bytes / 1e6).toFixed(0)} MB in ${secs.toFixed(2)} s: ` +
      `${Math.round(received / secs).toLocaleString('en-US')} records/s, ` +
      `${((cpuSecs / received) * 1e6).toFixed(2)} CPU s per million records (input process), errors ${JSON.stringify(m.errors)}`,
  );
  await Promise.all(exited);
  await input.stop(1000);
}

if (process.argv[2] === '--send') {
  await sender(Number(process.argv[3]), Number(process.argv[4]));
} else {
  await main();
}

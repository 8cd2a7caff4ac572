// Benchmark: the agent issue's pipelines, the agent as a real `tributary agent` process.
//   node test/bench/agent.bench.ts [--lines 5000000] [--runs 3] [--only tail-null,tail-null-threaded,tail-forward,tcp-1,tcp-4,idle]
// The input file (JSON lines of about 227 bytes) is generated once under /var/tmp and read from a warm
// page cache. Time runs from the agent's first record to its last (read from /api/v1/metrics every
// 100 ms); CPU seconds come from /proc, minus what the process used to start.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startAgentProcess, type AgentProcess } from '../support/agent-process.ts';
import { freePort, startCollectorProcess, type CollectorProcess } from '../support/collector-process.ts';
import { agentBenchLine } from './lib/records.ts';
import { cpuSeconds, median, memoryMiB, repeatRuns } from './lib/proc.ts';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '5000000' },
    runs: { type: 'string', default: '3' },
    only: { type: 'string', default: 'tail-null,tail-null-threaded,tail-forward,tcp-1,tcp-4,idle' },
  },
});
const total = Number(values.lines);
const runs = Number(values.runs);
const only = new Set(values.only.split(','));

interface Figures {
  rps: number;
  mbps: number;
  agentCpuPerMillion: number;
  receiverCpuPerMillion?: number;
  agentPeakMiB: number;
  receiverPeakMiB?: number;
}

async function inputFile(): Promise<{ path: string; bytes: number }> {
  const dir = '/var/tmp/tributary-bench';
  await mkdir(dir, { recursive: true });
  const path = join(dir, `agent-${total}.log`);
  if (!existsSync(path)) {
    console.log(`generating ${path} ...`);
    const fh = await open(`${path}.tmp`, 'w');
    let block = '';
    for (let i = 0; i < total; i++) {
      block += agentBenchLine(i) + '\n';
      if (block.length > 4 << 20) {
        await fh.write(block);
        block = '';
      }
    }
    await fh.write(block);
    await fh.close();
    const { rename } = await import('node:fs/promises');
    await rename(`${path}.tmp`, path);
  }
  // Warm the page cache, as the reference run did.
  readFileSync(path);
  return { path, bytes: statSync(path).size };
}

const service = (httpPort: number): string =>
  `[SERVICE]\n    Grace 1\n    HTTP_Server On\n    HTTP_Listen 127.0.0.1\n    HTTP_Port ${httpPort}\n`;

const tailInput = (path: string, threaded = false): string =>
  `[INPUT]\n    Name tail\n    Path ${path}\n    Tag bench\n    Parser json\n    Read_from_Head on\n    Refresh_Interval 60\n    Threaded ${threaded ? 'on' : 'off'}\n`;

/** Polls the agent until its outputs processed `expected` records; returns the first-to-last record time. */
async function measure(agent: AgentProcess, expected: number): Promise<number> {
  let firstAt: number | undefined;
  for (;;) {
    const m = await agent.metrics();
    const read = Object.values(m.input).reduce((n, c) => n + c.records, 0);
    const done = Object.values(m.output).reduce((n, c) => n + c.proc_records, 0);
    const now = Date.now();
    if (firstAt === undefined && read > 0) firstAt = now - 50;
    if (done >= expected) return (now - (firstAt ?? now)) / 1000;
    await sleep(100);
  }
}

async function runAgent(
  config: (httpPort: number) => string,
  bytes: number,
  drive?: () => Promise<void>,
  receiver?: CollectorProcess,
): Promise<Figures> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-agent-bench-'));
  const agent = await startAgentProcess(dir, config(await freePort()));
  const pid = agent.child.pid as number;
  const cpu0 = cpuSeconds(pid);
  const rcpu0 = receiver ? cpuSeconds(receiver.child.pid as number) : 0;
  try {
    const driving = drive?.();
    const seconds = await measure(agent, total);
    await driving;
    const millions = total / 1e6;
    return {
      rps: total / seconds,
      mbps: bytes / 1e6 / seconds,
      agentCpuPerMillion: (cpuSeconds(pid) - cpu0) / millions,
      agentPeakMiB: memoryMiB(pid).peak,
      ...(receiver
        ? {
            receiverCpuPerMillion: (cpuSeconds(receiver.child.pid as number) - rcpu0) / millions,
            receiverPeakMiB: memoryMiB(receiver.child.pid as number).peak,
          }
        : {}),
    };
  } finally {
    await agent.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}

async function startReceiver(dir: string): Promise<CollectorProcess> {
  return startCollectorProcess(
    dir,
    [
      `receivers:\n  forward: { listen: 127.0.0.1, port: ${await freePort()} }`,
      `http: { listen: 127.0.0.1, port: ${await freePort()} }`,
      `queue: { path: ${join(dir, 'queue')}, fsync: never, max_bytes: 8GiB }`,
      'exporters:\n  discard: {}',
    ].join('\n'),
  );
}

/** Sends the file's lines over `connections` sockets, as fast as the agent reads them. */
async function sendTcp(port: number, path: string, connections: number): Promise<void> {
  const data = readFileSync(path);
  const per = Math.ceil(data.length / connections);
  const parts: Buffer[] = [];
  let start = 0;
  for (let c = 0; c < connections; c++) {
    let end = Math.min(data.length, start + per);
    while (end < data.length && data[end - 1] !== 0x0a) end++;
    parts.push(data.subarray(start, end));
    start = end;
  }
  await Promise.all(
    parts.map(
      (part) =>
        new Promise<void>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1', () => {
            let offset = 0;
            const pump = (): void => {
              while (offset < part.length) {
                const slice = part.subarray(offset, offset + (1 << 20));
                offset += slice.length;
                if (!socket.write(slice)) {
                  socket.once('drain', pump);
                  return;
                }
              }
              socket.end(resolve);
            };
            pump();
          });
          socket.on('error', reject);
        }),
    ),
  );
}

function describe(f: Figures): string {
  const receiver =
    f.receiverCpuPerMillion === undefined
      ? ''
      : `, receiver ${f.receiverCpuPerMillion.toFixed(2)} CPU s/M, receiver peak ${f.receiverPeakMiB?.toFixed(0)} MiB`;
  return `${(f.rps / 1000).toFixed(0)}k rec/s, ${f.mbps.toFixed(0)} MB/s, agent ${f.agentCpuPerMillion.toFixed(2)} CPU s/M, agent peak ${f.agentPeakMiB.toFixed(0)} MiB${receiver}`;
}

function summary(name: string, results: Figures[], reference: number): void {
  const m = (pick: (f: Figures) => number | undefined): number =>
    median(results.map(pick).filter((v): v is number => v !== undefined));
  const rps = m((f) => f.rps);
  console.log(
    `${name}: median ${(rps / 1000).toFixed(0)}k rec/s (${(rps / reference).toFixed(2)}x Fluent Bit's ${reference / 1000}k), ${m((f) => f.mbps).toFixed(0)} MB/s, agent ${m((f) => f.agentCpuPerMillion).toFixed(2)} CPU s/M, agent peak ${m((f) => f.agentPeakMiB).toFixed(0)} MiB` +
      (results[0]?.receiverCpuPerMillion === undefined
        ? ''
        : `, receiver ${m((f) => f.receiverCpuPerMillion).toFixed(2)} CPU s/M, receiver peak ${m((f) => f.receiverPeakMiB).toFixed(0)} MiB`),
  );
}

const { path, bytes } = await inputFile();
console.log(
  `input: ${total} lines, ${(bytes / 1e9).toFixed(2)} GB, ${(bytes / total).toFixed(0)} bytes per line`,
);

if (only.has('tail-null')) {
  console.log('\ntail (Parser json) -> null');
  const results = await repeatRuns(
    runs,
    () => runAgent((p) => `${service(p)}${tailInput(path)}[OUTPUT]\n    Name null\n    Match *\n`, bytes),
    describe,
  );
  summary('tail -> null', results, 1_050_000);
}

if (only.has('tail-null-threaded')) {
  console.log('\ntail (Parser json, Threaded On: parse workers) -> null');
  const results = await repeatRuns(
    runs,
    () =>
      runAgent((p) => `${service(p)}${tailInput(path, true)}[OUTPUT]\n    Name null\n    Match *\n`, bytes),
    describe,
  );
  summary('tail (threaded) -> null', results, 1_050_000);
}

if (only.has('tail-forward')) {
  console.log('\ntail (Parser json) -> forward (acks) -> collector -> discard');
  const results = await repeatRuns(
    runs,
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'tributary-receiver-bench-'));
      const receiver = await startReceiver(dir);
      try {
        return await runAgent(
          (p) =>
            `${service(p)}${tailInput(path)}[OUTPUT]\n    Name forward\n    Match *\n    Port ${receiver.forwardPort}\n    Require_ack_response on\n`,
          bytes,
          undefined,
          receiver,
        );
      } finally {
        await receiver.kill('SIGKILL');
        await rm(dir, { recursive: true, force: true });
      }
    },
    describe,
  );
  summary('tail -> forward -> collector', results, 713_000);
}

for (const connections of [1, 4]) {
  if (!only.has(`tcp-${connections}`)) continue;
  console.log(`\ntcp (Format json, ${connections} connection${connections > 1 ? 's' : ''}) -> null`);
  const results = await repeatRuns(
    runs,
    async () => {
      const port = await freePort();
      return runAgent(
        (p) =>
          `${service(p)}[INPUT]\n    Name tcp\n    Listen 127.0.0.1\n    Port ${port}\n    Tag bench\n[OUTPUT]\n    Name null\n    Match *\n`,
        bytes,
        () => sendTcp(port, path, connections),
      );
    },
    describe,
  );
  summary(`tcp x${connections} -> null`, results, 944_000);
}

if (only.has('idle')) {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-agent-idle-'));
  const receiver = await startReceiver(dir);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const agentDir = await mkdtemp(join(tmpdir(), 'tributary-agent-idle-run-'));
    const agent = await startAgentProcess(
      agentDir,
      `${service(await freePort())}[INPUT]\n    Name tail\n    Path ${agentDir}/*.log\n    Tag idle\n    Parser json\n    DB ${agentDir}/offsets.db\n[OUTPUT]\n    Name forward\n    Match *\n    Port ${receiver.forwardPort}\n    Require_ack_response on\n`,
    );
    await sleep(5000);
    samples.push(memoryMiB(agent.child.pid as number).rss);
    console.log(`run ${i + 1}: idle RSS ${samples.at(-1)?.toFixed(1)} MiB`);
    await agent.kill('SIGKILL');
    await rm(agentDir, { recursive: true, force: true });
  }
  await receiver.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
  console.log(`idle RSS (tail + forward): median ${median(samples).toFixed(1)} MiB (Fluent Bit 12.8 MB)`);
}

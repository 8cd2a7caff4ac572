// Benchmark: what the instrumentation package costs a koa service. autocannon drives the inventory
// example (three GET /stock/:sku to one POST /reservations, 10 connections) in three configurations:
//   plain    the package not loaded at all
//   tracing  node --import .../register, no log events (spans only)
//   full     tracing + the koa middleware (one access-log event per request) + an audit event per POST
// Spans go to a Zipkin endpoint and logs to a Forward server (with acks) in a separate sink process,
// so the instrumented service really ships everything. Rounds run the configurations in turn, so
// that drift on a shared machine hits all of them alike; the medians of the rounds are reported.
// Each run: throughput and latency at saturation (`--duration` s, autocannon), the service's CPU
// time per request (from /proc, steadier than throughput on a shared machine), then latency at a
// steady `--rate` well below saturation (what a request feels at ordinary load; an open-loop
// generator of our own, lib/paced-load.ts, since autocannon's rate limit sends in bursts), and RSS
// idle and loaded.
//   node test/bench/instrumentation.bench.ts [--duration 30] [--runs 3] [--connections 10] [--rate 1000]
//     [--configs plain,tracing,full,full-sampled,spin] [--work-us 0] [--spin-us 60]
//   full-sampled  full at OTEL_TRACES_SAMPLER_ARG=0.1
//   spin          plain plus `--spin-us` of busy CPU per request: a calibration row, what any added
//                 per-request CPU costs on this machine (the load generator shares its cores)
//   --work-us     CPU every inventory request burns in all configurations, standing in for a
//                 handler that does real work (the example's handlers are nearly free)
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { ForwardServer } from '../../common/forward/index.ts';
import { pacedLoad, type PacedRequest } from './lib/paced-load.ts';
import { cpuSeconds, median, memoryMiB } from './lib/proc.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '30' },
    runs: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    rate: { type: 'string', default: '1000' },
    'rate-duration': { type: 'string', default: '10' },
    configs: { type: 'string', default: 'plain,tracing,full' },
    'work-us': { type: 'string', default: '0' },
    'spin-us': { type: 'string', default: '60' },
    sink: { type: 'boolean', default: false },
  },
});

/** The parts of autocannon's programmatic API used here (it ships no type declarations). */
interface AutocannonResult {
  errors: number;
  non2xx: number;
}
interface AutocannonInstance {
  on(
    event: 'response',
    listener: (client: unknown, statusCode: number, bytes: number, responseTime: number) => void,
  ): void;
}
type Autocannon = (
  options: {
    url: string;
    connections: number;
    duration: number;
    requests: { method: string; path: string; headers?: Record<string, string>; body?: string }[];
  },
  done: (error: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const ROOT = join(import.meta.dirname, '..', '..');
const REGISTER = join(ROOT, 'instrumentation', 'register.ts');
const INVENTORY = join(ROOT, 'instrumentation', 'examples', 'inventory.ts');

// --- the sink process: counts what arrives, as cheaply as it can --------------------------------

async function runSink(): Promise<void> {
  const counts = { records: 0, frames: 0, spans: 0, spanRequests: 0 };
  const forward = new ForwardServer({
    host: '127.0.0.1',
    port: 0,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    onFrame: async (frame) => {
      counts.frames++;
      counts.records += frame.entryCount;
    },
  });
  await forward.start();
  const http = createServer((req, res) => {
    if (req.url === '/counts') {
      res.end(JSON.stringify(counts));
      return;
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      counts.spanRequests++;
      for (let i = body.indexOf('"traceId"'); i !== -1; i = body.indexOf('"traceId"', i + 9)) counts.spans++;
      res.statusCode = 202;
      res.end();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  process.stdout.write(
    `${JSON.stringify({ forwardPort: forward.address?.port, httpPort: (http.address() as AddressInfo).port })}\n`,
  );
}

// --- the benchmark -----------------------------------------------------------------------------

type Config = 'plain' | 'tracing' | 'full' | 'full-sampled' | 'spin';
const KNOWN: readonly Config[] = ['plain', 'tracing', 'full', 'full-sampled', 'spin'];
const CONFIGS = (values.configs ?? '').split(',').map((c) => {
  if (!(KNOWN as readonly string[]).includes(c))
    throw new Error(`--configs: ${c} is not one of ${KNOWN.join(', ')}`);
  return c as Config;
});
if (CONFIGS[0] !== 'plain') throw new Error('--configs must start with plain (the baseline)');
function micros(flag: string, value: string | undefined): number {
  const v = Number(value);
  if (!Number.isInteger(v) || v < 0) throw new Error(`${flag}: a whole number of microseconds, not ${value}`);
  return v;
}
const WORK_US = micros('--work-us', values['work-us']);
const SPIN_US = micros('--spin-us', values['spin-us']);

interface Sinks {
  child: ChildProcess;
  forwardPort: number;
  httpPort: number;
}

interface RunResult {
  rps: number;
  p50: number;
  p99: number;
  cpuUs: number;
  rateP50: number;
  rateP99: number;
  rateLagMs: number;
  errors: number;
  idleRss: number;
  loadRss: number;
  peakRss: number;
  records: number;
  spans: number;
  requests: number;
}

async function startSinks(): Promise<Sinks> {
  const child = spawn(process.execPath, [import.meta.filename, '--sink'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve) =>
    child.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  const { forwardPort, httpPort } = JSON.parse(line) as { forwardPort: number; httpPort: number };
  return { child, forwardPort, httpPort };
}

async function sinkCounts(sinks: Sinks): Promise<{ records: number; spans: number }> {
  const response = await fetch(`http://127.0.0.1:${sinks.httpPort}/counts`);
  return (await response.json()) as { records: number; spans: number };
}

async function startService(config: Config, sinks: Sinks): Promise<{ child: ChildProcess; url: string }> {
  const uninstrumented = config === 'plain' || config === 'spin';
  const args = uninstrumented ? [INVENTORY] : ['--import', REGISTER, INVENTORY];
  const mode = config === 'full-sampled' ? 'full' : config === 'spin' ? 'plain' : config;
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: '0',
      EXAMPLE_MODE: mode,
      EXAMPLE_WORK_US: String(WORK_US + (config === 'spin' ? SPIN_US : 0)),
      OTEL_TRACES_SAMPLER_ARG: config === 'full-sampled' ? '0.1' : '1',
      OTEL_SERVICE_NAME: 'inventory',
      TRIBUTARY_ZIPKIN_URL: `http://127.0.0.1:${sinks.httpPort}/api/v2/spans`,
      TRIBUTARY_FORWARD_PORT: String(sinks.forwardPort),
      TRIBUTARY_LOG_OUTPUT: mode === 'full' ? 'forward' : 'none',
    },
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`service exited with ${code}:\n${output}`)));
  });
  return { child, url };
}

const USER = { 'x-user-id': 'bench-user', 'x-user-name': 'Bench', 'x-user-roles': 'clerk' };
/** The request mix, in order: three GETs of stock to one audited POST of a reservation. */
const REQUESTS: PacedRequest[] = [
  { method: 'GET', path: '/stock/sku-1', headers: USER },
  { method: 'GET', path: '/stock/sku-2', headers: USER },
  { method: 'GET', path: '/stock/sku-3', headers: USER },
  {
    method: 'POST',
    path: '/reservations',
    headers: { ...USER, 'content-type': 'application/json' },
    body: JSON.stringify({ sku: 'sku-1', quantity: 1 }),
  },
];

/** Closed-loop load at saturation: each connection sends its next request when the last answers. */
function load(
  url: string,
  seconds: number,
): Promise<{ result: AutocannonResult; latencies: Float64Array; count: number }> {
  let latencies = new Float64Array(1 << 20);
  let count = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url, connections: Number(values.connections), duration: seconds, requests: REQUESTS },
      (error, result) => (error ? reject(error) : resolve({ result, latencies, count })),
    );
    // autocannon's own histogram keeps whole milliseconds; these keep the fraction.
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      if (count === latencies.length) {
        const bigger = new Float64Array(latencies.length * 2);
        bigger.set(latencies);
        latencies = bigger;
      }
      latencies[count++] = responseTime;
    });
  });
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function runOnce(config: Config, sinks: Sinks): Promise<RunResult> {
  const service = await startService(config, sinks);
  const pid = service.child.pid as number;
  try {
    await sleep(2000);
    const idleRss = memoryMiB(pid).rss;
    await load(service.url, Number(values.warmup));
    const before = await sinkCounts(sinks);
    const cpuBefore = cpuSeconds(pid);
    const { result, latencies, count } = await load(service.url, Number(values.duration));
    const cpuUs = ((cpuSeconds(pid) - cpuBefore) * 1e6) / count;
    const loadRss = memoryMiB(pid).rss;
    const peakRss = memoryMiB(pid).peak;
    await sleep(1500); // the last batch of spans and logs
    const after = await sinkCounts(sinks);
    const sorted = latencies.subarray(0, count).sort();
    // A short paced warm-up first: the generator's own http client is cold in the first run.
    await pacedLoad(service.url, Number(values.rate), 2, REQUESTS, Number(values.connections));
    const paced = await pacedLoad(
      service.url,
      Number(values.rate),
      Number(values['rate-duration']),
      REQUESTS,
      Number(values.connections),
    );
    const pacedSorted = paced.latencies.subarray(0, paced.count).sort();
    return {
      rps: count / Number(values.duration),
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      cpuUs,
      rateP50: percentile(pacedSorted, 50),
      rateP99: percentile(pacedSorted, 99),
      rateLagMs: paced.maxLagMs,
      errors: result.errors + result.non2xx + paced.errors,
      idleRss,
      loadRss,
      peakRss,
      records: after.records - before.records,
      spans: after.spans - before.spans,
      requests: count,
    };
  } finally {
    service.child.kill('SIGKILL');
    await new Promise((resolve) => service.child.once('exit', resolve));
  }
}

async function main(): Promise<void> {
  const runs = Number(values.runs);
  console.log(
    `inventory example, ${values.connections} connections, ${values.duration} s per run (+${values.warmup} s warm-up), ` +
      `${runs} rounds of ${CONFIGS.join(' / ')}; 3 GET : 1 POST; handler work ${WORK_US} us` +
      `${CONFIGS.includes('spin') ? `, spin +${SPIN_US} us` : ''}; Node ${process.version}`,
  );
  const sinks = await startSinks();
  const results = new Map<Config, RunResult[]>(CONFIGS.map((c) => [c, []]));
  try {
    for (let round = 1; round <= runs; round++) {
      for (const config of CONFIGS) {
        const r = await runOnce(config, sinks);
        results.get(config)?.push(r);
        console.log(
          `round ${round} ${config.padEnd(12)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(2)} ms  ` +
            `p99 ${r.p99.toFixed(2)} ms  CPU ${r.cpuUs.toFixed(0)} us/req  @${values.rate}/s p50 ${r.rateP50.toFixed(2)} ` +
            `p99 ${r.rateP99.toFixed(2)} ms (generator lag <= ${r.rateLagMs.toFixed(1)} ms)  errors ${r.errors}  RSS idle ${r.idleRss.toFixed(1)} / load ` +
            `${r.loadRss.toFixed(1)} / peak ${r.peakRss.toFixed(1)} MiB  shipped per request: ` +
            `${(r.records / r.requests).toFixed(2)} log events, ${(r.spans / r.requests).toFixed(2)} spans`,
        );
      }
    }
  } finally {
    sinks.child.kill('SIGTERM');
  }
  const med = (config: Config, key: keyof RunResult) =>
    median((results.get(config) ?? []).map((r) => r[key]));
  const ratio = (config: Config, key: keyof RunResult) => (med(config, key) / med('plain', key)).toFixed(3);
  const delta = (config: Config, key: keyof RunResult) => (med(config, key) - med('plain', key)).toFixed(2);
  console.log(`\nmedians of ${runs} (ratio to plain, +ms added)`);
  console.log(
    'config           req/s  ratio   p50 ms  ratio   p99 ms  ratio    +p99 | CPU us/req ratio |' +
      ` @${values.rate}/s p50   +ms    p99    +ms | RSS idle  load  peak MiB`,
  );
  for (const config of CONFIGS) {
    console.log(
      `${config.padEnd(13)} ${med(config, 'rps').toFixed(0).padStart(7)}  ${ratio(config, 'rps')}  ` +
        `${med(config, 'p50').toFixed(2).padStart(6)}  ${ratio(config, 'p50')}  ${med(config, 'p99').toFixed(2).padStart(6)}  ` +
        `${ratio(config, 'p99')}  ${delta(config, 'p99').padStart(6)} | ${med(config, 'cpuUs').toFixed(0).padStart(6)}  ` +
        `${ratio(config, 'cpuUs')} | ${med(config, 'rateP50').toFixed(2).padStart(10)} ${delta(config, 'rateP50').padStart(5)} ` +
        `${med(config, 'rateP99').toFixed(2).padStart(6)} ${delta(config, 'rateP99').padStart(6)} | ` +
        `${med(config, 'idleRss').toFixed(1).padStart(8)} ${med(config, 'loadRss').toFixed(1).padStart(5)} ${med(config, 'peakRss').toFixed(1).padStart(5)}`,
    );
  }
  for (const config of CONFIGS.slice(1)) {
    if (config === 'spin') continue;
    console.log(
      `RSS added by the package (${config}): idle +${(med(config, 'idleRss') - med('plain', 'idleRss')).toFixed(1)} MiB, ` +
        `under load +${(med(config, 'loadRss') - med('plain', 'loadRss')).toFixed(1)} MiB`,
    );
  }
}

if (values.sink) await runSink();
else await main();

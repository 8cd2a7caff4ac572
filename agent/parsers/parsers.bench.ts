// Parser throughput, single core. Not a test: run it with
//   node agent/parsers/parsers.bench.ts [lines]
// Reference: Fluent Bit does 1.05M lines/s of the same ~227-byte JSON lines
// (tail + Parser json) on one core of the benchmark machine.

import { createMultilineParser } from './multiline.ts';
import { BUILTIN_PARSERS, getBuiltinParser } from './builtin.ts';
import { createParser } from './parser.ts';
import { ParseError } from './errors.ts';
import type { ParseResult } from './types.ts';

const N = Number(process.argv[2] ?? 1_000_000);

function hex(n: number, seed: number): string {
  let s = '';
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    s += (x >>> 28).toString(16);
  }
  return s;
}

// A pool of distinct lines (so nothing is cached by accident), cycled N times.
const POOL = 4096;
const jsonLines: string[] = [];
const jsonBuffers: Buffer[] = [];
const nginxLines: string[] = [];
const logfmtLines: string[] = [];
const criLines: string[] = [];
const dockerLines: string[] = [];
for (let i = 0; i < POOL; i++) {
  const ms = String(i % 1000).padStart(3, '0');
  const line =
    `{"timestamp":"2026-11-23T00:00:${String(i % 60).padStart(2, '0')}.${ms}Z","level":"info","service":"orders",` +
    `"message":"request handled path=/api/v1/orders/${100000 + i} status=200","trace_id":"${hex(32, i)}",` +
    `"span_id":"${hex(16, i + 7)}","duration_ms":${i % 97},"user_id":"u${i % 100}","seq":${i}}`;
  jsonLines.push(line);
  jsonBuffers.push(Buffer.from(line));
  nginxLines.push(
    `10.0.${i % 255}.${i % 7} - - [23/Nov/2026:00:00:${String(i % 60).padStart(2, '0')} +0000] "GET /api/v1/orders/${i} HTTP/1.1" 200 ${i % 5000} "-" "Mozilla/5.0 (X11; Linux x86_64) curl/8.${i % 9}"`,
  );
  logfmtLines.push(
    `ts=2026-11-23T00:00:00.${ms}Z level=info service=orders msg="request handled path=/api/v1/orders/${i}" status=200 duration_ms=${i % 97} trace_id=${hex(32, i)}`,
  );
  criLines.push(
    `2026-11-23T00:00:00.${ms}456789Z stdout ${i % 4 === 0 ? 'P' : 'F'} request handled seq=${i} path=/api/v1/orders`,
  );
  dockerLines.push(
    JSON.stringify({
      log: `request handled seq=${i} path=/api/v1/orders${i % 4 === 0 ? '' : '\n'}`,
      stream: 'stdout',
      time: `2026-11-23T00:00:00.${ms}456789Z`,
    }),
  );
}

const avgBytes = Math.round(jsonLines.reduce((a, l) => a + Buffer.byteLength(l), 0) / POOL);

function bench(name: string, fn: (i: number) => unknown): void {
  // Warm up, then time.
  for (let i = 0; i < 200_000; i++) fn(i & (POOL - 1));
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const r = fn(i & (POOL - 1));
    if (r instanceof ParseError) sink++;
  }
  const ns = Number(process.hrtime.bigint() - t0);
  const rate = (N / ns) * 1e9;
  console.log(
    `${name.padEnd(44)} ${(rate / 1e6).toFixed(2).padStart(6)} M lines/s  (${(ns / N).toFixed(0)} ns/line${sink ? `, ${sink} errors` : ''})`,
  );
}

console.log(`node ${process.version}, ${N.toLocaleString()} lines per case, JSON lines ~${avgBytes} bytes`);

const jsonPlain = createParser({ name: 'json', format: 'json' });
const jsonTime = createParser({
  name: 'json-time',
  format: 'json',
  time_key: 'timestamp',
  time_format: '%Y-%m-%dT%H:%M:%S.%LZ',
});
const jsonTimeKeep = createParser({
  name: 'json-time-keep',
  format: 'json',
  time_key: 'timestamp',
  time_format: '%Y-%m-%dT%H:%M:%S.%L%z',
  time_keep: true,
});
bench('JSON.parse alone (floor)', (i) => JSON.parse(jsonLines[i] as string));
bench('json', (i) => jsonPlain.parse(jsonLines[i] as string));
bench('json + Time_Key/Time_Format (key removed)', (i) => jsonTime.parse(jsonLines[i] as string));
bench('json + Time_Key/Time_Format + Time_Keep', (i) => jsonTimeKeep.parse(jsonLines[i] as string));
bench('json from Buffer (utf8 decode + parse + time)', (i) => jsonTime.parseBuffer(jsonBuffers[i] as Buffer));

const nginx = getBuiltinParser('nginx');
if (nginx === undefined) throw new Error('nginx parser missing');
bench('regex (parsers.conf nginx, with time)', (i) => nginx.parse(nginxLines[i] as string));

const logfmt = createParser({
  name: 'logfmt',
  format: 'logfmt',
  time_key: 'ts',
  time_format: '%Y-%m-%dT%H:%M:%S.%L%z',
});
bench('logfmt (+ time)', (i) => logfmt.parse(logfmtLines[i] as string));

bench('cri (parsers.conf regex)', (i) => BUILTIN_PARSERS.cri.parse(criLines[i] as string));

const criMl = createMultilineParser('cri').create();
bench('multiline cri (1 in 4 lines partial)', (i): ParseResult[] => criMl.push(criLines[i] as string));

const dockerMl = createMultilineParser('docker').create();
bench('multiline docker (1 in 4 lines partial)', (i): ParseResult[] =>
  dockerMl.push(dockerLines[i] as string),
);

// Benchmark (not a test): tail -> null over 1M lines of ~227-byte JSON from a warm page cache.
// Fluent Bit does ~1.05M lines/s on one core here. Run:
//   node agent/inputs/tail/tail.bench.ts [lines] [--decode]
// Prints lines/s and MB/s for reading + splitting (no parsing); --decode also turns every line into
// a JS string (what any parser will at least do).
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tailConfigFromValues } from './config.ts';
import { LineSplitter } from './reader.ts';
import { tailInstance } from './test-helpers.ts';
import { TailInput } from './tailer.ts';

const LINES = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const DECODE = process.argv.includes('--decode');

function line(i: number): string {
  // ~227 bytes: a typical structured service log line.
  const ts = new Date(1_700_000_000_000 + i).toISOString();
  const base = `{"time":"${ts}","level":"info","service":"checkout","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","msg":"order placed","order":${i},"pad":"`;
  return base + 'x'.repeat(Math.max(0, 226 - base.length - 2)) + '"}\n';
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tail-bench-'));
  try {
    const path = join(dir, 'bench.log');
    const fd = openSync(path, 'w');
    let chunk = '';
    for (let i = 0; i < LINES; i++) {
      chunk += line(i);
      if (chunk.length > 1 << 20) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    writeSync(fd, chunk);
    closeSync(fd);
    const bytes = (await readFile(path)).length; // also warms the page cache
    console.log(`file: ${LINES} lines, ${(bytes / 1e6).toFixed(1)} MB, ${(bytes / LINES).toFixed(0)} B/line`);

    // 1. The splitter alone, synchronous reads: the floor of what the hot path costs.
    for (let round = 0; round < 3; round++) {
      const s = new LineSplitter(
        {
          chunkSize: 32_000,
          maxSize: 32_000,
          readSize: 256 * 1024,
          skipLongLines: false,
          skipEmptyLines: false,
        },
        0,
      );
      const src = { fileId: 'x', path, tag: 't' };
      const rfd = openSync(path, 'r');
      let n = 0;
      let sink = 0;
      const t0 = process.hrtime.bigint();
      for (;;) {
        const got = readSync(rfd, s.buffer(), s.writeIndex(), s.writable(), s.nextOffset());
        if (got === 0) break;
        const b = s.push(got, src);
        if (b) {
          n += b.count;
          if (DECODE) for (let i = 0; i < b.count; i++) sink += b.text(i).length;
        }
      }
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      closeSync(rfd);
      report(`splitter + readSync   (round ${round + 1})`, n, bytes, secs, sink);
    }

    // 2. The whole input: discovery, async reads, batches, commit tracking, tail -> null; its
    // TailConfig is built as the agent builds it, from a config file.
    const inst = tailInstance({ Path: path, Read_from_Head: 'on' });
    const config = tailConfigFromValues(inst.values, inst.tag);
    for (let round = 0; round < 3; round++) {
      let n = 0;
      let sink = 0;
      let done: () => void = () => undefined;
      const finished = new Promise<void>((r) => (done = r));
      const input: TailInput = new TailInput({
        config,
        watch: false,
        onBatch: (b) => {
          n += b.count;
          if (DECODE) for (let i = 0; i < b.count; i++) sink += b.text(i).length;
          input.commitBatch(b); // null output: acknowledged at once
          if (n === LINES) done();
        },
      });
      const t0 = process.hrtime.bigint();
      await input.start();
      await finished;
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      await input.stop();
      report(`TailInput -> null     (round ${round + 1})`, n, bytes, secs, sink);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function report(name: string, lines: number, bytes: number, secs: number, sink: number): void {
  const lps = lines / secs;
  console.log(
    `${name}: ${(lps / 1e6).toFixed(2)}M lines/s, ${(bytes / secs / 1e6).toFixed(0)} MB/s` +
      (DECODE ? ` (decoded ${sink} chars)` : ''),
  );
}

await main();

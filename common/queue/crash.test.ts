import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DiskQueue } from './index.ts';
import { recordingLogger, tempDir } from './testdata/helpers.ts';

const WRITER = join(import.meta.dirname, 'testdata', 'crash-writer.ts');

/** Runs the writer until it has acknowledged `acks` more records, SIGKILLs it, returns what it acknowledged. */
async function runAndKill(dir: string, acks: number): Promise<number[]> {
  const child = spawn(process.execPath, [WRITER, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acknowledged: number[] = [];
  let stderr = '';
  let partial = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    const lines = (partial + s).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line !== 'ready') acknowledged.push(Number(line));
    if (acknowledged.length >= acks && child.exitCode === null) child.kill('SIGKILL');
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  assert.equal(signal, 'SIGKILL', `writer exited on its own (code ${code}): ${stderr}`);
  return acknowledged;
}

describe('crash safety', () => {
  it('keeps every acknowledged record, in order, exactly once, across repeated SIGKILLs', async (t) => {
    const dir = await tempDir(t);
    const acknowledged: number[] = [];
    for (let round = 0; round < 3; round++) {
      acknowledged.push(...(await runAndKill(dir, 400)));
      // The killed writer left its lock behind; its pid is dead, so this open takes the lock over.
      const logger = recordingLogger();
      const queue = await DiskQueue.open({
        dir,
        cursors: ['check'],
        segmentBytes: 64 * 1024,
        maxRecordBytes: 64 * 1024,
        maxBytes: 1024 * 1024 * 1024,
        logger,
      });
      try {
        const cursor = queue.cursor('check');
        const numbers: number[] = [];
        for (;;) {
          const batch = await cursor.read({ maxRecords: 500 });
          if (batch.length === 0) break;
          for (const r of batch) numbers.push(Number(r.payload.toString('latin1', 0, 12).split(':')[0]));
        }
        // Present records are exactly 0..n-1: in order, none twice, none missing.
        numbers.forEach((n, i) => assert.equal(n, i, `record at position ${i} is ${n}`));
        const max = Math.max(...acknowledged);
        assert.ok(numbers.length > max, `acknowledged ${max} but only ${numbers.length} records survived`);
        assert.ok(queue.stats().segments > 1, 'the run crossed segment boundaries');
        const torn = logger.warnings.filter((w) => /torn write/.test(w.message)).length;
        t.diagnostic(
          `round ${round}: ${acknowledged.length} acknowledged, ${numbers.length} on disk, torn tails cut: ${torn}`,
        );
      } finally {
        await queue.close();
      }
    }
    assert.ok(acknowledged.length >= 1200);
  });
});

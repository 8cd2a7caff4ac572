import assert from 'node:assert/strict';
import { appendFile, open, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cursorFilePath, encodeCursor } from './cursor-file.ts';
import { CorruptRecordError, CursorFileError } from './index.ts';
import type { Cursor, DiskQueue, QueueRecord } from './index.ts';
import { label, openSmall, payload, recordingLogger, tempDir } from './testdata/helpers.ts';

const RECORD = 120; // 20-byte header + 100-byte payload
const SEG0 = '00000000000000000000.seg';

async function readAll(cursor: Cursor): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const batch = await cursor.read({ maxRecords: 7 });
    if (batch.length === 0) return out;
    out.push(...batch.map((r) => label(r.payload)));
  }
}

function range(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => `record-${from + i}`);
}

async function fill(dir: string, n: number): Promise<void> {
  const q = await openSmall(dir);
  for (let i = 0; i < n; i++) await q.append(payload(i));
  await q.close();
}

async function flipByte(file: string, offset: number): Promise<void> {
  const fh = await open(file, 'r+');
  const b = Buffer.alloc(1);
  await fh.read(b, 0, 1, offset);
  b[0] = (b[0] ?? 0) ^ 0xff;
  await fh.write(b, 0, 1, offset);
  await fh.close();
}

async function reopen(
  t: { after(fn: () => Promise<void>): void },
  dir: string,
  extra: Parameters<typeof openSmall>[1] = {},
): Promise<{ q: DiskQueue; logger: ReturnType<typeof recordingLogger> }> {
  const logger = recordingLogger();
  const q = await openSmall(dir, { logger, ...extra });
  t.after(() => q.close());
  return { q, logger };
}

describe('crash recovery', () => {
  for (const [what, cut] of [
    ['inside the payload', 10 * RECORD - 50],
    ['inside the header', 9 * RECORD + 7],
  ] as const) {
    it(`truncates a torn last record (cut ${what}) and keeps every complete one`, async (t) => {
      const dir = await tempDir(t);
      await fill(dir, 10);
      await truncate(join(dir, SEG0), cut);
      const { q, logger } = await reopen(t, dir);
      assert.equal((await stat(join(dir, SEG0))).size, 9 * RECORD);
      const warning = logger.warnings.find((w) => /torn write/.test(w.message));
      assert.ok(warning, 'a warning is logged');
      assert.equal(warning.details?.['offset'], 9 * RECORD);
      assert.equal(
        (await q.append(payload(9))).seq,
        9,
        'the torn record was never acknowledged: its seq is reused',
      );
      assert.deepEqual(await readAll(q.cursor('a')), range(0, 10));
    });
  }

  it('truncates garbage after the last record, even garbage that starts like a record', async (t) => {
    const dir = await tempDir(t);
    await fill(dir, 10);
    await appendFile(
      join(dir, SEG0),
      Buffer.concat([Buffer.from([0x54, 0x51, 0x01, 0]), Buffer.alloc(300, 0xab)]),
    );
    const { q } = await reopen(t, dir);
    assert.equal((await stat(join(dir, SEG0))).size, 10 * RECORD);
    assert.deepEqual(await readAll(q.cursor('a')), range(0, 10));
  });

  it('refuses to open on a checksum mismatch in the middle of the last segment, naming file and offset', async (t) => {
    const dir = await tempDir(t);
    await fill(dir, 10);
    await flipByte(join(dir, SEG0), 3 * RECORD + 50);
    await assert.rejects(openSmall(dir), (err: unknown) => {
      assert.ok(err instanceof CorruptRecordError);
      assert.equal(err.file, join(dir, SEG0));
      assert.equal(err.offset, 3 * RECORD);
      assert.match(err.message, new RegExp(`${SEG0} at byte offset ${3 * RECORD}: checksum mismatch`));
      assert.match(err.message, /not a torn write/);
      return true;
    });
    assert.equal((await stat(join(dir, SEG0))).size, 10 * RECORD, 'nothing was truncated');
    // The failed open released its lock.
    const { q, logger } = await reopen(t, dir, { onCorruptRecord: 'skip' });
    assert.deepEqual(await readAll(q.cursor('a')), [...range(0, 3), ...range(4, 10)]);
    assert.equal(q.stats().cursors['a']?.corruptRecordsSkipped, 1);
    assert.equal(q.stats().cursors['a']?.corruptRegionsSkipped, 1);
    assert.equal(q.stats().cursors['a']?.corruptBytesSkipped, RECORD);
    assert.ok(logger.warnings.some((w) => /skipped a corrupt region/.test(w.message)));
    assert.equal((await q.append(payload(10))).seq, 10);
  });

  it('reports corruption in an older segment when a reader reaches it, and can skip it', async (t) => {
    const dir = await tempDir(t);
    await fill(dir, 100); // segments at 0, 34, 68
    await flipByte(join(dir, SEG0), 5 * RECORD + 60);
    await flipByte(join(dir, SEG0), 33 * RECORD + 60); // last record of the segment: skipping crosses files
    {
      const q = await openSmall(dir);
      const c = q.cursor('a');
      assert.deepEqual(
        (await c.read()).map((r: QueueRecord) => label(r.payload)),
        range(0, 5),
      );
      await assert.rejects(c.read(), (err: unknown) => {
        assert.ok(err instanceof CorruptRecordError);
        assert.equal(err.file, join(dir, SEG0));
        assert.equal(err.offset, 5 * RECORD);
        assert.match(err.message, /onCorruptRecord: 'skip'/);
        return true;
      });
      await q.close();
    }
    const { q } = await reopen(t, dir, { onCorruptRecord: 'skip' });
    const all = await readAll(q.cursor('a'));
    assert.deepEqual(all, [...range(0, 5), ...range(6, 33), ...range(34, 100)]);
    assert.equal(q.stats().cursors['a']?.corruptRecordsSkipped, 2);
  });

  it('falls back to the oldest record for a truncated cursor file, with a warning', async (t) => {
    const dir = await tempDir(t);
    let q = await openSmall(dir);
    await q.appendMany(Array.from({ length: 10 }, (_, i) => payload(i)));
    const r = await q.cursor('a').read({ maxRecords: 6 });
    await q.cursor('a').commit((r[5] as QueueRecord).position);
    await q.close();
    const file = cursorFilePath(dir, 'a');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.slice(0, 20));

    await assert.rejects(openSmall(dir, { onCorruptCursor: 'error' }), (err: unknown) => {
      assert.ok(err instanceof CursorFileError);
      assert.equal(err.file, file);
      assert.match(err.message, /not valid JSON/);
      return true;
    });
    const logger = recordingLogger();
    q = await openSmall(dir, { logger });
    assert.deepEqual(await readAll(q.cursor('a')), range(0, 10), 'resend rather than lose');
    assert.ok(logger.warnings.some((w) => /cursor a is unusable/.test(w.message)));
    await q.close();
    // The fallback was persisted, so the file is valid again.
    q = await openSmall(dir, { onCorruptCursor: 'error' });
    t.after(() => q.close());
  });

  it('treats a cursor that points between records or past the end as unusable', async (t) => {
    const dir = await tempDir(t);
    await fill(dir, 10);
    for (const pointer of [
      { seq: 3, segment: 0, offset: 3 * RECORD + 4 },
      { seq: 4, segment: 0, offset: 3 * RECORD },
      { seq: 50, segment: 0, offset: 10 * RECORD },
    ]) {
      await writeFile(cursorFilePath(dir, 'a'), encodeCursor(pointer));
      await assert.rejects(openSmall(dir, { onCorruptCursor: 'error' }), CursorFileError);
    }
    await writeFile(cursorFilePath(dir, 'a'), encodeCursor({ seq: 3, segment: 0, offset: 3 * RECORD }));
    const { q } = await reopen(t, dir, { onCorruptCursor: 'error' });
    assert.deepEqual(await readAll(q.cursor('a')), range(3, 10));
  });
});

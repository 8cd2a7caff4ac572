import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  DiskQueue,
  QueueClosedError,
  QueueFailedError,
  QueueFullError,
  QueueLockedError,
  RecordTooLargeError,
} from './index.ts';
import type { Cursor, QueueRecord } from './index.ts';
import { label, openSmall, payload, recordingLogger, tempDir } from './testdata/helpers.ts';

async function readAll(cursor: Cursor, maxRecords = 1000): Promise<QueueRecord[]> {
  const out: QueueRecord[] = [];
  for (;;) {
    const batch = await cursor.read({ maxRecords });
    if (batch.length === 0) return out;
    out.push(...batch);
  }
}

function labels(records: readonly QueueRecord[]): string[] {
  return records.map((r) => label(r.payload));
}

function range(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => `record-${from + i}`);
}

async function segmentFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith('.seg')).sort();
}

describe('DiskQueue', () => {
  it('round-trips single and batched appends in order with increasing positions', async (t) => {
    const dir = await tempDir(t);
    const q = await openSmall(dir);
    t.after(() => q.close());
    const p0 = await q.append(payload(0));
    const ps = await q.appendMany([payload(1), payload(2), payload(3)]);
    assert.equal(p0.seq, 0);
    assert.deepEqual(
      ps.map((p) => p.seq),
      [1, 2, 3],
    );
    assert.deepEqual(await q.appendMany([]), []);
    const records = await readAll(q.cursor('a'));
    assert.deepEqual(labels(records), range(0, 4));
    assert.deepEqual(
      records.map((r) => r.position),
      [p0, ...ps],
    );
    assert.equal(q.stats().records, 4);
  });

  it('lets cursors advance independently; a stalled one holds back nobody', async (t) => {
    const dir = await tempDir(t);
    const q = await openSmall(dir, { cursors: ['es', 'zipkin', 'kafka'] });
    t.after(() => q.close());
    await q.appendMany(Array.from({ length: 20 }, (_, i) => payload(i)));
    const es = q.cursor('es');
    const kafka = q.cursor('kafka');
    const esAll = await readAll(es);
    await es.commit((esAll[19] as QueueRecord).position);
    const kafkaSome = await kafka.read({ maxRecords: 5 });
    await kafka.commit((kafkaSome[4] as QueueRecord).position);
    assert.deepEqual(labels(kafkaSome), range(0, 5));
    await q.appendMany([payload(20), payload(21)]);
    assert.deepEqual(labels(await es.read()), range(20, 22));
    const s = q.stats().cursors;
    assert.equal(s['es']?.lagRecords, 2);
    assert.equal(s['kafka']?.lagRecords, 17);
    assert.equal(s['zipkin']?.lagRecords, 22);
    assert.equal(s['zipkin']?.lagBytes, q.stats().bytesOnDisk);
    assert.ok((s['kafka']?.lagBytes ?? 0) < (s['zipkin']?.lagBytes ?? 0));
  });

  it('commit/rewind: rewind returns exactly the uncommitted records; stale commits are no-ops', async (t) => {
    const dir = await tempDir(t);
    const q = await openSmall(dir);
    t.after(() => q.close());
    await q.appendMany(Array.from({ length: 10 }, (_, i) => payload(i)));
    const c = q.cursor('a');
    const first = await c.read({ maxRecords: 4 });
    const second = await c.read({ maxRecords: 4 });
    assert.deepEqual(labels(second), range(4, 8));
    await c.commit((first[3] as QueueRecord).position);
    c.rewind();
    const again = await c.read({ maxRecords: 100 });
    assert.deepEqual(labels(again), range(4, 10));
    await c.commit((first[1] as QueueRecord).position); // older than committed: no-op
    assert.equal(c.stats().committedSeq, 4);
    c.rewind();
    // A record handed out before the rewind may still be committed (export finished after all).
    await c.commit((second[1] as QueueRecord).position);
    assert.equal(c.stats().committedSeq, 6);
    assert.deepEqual(labels(await c.read({ maxRecords: 100 })), range(6, 10));
  });

  it('refuses to commit a record that was never handed out', async (t) => {
    const dir = await tempDir(t);
    const q = await openSmall(dir, { cursors: ['a', 'b'] });
    t.after(() => q.close());
    await q.appendMany([payload(0), payload(1)]);
    const [r0, r1] = await q.cursor('a').read();
    assert.ok(r0 && r1);
    await q.cursor('b').read({ maxRecords: 1 });
    await assert.rejects(q.cursor('b').commit(r1.position), RangeError);
    await q.cursor('b').commit(r0.position);
    await assert.rejects(q.cursor('a').commit({ seq: -1, segment: 0, offset: 0, end: 1 }), TypeError);
  });

  it('rolls segments and deletes one only after every cursor committed past it', async (t) => {
    const dir = await tempDir(t);
    const q = await openSmall(dir, { cursors: ['a', 'b'] });
    t.after(() => q.close());
    // 120-byte records, 4096-byte segments: 34 records per segment.
    for (let i = 0; i < 100; i++) await q.append(payload(i));
    assert.deepEqual(await segmentFiles(dir), [
      '00000000000000000000.seg',
      '00000000000000000034.seg',
      '00000000000000000068.seg',
    ]);
    const a = q.cursor('a');
    const b = q.cursor('b');
    const aAll = await readAll(a, 7);
    assert.deepEqual(labels(aAll), range(0, 100));
    await a.commit((aAll[99] as QueueRecord).position);
    assert.equal((await segmentFiles(dir)).length, 3, 'b has committed nothing yet');
    const bSome = await b.read({ maxRecords: 40 });
    assert.equal(bSome.length, 34, 'a read stops at a segment boundary');
    await b.commit((bSome[33] as QueueRecord).position);
    await b.read({ maxRecords: 1 }).then((r) => b.commit((r[0] as QueueRecord).position));
    assert.deepEqual(await segmentFiles(dir), ['00000000000000000034.seg', '00000000000000000068.seg']);
    assert.equal(q.stats().segments, 2);
    assert.equal(q.stats().firstSeq, 34);
    const rest = await readAll(b);
    await b.commit((rest[rest.length - 1] as QueueRecord).position);
    assert.deepEqual(
      await segmentFiles(dir),
      ['00000000000000000068.seg'],
      'the active segment is never deleted',
    );
    assert.equal(q.stats().cursors['b']?.lagRecords, 0);
  });

  it('refuses appends past maxBytes with QueueFullError and emits drain once commits free space', async (t) => {
    const dir = await tempDir(t);
    // Minimum allowed cap: 2 segments + 1 record.
    const q = await openSmall(dir, { maxBytes: 2 * 4096 + 1024 + 20 });
    t.after(() => q.close());
    let appended = 0;
    let error: unknown;
    try {
      for (;;) {
        await q.append(payload(appended));
        appended++;
      }
    } catch (err) {
      error = err;
    }
    assert.ok(error instanceof QueueFullError, String(error));
    assert.equal(error.code, 'EQUEUEFULL');
    assert.ok(q.isFull());
    assert.ok(q.stats().full);
    assert.ok(appended >= 68, `only ${appended} fit`);
    const drained = once(q, 'drain');
    const c = q.cursor('a');
    const records = await c.read({ maxRecords: 40 });
    await c.commit((records[records.length - 1] as QueueRecord).position);
    await drained;
    assert.equal(q.isFull(), false);
    await q.append(payload(appended));
    const rest = await readAll(c);
    assert.equal(label((rest[rest.length - 1] as QueueRecord).payload), `record-${appended}`);
  });

  it('rejects an oversized payload with RecordTooLargeError and writes nothing of its batch', async (t) => {
    const dir = await tempDir(t);
    const q = await openSmall(dir);
    t.after(() => q.close());
    await assert.rejects(q.appendMany([payload(0), Buffer.alloc(1025)]), (err: unknown) => {
      assert.ok(err instanceof RecordTooLargeError);
      assert.match(err.message, /1025 bytes exceeds maxRecordBytes 1024/);
      return true;
    });
    await q.append(Buffer.alloc(1024));
    const all = await readAll(q.cursor('a'));
    assert.equal(all.length, 1);
    assert.equal(all[0]?.position.seq, 0);
  });

  it('persists cursors across reopen and continues sequence numbers', async (t) => {
    const dir = await tempDir(t);
    let q = await openSmall(dir, { cursors: ['a', 'b'] });
    await q.appendMany(Array.from({ length: 50 }, (_, i) => payload(i)));
    const read = await q.cursor('a').read({ maxRecords: 30 });
    await q.cursor('a').commit((read[29] as QueueRecord).position);
    await q.cursor('a').read({ maxRecords: 5 }); // handed out, not committed: comes back after reopen
    await q.close();
    q = await openSmall(dir, { cursors: ['a', 'b'] });
    t.after(() => q.close());
    assert.deepEqual(labels(await readAll(q.cursor('a'))), range(30, 50));
    assert.deepEqual(labels(await readAll(q.cursor('b'))), range(0, 50));
    const p = await q.append(payload(50));
    assert.equal(p.seq, 50);
  });

  it('starts a cursor declared later at the oldest record, or at the tail on request', async (t) => {
    const dir = await tempDir(t);
    let q = await openSmall(dir);
    await q.appendMany([payload(0), payload(1)]);
    await q.close();
    const logger = recordingLogger();
    q = await openSmall(dir, { cursors: ['a', 'old', 'late'], logger });
    await q.close();
    q = await openSmall(dir, { cursors: ['a', 'old', 'tail'], newCursorStart: 'tail' });
    t.after(() => q.close());
    await q.append(payload(2));
    assert.deepEqual(labels(await readAll(q.cursor('old'))), range(0, 3));
    assert.deepEqual(labels(await readAll(q.cursor('tail'))), range(2, 3));
    assert.ok(logger.warnings.some((w) => /cursor late is new/.test(w.message)));
    assert.throws(() => q.cursor('nobody'), /not declared at open/);
  });

  it('ignores, with a warning, a cursor file left by a consumer no longer declared', async (t) => {
    const dir = await tempDir(t);
    let q = await openSmall(dir, { cursors: ['a', 'gone'] });
    await q.append(payload(0));
    await q.close();
    const logger = recordingLogger();
    q = await openSmall(dir, { logger });
    t.after(() => q.close());
    assert.ok(logger.warnings.some((w) => /gone\.cursor is not a declared cursor/.test(w.message)));
    const [r] = await q.cursor('a').read();
    assert.ok(r);
    await q.cursor('a').commit(r.position);
    assert.equal(q.stats().cursors['gone'], undefined);
  });

  it('bounds reads by maxBytes but always returns at least one record', async (t) => {
    const dir = await tempDir(t);
    const q = await openSmall(dir);
    t.after(() => q.close());
    await q.appendMany([payload(0, 1000), payload(1, 100), payload(2, 100), payload(3, 100)]);
    const c = q.cursor('a');
    assert.deepEqual(labels(await c.read({ maxBytes: 10 })), range(0, 1));
    assert.deepEqual(labels(await c.read({ maxBytes: 250 })), range(1, 3));
    assert.deepEqual(labels(await c.read({ maxBytes: 250 })), range(3, 4));
    assert.deepEqual(await c.read(), []);
  });

  it('allows only one open queue per directory', async (t) => {
    const dir = await tempDir(t);
    const q = await openSmall(dir);
    await assert.rejects(openSmall(dir), QueueLockedError);
    await q.close();
    const again = await openSmall(dir);
    await again.close();
  });

  it('wakes waitForData and batches() on append, and stops them on abort or close', async (t) => {
    const dir = await tempDir(t);
    const q = await openSmall(dir, { cursors: ['a', 'b'] });
    const a = q.cursor('a');
    const waiting = a.waitForData();
    await q.append(payload(0));
    await waiting;
    assert.equal((await a.read()).length, 1);

    const controller = new AbortController();
    const aborted = a.waitForData(controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(aborted, /stop/);

    const seen: string[] = [];
    const allSeen = Promise.withResolvers<undefined>();
    const consumer = (async () => {
      for await (const batch of q.cursor('b').batches({ maxRecords: 2 })) {
        seen.push(...labels(batch));
        await q.cursor('b').commit((batch[batch.length - 1] as QueueRecord).position);
        if (seen.length === 4) allSeen.resolve(undefined);
      }
    })();
    await q.appendMany([payload(1), payload(2), payload(3)]);
    await allSeen.promise;
    assert.equal((await readAll(a)).length, 3);
    const closedWait = assert.rejects(a.waitForData(), QueueClosedError);
    await q.close();
    await consumer;
    await closedWait;
    assert.deepEqual(seen, range(0, 4));
    await assert.rejects(q.append(payload(9)), QueueClosedError);
    await assert.rejects(a.read(), QueueClosedError);
  });

  for (const fsync of ['interval', 'never'] as const) {
    it(`fsync '${fsync}': appends resolve, are readable and survive a reopen`, async (t) => {
      const dir = await tempDir(t);
      let q = await openSmall(dir, { fsync, fsyncIntervalMs: 20 });
      const all = await Promise.all(Array.from({ length: 60 }, (_, i) => q.append(payload(i))));
      assert.deepEqual(
        all.map((p) => p.seq),
        Array.from({ length: 60 }, (_, i) => i),
      );
      assert.equal((await readAll(q.cursor('a'))).length, 60);
      const late = q.append(payload(60)); // close must flush it, not drop it
      await q.close();
      await late;
      q = await openSmall(dir);
      t.after(() => q.close());
      assert.deepEqual(labels(await readAll(q.cursor('a'))), range(0, 61));
    });
  }

  it('keeps call order under many concurrent appends (group commit)', async (t) => {
    const dir = await tempDir(t);
    const q = await openSmall(dir, { segmentBytes: 64 * 1024, maxBytes: 8 * 1024 * 1024 });
    t.after(() => q.close());
    const n = 2000;
    const positions = await Promise.all(Array.from({ length: n }, (_, i) => q.append(payload(i, 30))));
    assert.ok(positions.every((p, i) => p.seq === i));
    assert.deepEqual(labels(await readAll(q.cursor('a'))), range(0, n));
  });

  it('fails closed on a write error: refuses appends until reopened, keeps what was acknowledged', async (t) => {
    const dir = await tempDir(t);
    let q = await openSmall(dir);
    // The roll at seq 34 creates this file exclusively; a squatter makes that fail like a disk error would.
    await writeFile(join(dir, '00000000000000000034.seg'), '');
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => q.append(payload(i))));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 34);
    const failed = results[34];
    assert.ok(failed?.status === 'rejected' && failed.reason instanceof QueueFailedError, String(failed));
    await assert.rejects(q.append(payload(99)), QueueFailedError);
    await q.close();
    q = await openSmall(dir);
    t.after(() => q.close());
    assert.deepEqual(labels(await readAll(q.cursor('a'))), range(0, 34));
    assert.equal((await q.append(payload(34))).seq, 34);
  });

  it('validates options with clear errors', async (t) => {
    const dir = await tempDir(t);
    await assert.rejects(DiskQueue.open({ dir, cursors: [] }), /at least one consumer/);
    await assert.rejects(DiskQueue.open({ dir, cursors: ['../x'] }), /cursor name "..\/x" is invalid/);
    await assert.rejects(DiskQueue.open({ dir, cursors: ['a', 'a'] }), /listed twice/);
    await assert.rejects(openSmall(dir, { maxBytes: 5000 }), /maxBytes must be at least/);
    await assert.rejects(openSmall(dir, { segmentBytes: 10 }), /segmentBytes/);
  });
});

describe('records from parts', () => {
  it('reads back as one payload, its CRC intact after reopen', async (t) => {
    const dir = await tempDir(t);
    let q = await DiskQueue.open({ dir, cursors: ['c'], fsync: 'always' });
    await q.append([Buffer.from('head|'), Buffer.from('body'), Buffer.alloc(0), Buffer.from('|tail')]);
    await q.appendMany([Buffer.from('single'), [Buffer.from('a'), Buffer.from('b')]]);
    await q.close();
    q = await DiskQueue.open({ dir, cursors: ['c'], fsync: 'always' });
    const records = await q.cursor('c').read();
    assert.deepEqual(
      records.map((r) => r.payload.toString()),
      ['head|body|tail', 'single', 'ab'],
    );
    await q.close();
  });
});

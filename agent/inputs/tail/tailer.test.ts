import assert from 'node:assert/strict';
import {
  appendFileSync,
  closeSync,
  openSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { LINE_NO_NEWLINE, LINE_PARTIAL } from './reader.ts';
import { OffsetsDb } from './offsets-db.ts';
import { hashPrefix } from './identity.ts';
import { Harness, numbered, range, tailConfig, tempDir, waitFor } from './test-helpers.ts';

test('files present at start: Read_from_Head on reads them whole, off only what is appended', async (t) => {
  const d = await tempDir(t);
  writeFileSync(join(d, 'a.log'), numbered('a', 0, 3));
  const head = new Harness(tailConfig({ Path: `${d}/*.log`, Read_from_Head: 'on' }));
  await head.input.start();
  t.after(() => head.input.stop());
  await waitFor('3 lines', () => head.lines.length === 3);
  assert.deepEqual(head.texts(), range('a', 0, 3));
  assert.equal(head.lines[0]?.path, join(d, 'a.log'));

  const tail = new Harness(tailConfig({ Path: `${d}/*.log` }));
  await tail.input.start();
  t.after(() => tail.input.stop());
  appendFileSync(join(d, 'a.log'), numbered('a', 3, 5));
  await waitFor('appended lines', () => tail.lines.length === 2);
  assert.deepEqual(tail.texts(), range('a', 3, 5));
  // Same file, same id, same offsets in both inputs: event ids agree.
  await waitFor('head input too', () => head.lines.length === 5);
  assert.deepEqual(
    head.lines.slice(3).map((l) => [l.fileId, l.start]),
    tail.lines.map((l) => [l.fileId, l.start]),
  );
});

test('files that appear later are read from the head whatever Read_from_Head says', async (t) => {
  const d = await tempDir(t);
  const h = new Harness(tailConfig({ Path: `${d}/*.log`, Read_from_Head: 'off' }));
  await h.input.start();
  t.after(() => h.input.stop());
  writeFileSync(join(d, 'late.log'), numbered('late', 0, 10));
  await waitFor('late file', () => h.lines.length === 10);
  assert.deepEqual(h.texts(), range('late', 0, 10));
  writeFileSync(join(d, 'excluded.txt'), 'nope\n');
  await h.input.scanNow();
  assert.equal(h.lines.length, 10);
});

test('a partial last line is held until completed', async (t) => {
  const d = await tempDir(t);
  const p = join(d, 'p.log');
  writeFileSync(p, 'complete\nhalf');
  const h = new Harness(tailConfig({ Path: p, Read_from_Head: 'on' }));
  await h.input.start();
  t.after(() => h.input.stop());
  await waitFor('first line', () => h.lines.length === 1);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(h.lines.length, 1);
  appendFileSync(p, ' and done\n');
  await waitFor('second line', () => h.lines.length === 2);
  assert.deepEqual(h.texts(), ['complete', 'half and done']);
});

test('long lines: fragments when Skip_Long_Lines is off, skipped and counted when on', async (t) => {
  const d = await tempDir(t);
  const p = join(d, 'long.log');
  writeFileSync(p, `before\n${'x'.repeat(5000)}\nafter\n`);
  const base = { Path: p, Read_from_Head: 'on', Buffer_Chunk_Size: '1k', Buffer_Max_Size: '2k' };
  const split = new Harness(tailConfig(base));
  await split.input.start();
  t.after(() => split.input.stop());
  await waitFor('after', () => split.texts().includes('after'));
  assert.equal(split.texts().slice(1, -1).join(''), 'x'.repeat(5000));
  assert.deepEqual(
    split.lines.map((l) => l.flags),
    [0, LINE_PARTIAL, LINE_PARTIAL, 0, 0],
  );
  assert.equal(split.input.metrics.longLinesSplit, 1);

  const skip = new Harness(tailConfig({ ...base, Skip_Long_Lines: 'on' }), { autoCommit: true });
  await skip.input.start();
  t.after(() => skip.input.stop());
  await waitFor('after', () => skip.texts().includes('after'));
  assert.deepEqual(skip.texts(), ['before', 'after']);
  assert.equal(skip.input.metrics.longLinesSkipped, 1);
  assert.ok(skip.events.some((e) => e.type === 'long_line'));
  // The skipped line needs no ack: committing the two lines commits the whole file.
  await waitFor('committed to the end', () => skip.input.files()[0]?.committedOffset === statSync(p).size);
});

test('rename rotation with writes continuing to the old and the new file: nothing lost, nothing twice', async (t) => {
  const d = await tempDir(t);
  const p = join(d, 'app.log');
  writeFileSync(p, numbered('old', 0, 100));
  const h = new Harness(tailConfig({ Path: p, Read_from_Head: 'on', Rotate_Wait: '0.3' }), {
    autoCommit: true,
  });
  await h.input.start();
  t.after(() => h.input.stop());
  await waitFor('first 100', () => h.lines.length === 100);
  // A writer holding the old file open keeps writing after the rename (as until it reopens).
  const oldFd = openSync(p, 'a');
  renameSync(p, join(d, 'app.log.1'));
  writeFileSync(p, numbered('new', 0, 50));
  writeSync(oldFd, numbered('old', 100, 150));
  appendFileSync(p, numbered('new', 50, 100));
  writeSync(oldFd, 'old-150');
  writeSync(oldFd, '\nold-151 no newline');
  closeSync(oldFd);
  await waitFor('all lines', () => h.lines.length === 100 + 52 + 100);
  const got = h.texts();
  assert.deepEqual(
    got.filter((l) => l.startsWith('old')),
    [...range('old', 0, 151), 'old-151 no newline'],
  );
  assert.deepEqual(
    got.filter((l) => l.startsWith('new')),
    range('new', 0, 100),
  );
  assert.equal(new Set(got).size, got.length);
  // Old file keeps its id (identity survives the rename); the new one has its own.
  const oldIds = new Set(h.lines.filter((l) => l.text.startsWith('old')).map((l) => l.fileId));
  const newIds = new Set(h.lines.filter((l) => l.text.startsWith('new')).map((l) => l.fileId));
  assert.equal(oldIds.size, 1);
  assert.equal(newIds.size, 1);
  assert.notDeepEqual(oldIds, newIds);
  // The old file's unterminated last line goes out when the file is closed, flagged as such.
  assert.equal(h.lines.find((l) => l.text === 'old-151 no newline')?.flags, LINE_NO_NEWLINE);
  await waitFor('old file closed after Rotate_Wait', () => h.events.some((e) => e.type === 'close'));
  assert.equal(h.input.metrics.filesRotated, 1);
  assert.ok(
    h.lines.some((l) => l.path === join(d, 'app.log.1')),
    'rotated lines report the new name',
  );
});

test('copytruncate: truncation is detected, the file is read again from the head under a new id', async (t) => {
  const d = await tempDir(t);
  const p = join(d, 'ct.log');
  writeFileSync(p, numbered('before', 0, 20));
  const h = new Harness(tailConfig({ Path: p, Read_from_Head: 'on' }), { autoCommit: true });
  await h.input.start();
  t.after(() => h.input.stop());
  await waitFor('20 lines', () => h.lines.length === 20);
  await copyFile(p, join(d, 'ct.log.1'));
  truncateSync(p, 0);
  appendFileSync(p, numbered('after', 0, 5));
  await waitFor('after lines', () => h.lines.length === 25);
  assert.deepEqual(h.texts().slice(20), range('after', 0, 5));
  assert.equal(h.input.metrics.filesTruncated, 1);
  assert.notEqual(h.lines[0]?.fileId, h.lines[20]?.fileId);
  assert.equal(h.lines[20]?.start, 0);
});

test('copytruncate where the file regrows past our offset between two looks is caught by the fingerprint', async (t) => {
  const d = await tempDir(t);
  const p = join(d, 'ct2.log');
  writeFileSync(p, numbered('first', 0, 3));
  const h = new Harness(tailConfig({ Path: p, Read_from_Head: 'on' }), {
    autoCommit: true,
    extra: { pollIntervalMs: 60_000, watch: false },
  });
  await h.input.start();
  t.after(() => h.input.stop());
  await waitFor('3 lines', () => h.lines.length === 3);
  // Same inode, new content longer than what we had read, with no poll in between.
  writeFileSync(p, numbered('second-generation', 0, 10));
  await (h.input as unknown as { tick(): Promise<void> }).tick();
  await waitFor('new content', () => h.lines.length === 13);
  assert.deepEqual(h.texts().slice(3), range('second-generation', 0, 10));
});

test('deletion: the open file is finished, then forgotten (and its DB row removed)', async (t) => {
  const d = await tempDir(t);
  const p = join(d, 'del.log');
  const db = join(d, 'tail.db');
  writeFileSync(p, numbered('d', 0, 10));
  const h = new Harness(tailConfig({ Path: `${d}/*.log`, Read_from_Head: 'on', DB: db }), {
    autoCommit: true,
  });
  await h.input.start();
  t.after(() => h.input.stop());
  await waitFor('10 lines', () => h.lines.length === 10);
  const fd = openSync(p, 'a');
  unlinkSync(p);
  writeSync(fd, numbered('d', 10, 12));
  closeSync(fd);
  await waitFor('forgotten', () => h.events.some((e) => e.type === 'forget'));
  assert.deepEqual(h.texts(), range('d', 0, 12));
  assert.equal(h.input.metrics.filesDeleted, 1);
  h.input.flushOffsets();
  const check = new OffsetsDb(db);
  assert.deepEqual(check.all(), []);
  check.close();
});

test('inode reuse: a DB row for the same inode but another first line does not make us skip', async (t) => {
  const d = await tempDir(t);
  const p = join(d, 'reused.log');
  const dbPath = join(d, 'tail.db');
  writeFileSync(p, numbered('new-file', 0, 10));
  const st = statSync(p, { bigint: true });
  // What a deleted file that had this inode left behind: offset 60, another first line.
  for (const birth of [st.birthtimeNs, 0n]) {
    const db = new OffsetsDb(dbPath);
    for (const r of db.all()) db.delete(r.id);
    const oldHead = Buffer.from('old-file-0\n');
    db.insert({
      name: p,
      offset: 60,
      dev: st.dev,
      ino: st.ino,
      birth,
      fp: hashPrefix(oldHead),
      fpLen: oldHead.length,
      gen: 0,
    });
    db.close();
    const h = new Harness(tailConfig({ Path: p, DB: dbPath, Read_from_Head: 'off' }));
    await h.input.start();
    await waitFor('whole new file', () => h.lines.length === 10);
    assert.deepEqual(h.texts(), range('new-file', 0, 10));
    await h.input.stop();
  }
});

test('restart from DB: no loss, no re-read of committed lines, same ids for re-read ones', async (t) => {
  const d = await tempDir(t);
  const p = join(d, 'r.log');
  const dbPath = join(d, 'tail.db');
  writeFileSync(p, numbered('r', 0, 100));
  const cfg = tailConfig({ Path: p, DB: dbPath, Read_from_Head: 'on' });
  const first = new Harness(cfg);
  await first.input.start();
  await waitFor('100 lines', () => first.lines.length === 100);
  for (const l of first.lines.slice(0, 50)) first.commitLine(l);
  first.input.flushOffsets();
  // "Crash": the other 50 were delivered but never acknowledged.
  await first.input.stop();
  appendFileSync(p, numbered('r', 100, 120));

  const second = new Harness(cfg);
  await second.input.start();
  t.after(() => second.input.stop());
  await waitFor('remaining lines', () => second.lines.length === 70);
  assert.deepEqual(second.texts(), range('r', 50, 120));
  assert.deepEqual(
    second.lines.slice(0, 50).map((l) => [l.fileId, l.start]),
    first.lines.slice(50).map((l) => [l.fileId, l.start]),
  );
});

test('out-of-order commits: the DB gets the end of the acknowledged prefix only', async (t) => {
  const d = await tempDir(t);
  const p = join(d, 'o.log');
  const dbPath = join(d, 'tail.db');
  writeFileSync(p, numbered('o', 0, 10));
  const cfg = tailConfig({ Path: p, DB: dbPath, Read_from_Head: 'on' });
  const h = new Harness(cfg);
  await h.input.start();
  await waitFor('10 lines', () => h.lines.length === 10);
  for (const l of h.lines.slice(3, 10).reverse()) h.commitLine(l);
  assert.equal(h.input.files()[0]?.committedOffset, 0);
  h.commitLine(h.lines[1] ?? assert.fail());
  assert.equal(h.input.files()[0]?.committedOffset, 0);
  h.commitLine(h.lines[0] ?? assert.fail());
  assert.equal(h.input.files()[0]?.committedOffset, h.lines[1]?.end);
  await h.input.stop();
  const again = new Harness(cfg);
  await again.input.start();
  t.after(() => again.input.stop());
  await waitFor('re-read from line 2', () => again.lines.length === 8);
  assert.deepEqual(again.texts(), range('o', 2, 10));
});

test('restart during rotation: the rotated file is recovered from the DB and finished', async (t) => {
  const d = await tempDir(t);
  const p = join(d, 'rot.log');
  const dbPath = join(d, 'tail.db');
  writeFileSync(p, numbered('x', 0, 10));
  const cfg = tailConfig({ Path: p, DB: dbPath, Read_from_Head: 'on', Rotate_Wait: '30' });
  const first = new Harness(cfg);
  await first.input.start();
  await waitFor('10 lines', () => first.lines.length === 10);
  for (const l of first.lines.slice(0, 4)) first.commitLine(l);
  renameSync(p, join(d, 'rot.log.1'));
  writeFileSync(p, numbered('y', 0, 3));
  await waitFor('rotation seen', () => first.input.metrics.filesRotated === 1 && first.lines.length === 13);
  await first.input.stop(); // crash before the rest was acknowledged

  const second = new Harness(cfg);
  await second.input.start();
  t.after(() => second.input.stop());
  await waitFor('recovered', () => second.lines.length === 6 + 3);
  assert.deepEqual(
    second.texts().filter((l) => l.startsWith('x')),
    range('x', 4, 10),
  );
  assert.deepEqual(
    second.texts().filter((l) => l.startsWith('y')),
    range('y', 0, 3),
  );
});

test('backpressure: Mem_Buf_Limit bounds unacknowledged bytes; pause() stops reading', async (t) => {
  const d = await tempDir(t);
  const p = join(d, 'bp.log');
  writeFileSync(p, numbered('line-with-some-padding', 0, 2000));
  const h = new Harness(
    tailConfig({ Path: p, Read_from_Head: 'on', Mem_Buf_Limit: '4k', Buffer_Chunk_Size: '1k' }),
    { extra: { readSize: 1024 } },
  );
  await h.input.start();
  t.after(() => h.input.stop());
  await waitFor('some lines', () => h.lines.length > 0);
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(h.input.inflightBytes() <= 4000 + 1024, `inflight ${h.input.inflightBytes()}`);
  assert.ok(h.lines.length < 2000);
  // Acks release it; everything arrives in the end.
  const deadline = Date.now() + 10_000;
  let acked = 0;
  while (h.lines.length < 2000 || acked < h.lines.length) {
    assert.ok(Date.now() < deadline, 'timed out');
    for (const l of h.lines.slice(acked)) h.commitLine(l);
    acked = h.lines.length;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.deepEqual(h.texts(), range('line-with-some-padding', 0, 2000));

  h.input.pause();
  await new Promise((r) => setTimeout(r, 50));
  const before = h.lines.length;
  appendFileSync(p, numbered('paused', 0, 5));
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(h.lines.length, before);
  h.input.resume();
  await waitFor('resumed', () => h.lines.length === before + 5);
});

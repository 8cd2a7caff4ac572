import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LINE_NO_NEWLINE, LINE_PARTIAL, LineSplitter } from './reader.ts';
import type { LineBatch, LongLineInfo, SplitterOptions } from './reader.ts';

const SRC = { fileId: 'f', path: '/x.log', tag: 't' };

interface Out {
  text: string;
  start: number;
  end: number;
  flags: number;
}

/** Feeds `data` through a splitter in reads of the given sizes (cycled), as the tailer does. */
function feed(
  opts: Partial<SplitterOptions>,
  data: Buffer,
  reads: number[],
  final = false,
): { lines: Out[]; batches: LineBatch[]; long: LongLineInfo[]; s: LineSplitter } {
  const s = new LineSplitter(
    { chunkSize: 64, maxSize: 1024, readSize: 256, skipLongLines: false, skipEmptyLines: false, ...opts },
    0,
  );
  const long: LongLineInfo[] = [];
  s.onLongLine = (i) => long.push(i);
  const batches: LineBatch[] = [];
  let pos = 0;
  let k = 0;
  while (pos < data.length) {
    const want = Math.min(reads[k++ % reads.length] ?? 1, s.writable(), data.length - pos);
    assert.equal(s.nextOffset(), pos);
    data.copy(s.buffer(), s.writeIndex(), pos, pos + want);
    pos += want;
    const b = s.push(want, SRC);
    if (b) batches.push(b);
  }
  if (final) {
    const b = s.flush(SRC);
    if (b) batches.push(b);
  }
  const lines: Out[] = [];
  for (const b of batches) {
    for (let i = 0; i < b.count; i++) {
      lines.push({ text: b.text(i), start: b.offsetStart(i), end: b.offsetEnd(i), flags: b.lineFlags(i) });
    }
  }
  return { lines, batches, long, s };
}

/** Batches tile the consumed bytes: each starts where the previous ended. */
function assertTiled(batches: LineBatch[], from = 0): number {
  let at = from;
  for (const b of batches) {
    assert.equal(b.startOffset, at);
    at = b.endOffset;
  }
  return at;
}

test('splits lines across every chunk boundary, with exact offsets', () => {
  const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(i % 37)} é`);
  const data = Buffer.from(lines.map((l) => l + '\n').join(''));
  for (const reads of [[1], [2, 3], [7], [64], [1000], [13, 1, 200]]) {
    const { lines: got, batches } = feed({}, data, reads);
    assert.deepEqual(
      got.map((l) => l.text),
      lines,
      `reads ${reads.join(',')}`,
    );
    let off = 0;
    for (const [i, l] of got.entries()) {
      assert.equal(l.start, off);
      off += Buffer.byteLength(lines[i] ?? '') + 1;
      assert.equal(l.end, off);
      assert.equal(l.flags, 0);
    }
    assert.equal(assertTiled(batches), data.length);
  }
});

test('holds a partial last line until its newline arrives; flush emits it without one', () => {
  const a = feed({}, Buffer.from('one\ntw'), [100]);
  assert.deepEqual(
    a.lines.map((l) => l.text),
    ['one'],
  );
  assert.equal(a.s.held(), 2);
  assert.equal(a.s.consumedOffset(), 4);
  // Complete it later.
  const s = a.s;
  Buffer.from('o\nthree').copy(s.buffer(), s.writeIndex());
  const b = s.push(7, SRC);
  assert.equal(b?.count, 1);
  assert.equal(b.text(0), 'two');
  assert.equal(b.offsetStart(0), 4);
  assert.equal(b.offsetEnd(0), 8);
  const c = s.flush(SRC);
  assert.equal(c?.text(0), 'three');
  assert.equal(c.lineFlags(0), LINE_NO_NEWLINE);
  assert.equal(c.offsetEnd(0), 13);
});

test('strips \\r before \\n; empty lines are lines unless Skip_Empty_Lines (then gaps)', () => {
  const data = Buffer.from('a\r\n\nb\n\r\nc\n');
  assert.deepEqual(
    feed({}, data, [3]).lines.map((l) => l.text),
    ['a', '', 'b', '', 'c'],
  );
  const skipped = feed({ skipEmptyLines: true }, data, [3]);
  assert.deepEqual(
    skipped.lines.map((l) => l.text),
    ['a', 'b', 'c'],
  );
  const gaps = skipped.batches.flatMap((b) => [...b.gaps]);
  assert.deepEqual(gaps, [3, 4, 6, 8]);
  assert.equal(assertTiled(skipped.batches), data.length);
});

test('a line longer than Buffer_Max_Size is emitted in flagged fragments (Skip_Long_Lines off)', () => {
  const long = 'L'.repeat(250);
  const data = Buffer.from(`short\n${long}\nafter\n`);
  const { lines, long: info, batches } = feed({ maxSize: 100, chunkSize: 32 }, data, [17]);
  assert.deepEqual(
    lines.map((l) => l.text),
    ['short', 'L'.repeat(100), 'L'.repeat(100), 'L'.repeat(50), 'after'],
  );
  assert.deepEqual(
    lines.map((l) => l.flags),
    [0, LINE_PARTIAL, LINE_PARTIAL, 0, 0],
  );
  assert.equal(info.length, 1);
  assert.deepEqual(info[0], { offsetStart: 6, action: 'split' });
  assert.equal(assertTiled(batches), data.length);
});

test('a line longer than Buffer_Max_Size is skipped and reported (Skip_Long_Lines on)', () => {
  const data = Buffer.from(`short\n${'L'.repeat(333)}\nafter\n${'M'.repeat(120)}\nend\n`);
  const {
    lines,
    long: info,
    batches,
  } = feed({ maxSize: 100, chunkSize: 32, skipLongLines: true }, data, [17, 64]);
  assert.deepEqual(
    lines.map((l) => l.text),
    ['short', 'after', 'end'],
  );
  assert.deepEqual(
    info.map((i) => i.action),
    ['skip', 'skip'],
  );
  assert.equal(info[0]?.offsetStart, 6);
  // The skipped bytes (line + newline) are gaps, so an ack of every line still commits to the end.
  const gaps = batches.flatMap((b) => [...b.gaps]);
  let covered = 0;
  for (let i = 0; i < gaps.length; i += 2) covered += (gaps[i + 1] ?? 0) - (gaps[i] ?? 0);
  assert.equal(covered, 334 + 121);
  assert.equal(assertTiled(batches), data.length);
});

test('NUL padding at a line start (copytruncate hole) is skipped as a gap', () => {
  const data = Buffer.concat([Buffer.alloc(300), Buffer.from('real\n')]);
  const { lines, batches } = feed({}, data, [50]);
  assert.deepEqual(
    lines.map((l) => l.text),
    ['real'],
  );
  assert.equal(lines[0]?.start, 300);
  assert.equal(assertTiled(batches), data.length);
});

test('batches keep their bytes after later reads (buffers are never overwritten)', () => {
  const data = Buffer.from(Array.from({ length: 50 }, (_, i) => `row-${i}\n`).join(''));
  const { batches } = feed({ chunkSize: 16, readSize: 16 }, data, [5]);
  const texts = batches.flatMap((b) => Array.from({ length: b.count }, (_, i) => b.text(i)));
  assert.deepEqual(
    texts,
    Array.from({ length: 50 }, (_, i) => `row-${i}`),
  );
});

test('a long line found whole in a big read buffer is still split or skipped at Buffer_Max_Size', () => {
  const data = Buffer.from(`a\n${'L'.repeat(250)}\nb\n`);
  const split = feed({ maxSize: 100, chunkSize: 1024, readSize: 4096 }, data, [4096]);
  assert.deepEqual(
    split.lines.map((l) => [l.text.length, l.flags]),
    [
      [1, 0],
      [100, LINE_PARTIAL],
      [100, LINE_PARTIAL],
      [50, 0],
      [1, 0],
    ],
  );
  assert.equal(split.long.length, 1);
  const skip = feed({ maxSize: 100, chunkSize: 1024, readSize: 4096, skipLongLines: true }, data, [4096]);
  assert.deepEqual(
    skip.lines.map((l) => l.text),
    ['a', 'b'],
  );
  assert.deepEqual(
    skip.batches.flatMap((b) => [...b.gaps]),
    [2, 253],
  );
  assert.equal(assertTiled(skip.batches), data.length);
});

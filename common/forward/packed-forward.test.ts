import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { EventTime } from './event-time.ts';
import { decodeFrame, decodeFrameAsync } from './frame.ts';
import { encodeCompressedPackedForward, encodeEventStream, encodePackedForward } from './packed-forward.ts';
import { bin, cat, ext8Time, fixext8Time, mp, rawStr, nth } from './test-helpers.ts';

// One entry per time shape, hand-built.
const stream = cat(
  [0x92],
  mp(1700000000),
  mp({ i: 0 }),
  [0x92],
  mp(1700000000.5),
  mp({ i: 1 }),
  [0x92],
  fixext8Time(1700000000, 7),
  mp({ i: 2 }),
  [0x92],
  ext8Time(1700000000, 8),
  mp({ i: 3 }),
  [0x92],
  [0x92],
  fixext8Time(1700000000, 9),
  mp({ k: 'v' }),
  mp({ i: 4 }),
);
const expectedTimes = [
  new EventTime(1700000000, 0),
  new EventTime(1700000000, 500000000),
  new EventTime(1700000000, 7),
  new EventTime(1700000000, 8),
  new EventTime(1700000000, 9),
];

function checkEntries(frame: ReturnType<typeof decodeFrame>): void {
  assert.equal(frame.entryCount, 5);
  const entries = frame.decodeEntries();
  assert.deepEqual(
    entries.map((e) => e.time),
    expectedTimes,
  );
  assert.deepEqual(
    entries.map((e) => e.record),
    [0, 1, 2, 3, 4].map((i) => ({ i })),
  );
  assert.deepEqual(nth(entries, 4).metadata, { k: 'v' });
}

describe('PackedForward mode', () => {
  it('decodes [tag, bin(stream), option] with every time shape', () => {
    const frame = decodeFrame(cat([0x93], mp('app'), bin(stream), mp({ size: 5, chunk: 'p1' })));
    assert.equal(frame.mode, 'PackedForward');
    assert.equal(frame.chunk, 'p1');
    checkEntries(frame);
  });

  it('decodes a str payload (Fluentd legacy) and no option', () => {
    const frame = decodeFrame(cat([0x92], mp('app'), rawStr(stream)));
    assert.equal(frame.mode, 'PackedForward');
    checkEntries(frame);
  });

  it('treats compressed: "text" as uncompressed', () => {
    const frame = decodeFrame(cat([0x93], mp('app'), bin(stream), mp({ compressed: 'text' })));
    assert.equal(frame.mode, 'PackedForward');
    checkEntries(frame);
  });

  it('hands out raw entries and the stream without copying or decoding', () => {
    const bytes = cat([0x92], mp('app'), bin(stream));
    const frame = decodeFrame(bytes);
    const raw = frame.rawEntries();
    assert.equal(raw.length, 5);
    for (const r of raw) assert.equal(r.buffer, bytes.buffer);
    assert.deepEqual(Buffer.concat(raw), stream);
    assert.deepEqual(Buffer.from(frame.eventStream()), stream);
    assert.deepEqual(Buffer.from(nth(raw, 2)), cat([0x92], fixext8Time(1700000000, 7), mp({ i: 2 })));
  });

  it('round-trips through the encoders, from entries or an encoded stream', () => {
    const input = [
      { time: new EventTime(1, 1), record: { a: 1 } },
      { time: new EventTime(2, 2), record: { b: 'x' }, metadata: { m: 1 } },
    ];
    for (const bytes of [
      encodePackedForward('t', input, { chunk: 'c', size: 2 }),
      encodePackedForward('t', encodeEventStream(input), { chunk: 'c', size: 2 }),
    ]) {
      const frame = decodeFrame(bytes);
      assert.equal(frame.mode, 'PackedForward');
      assert.deepEqual(frame.options, { chunk: 'c', size: 2 });
      assert.deepEqual(frame.decodeEntry(1), {
        tag: 't',
        time: new EventTime(2, 2),
        record: { b: 'x' },
        metadata: { m: 1 },
      });
    }
  });

  it('rejects a bad stream naming the entry', () => {
    const e3 = cat(stream, [0x92], mp('x'), mp({}));
    assert.throws(() => decodeFrame(cat([0x92], mp('t'), bin(e3))), {
      kind: 'bad_time',
      message: 'PackedForward entry 5: time must be integer, float or EventTime, got string',
    });
    assert.throws(() => decodeFrame(cat([0x92], mp('t'), bin(stream.subarray(0, stream.length - 2)))), {
      kind: 'truncated',
      message: /^PackedForward entry 4: truncated/,
    });
    assert.throws(() => decodeFrame(cat([0x92], mp('t'), bin(cat(stream, mp(5))))), {
      message: 'PackedForward entry 5: entry must be a 2-element array [time, record], got integer',
    });
    // fluent-logger sends the payload's byte length as `size`: tolerated and flagged, never fatal.
    const mismatched = decodeFrame(cat([0x93], mp('t'), bin(stream), mp({ size: 4 })));
    assert.equal(mismatched.entryCount, 5);
    assert.equal(mismatched.sizeMismatch, true);
    assert.equal(decodeFrame(cat([0x93], mp('t'), bin(stream), mp({ size: 5 }))).sizeMismatch, false);
    assert.throws(
      () => decodeFrame(cat([0x94], mp('t'), bin(stream), mp({}), mp({}))),
      /PackedForward frame must have 2 or 3/,
    );
  });
});

describe('CompressedPackedForward mode', () => {
  const frameOf = (payload: Uint8Array, options: Record<string, unknown> = {}): Buffer =>
    cat([0x93], mp('app'), bin(payload), mp({ compressed: 'gzip', ...options }));

  it('decodes a gzip payload', () => {
    const frame = decodeFrame(frameOf(gzipSync(stream), { size: 5 }));
    assert.equal(frame.mode, 'CompressedPackedForward');
    checkEntries(frame);
  });

  it('decodes several concatenated gzip members (as Fluent Bit appends them)', () => {
    const first = decodeFrame(cat([0x92], mp('t'), bin(stream))).rawEntries();
    const members = first.map((e) => gzipSync(e));
    const frame = decodeFrame(frameOf(Buffer.concat(members), { size: 5 }));
    checkEntries(frame);
  });

  it('decodes asynchronously off the event loop with the same result', async () => {
    const frame = await decodeFrameAsync(frameOf(gzipSync(stream)));
    assert.equal(frame.mode, 'CompressedPackedForward');
    checkEntries(frame);
  });

  it('round-trips through encodeCompressedPackedForward', () => {
    const bytes = encodeCompressedPackedForward('t', [{ time: new EventTime(9, 9), record: { z: true } }], {
      chunk: 'q',
    });
    const frame = decodeFrame(bytes);
    assert.equal(frame.mode, 'CompressedPackedForward');
    assert.deepEqual(frame.options, { chunk: 'q', compressed: 'gzip' });
    assert.deepEqual(frame.decodeEntry(0).record, { z: true });
  });

  it('rejects bad gzip, unknown compression, size bombs and size mismatches', async () => {
    assert.throws(() => decodeFrame(frameOf(Buffer.from('not gzip at all'))), {
      kind: 'bad_compression',
      message: /payload is not valid gzip/,
    });
    await assert.rejects(decodeFrameAsync(frameOf(Buffer.from('not gzip'))), { kind: 'bad_compression' });
    assert.throws(() => decodeFrame(frameOf(gzipSync(stream).subarray(0, 20))), { kind: 'bad_compression' });
    assert.throws(() => decodeFrame(frameOf(cat(gzipSync(stream), [1, 2, 3]))), { kind: 'bad_compression' });
    assert.throws(() => decodeFrame(cat([0x93], mp('app'), bin(stream), mp({ compressed: 'zstd' }))), {
      kind: 'unknown_compression',
      message: 'unsupported compression "zstd" (supported: gzip, text)',
    });
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024));
    assert.ok(bomb.length < 20_000);
    assert.throws(() => decodeFrame(frameOf(bomb), { maxDecompressedBytes: 1024 * 1024 }), {
      kind: 'decompressed_too_large',
      message: /inflates past maxDecompressedBytes \(1048576\)/,
    });
    await assert.rejects(decodeFrameAsync(frameOf(bomb), { maxDecompressedBytes: 1024 * 1024 }), {
      kind: 'decompressed_too_large',
    });
    assert.equal(decodeFrame(frameOf(gzipSync(stream), { size: 6 })).sizeMismatch, true);
    assert.throws(() => decodeFrame(frameOf(gzipSync(cat(stream, [0x92, 0x01])))), {
      message: /^CompressedPackedForward entry 5: truncated/,
    });
  });
});

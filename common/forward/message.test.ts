import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventTime } from './event-time.ts';
import { decodeFrame } from './frame.ts';
import { encodeMessage } from './message.ts';
import { cat, ext8Time, fixext8Time, mp } from './test-helpers.ts';

const record = { log: 'hello', level: 'info', n: 3 };

describe('Message mode', () => {
  const shapes: [string, Buffer, EventTime][] = [
    ['integer seconds', mp(1700000000), new EventTime(1700000000, 0)],
    ['float seconds', mp(1700000000.5), new EventTime(1700000000, 500000000)],
    ['EventTime fixext8', fixext8Time(1700000000, 42), new EventTime(1700000000, 42)],
    ['EventTime ext8', ext8Time(1700000000, 43), new EventTime(1700000000, 43)],
  ];
  for (const [name, time, expected] of shapes) {
    it(`decodes [tag, time, record] with ${name}`, () => {
      const frame = decodeFrame(cat([0x93], mp('app.web'), time, mp(record)));
      assert.equal(frame.mode, 'Message');
      assert.equal(frame.tag, 'app.web');
      assert.equal(frame.entryCount, 1);
      assert.deepEqual(frame.decodeEntries(), [
        { tag: 'app.web', time: expected, record, metadata: undefined },
      ]);
      assert.deepEqual(frame.options, {});
    });
  }

  it('decodes [tag, [EventTime, metadata], record, option]', () => {
    const bytes = cat(
      [0x94],
      mp('t'),
      [0x92],
      fixext8Time(5, 6),
      mp({ otel: 1 }),
      mp(record),
      mp({ chunk: 'abc' }),
    );
    const frame = decodeFrame(bytes);
    assert.equal(frame.mode, 'Message');
    assert.equal(frame.chunk, 'abc');
    assert.deepEqual(frame.decodeEntry(0), {
      tag: 't',
      time: new EventTime(5, 6),
      record,
      metadata: { otel: 1 },
    });
  });

  it('accepts a nil option and ignores unknown option keys', () => {
    assert.deepEqual(decodeFrame(cat([0x94], mp('t'), mp(1), mp({}), mp(null))).options, {});
    const frame = decodeFrame(
      cat([0x94], mp('t'), mp(1), mp({}), mp({ chunk: 'c', future: [1, { x: 2 }], 7: 1 })),
    );
    assert.deepEqual(frame.options, { chunk: 'c' });
  });

  it('gives the entry as raw [time, record] bytes even though the wire has no entry array', () => {
    const bytes = cat([0x93], mp('t'), fixext8Time(1, 2), mp(record));
    const raw = decodeFrame(bytes).rawEntry(0);
    assert.deepEqual(Buffer.from(raw), cat([0x92], fixext8Time(1, 2), mp(record)));
    assert.deepEqual(Buffer.from(decodeFrame(bytes).eventStream()), Buffer.from(raw));
  });

  it('round-trips through encodeMessage', () => {
    const time = new EventTime(1700000000, 999);
    const bytes = encodeMessage('a.b', { time, record, metadata: { m: true } }, { chunk: 'id-1' });
    const frame = decodeFrame(bytes);
    assert.equal(frame.chunk, 'id-1');
    assert.deepEqual(frame.decodeEntry(0), { tag: 'a.b', time, record, metadata: { m: true } });
    assert.equal(
      encodeMessage('a', { time: 1, record: {} }).length,
      cat([0x93], mp('a'), mp(1), mp({})).length,
    );
  });

  it('rejects malformed Message frames with a clear error', () => {
    assert.throws(
      () => decodeFrame(cat([0x92], mp('t'), mp(1))),
      /Message mode frame must have 3 or 4 elements, got 2/,
    );
    assert.throws(() => decodeFrame(cat([0x93], mp('t'), mp(1), mp([1]))), {
      kind: 'bad_record',
      message: 'Message: record must be a map, got array',
    });
    assert.throws(
      () => decodeFrame(cat([0x93], mp('t'), fixext8Time(1, 2e9), mp({}))),
      /Message: EventTime nanoseconds/,
    );
    assert.throws(() => decodeFrame(cat([0x93], mp('t'), mp(null), mp({}))), /second element must be a time/);
    assert.throws(() => decodeFrame(cat([0x94], mp('t'), mp(1), mp({}), mp([]))), {
      kind: 'bad_option',
      message: 'option must be a map, got array',
    });
    assert.throws(
      () => decodeFrame(cat([0x94], mp('t'), mp(1), mp({}), mp({ chunk: 5 }))),
      /option chunk must be a string/,
    );
    assert.equal(decodeFrame(cat([0x94], mp('t'), mp(1), mp({}), mp({ size: 2 }))).sizeMismatch, true);
    assert.throws(() => decodeFrame(cat([0x94], mp('t'), mp(1), mp({}), mp({ compressed: 'gzip' }))), {
      kind: 'bad_option',
    });
    assert.throws(
      () => decodeFrame(cat([0x93], mp('t'), mp(1), mp({ big: 'x'.repeat(100) })), { maxRecordBytes: 50 }),
      {
        kind: 'record_too_large',
        message: /Message: value needs at least \d+ bytes, more than maxRecordBytes \(50\)/,
      },
    );
  });
});

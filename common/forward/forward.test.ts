import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventTime } from './event-time.ts';
import { encodeForward } from './forward.ts';
import { decodeFrame } from './frame.ts';
import { arrayHeader, cat, ext8Time, fixext8Time, mp, nth } from './test-helpers.ts';

describe('Forward mode', () => {
  const entries = cat(
    arrayHeader(5),
    [0x92],
    mp(1700000000),
    mp({ i: 0 }),
    [0x92],
    mp(1700000000.25),
    mp({ i: 1 }),
    [0x92],
    fixext8Time(1700000000, 2),
    mp({ i: 2 }),
    [0x92],
    ext8Time(1700000000, 3),
    mp({ i: 3 }),
    [0x92],
    [0x92],
    fixext8Time(1700000000, 4),
    mp({ source: 'k8s' }),
    mp({ i: 4 }),
  );

  it('decodes [tag, [[time, record], ...], option] with every time shape', () => {
    const frame = decodeFrame(cat([0x93], mp('app'), entries, mp({ size: 5, chunk: 'c1' })));
    assert.equal(frame.mode, 'Forward');
    assert.equal(frame.entryCount, 5);
    assert.deepEqual(frame.options, { size: 5, chunk: 'c1' });
    const decoded = frame.decodeEntries();
    assert.deepEqual(
      decoded.map((e) => [e.time.seconds, e.time.nanoseconds, e.record['i'], e.metadata]),
      [
        [1700000000, 0, 0, undefined],
        [1700000000, 250000000, 1, undefined],
        [1700000000, 2, 2, undefined],
        [1700000000, 3, 3, undefined],
        [1700000000, 4, 4, { source: 'k8s' }],
      ],
    );
  });

  it('accepts no option, and an empty entries array', () => {
    assert.equal(decodeFrame(cat([0x92], mp('app'), entries)).entryCount, 5);
    const empty = decodeFrame(cat([0x93], mp('app'), [0x90], mp({ size: 0 })));
    assert.equal(empty.mode, 'Forward');
    assert.equal(empty.entryCount, 0);
    assert.deepEqual(empty.decodeEntries(), []);
    assert.equal(empty.eventStream().length, 0);
  });

  it('gives raw entries as zero-copy views of the frame', () => {
    const bytes = cat([0x92], mp('app'), entries);
    const frame = decodeFrame(bytes);
    const raw = frame.rawEntries();
    assert.equal(raw.length, 5);
    assert.equal(nth(raw, 0).buffer, bytes.buffer);
    assert.deepEqual(Buffer.from(nth(raw, 0)), cat([0x92], mp(1700000000), mp({ i: 0 })));
    assert.deepEqual(Buffer.from(frame.eventStream()), entries.subarray(1));
  });

  it('round-trips through encodeForward', () => {
    const time = new EventTime(1, 2);
    const input = [
      { time, record: { a: 'x' } },
      { time: 3, record: { b: [1, 2] }, metadata: { m: 1 } },
    ];
    const frame = decodeFrame(encodeForward('t', input, { chunk: 'k', size: 2 }));
    assert.deepEqual(frame.decodeEntries(), [
      { tag: 't', time, record: { a: 'x' }, metadata: undefined },
      { tag: 't', time: new EventTime(3, 0), record: { b: [1, 2] }, metadata: { m: 1 } },
    ]);
  });

  it('rejects malformed entries naming the entry', () => {
    const frame = (...e: Buffer[]): Buffer => cat([0x92], mp('t'), arrayHeader(e.length), ...e);
    const ok = cat([0x92], mp(1), mp({}));
    assert.throws(() => decodeFrame(frame(ok, mp({ a: 1 }))), {
      kind: 'malformed',
      message: 'Forward entry 1: entry must be a 2-element array [time, record], got map',
    });
    assert.throws(
      () => decodeFrame(frame(cat([0x93], mp(1), mp({}), mp(1)))),
      /entry 0: .*got array of 3 elements/,
    );
    assert.throws(() => decodeFrame(frame(ok, ok, cat([0x92], mp('noon'), mp({})))), {
      kind: 'bad_time',
      message: 'Forward entry 2: time must be integer, float or EventTime, got string',
    });
    assert.throws(() => decodeFrame(frame(cat([0x92], mp(1), mp('text')))), {
      message: 'Forward entry 0: record must be a map, got string',
    });
    assert.equal(decodeFrame(cat([0x93], mp('t'), arrayHeader(1), ok, mp({ size: 3 }))).sizeMismatch, true);
    assert.throws(() => decodeFrame(cat([0x94], mp('t'), arrayHeader(1), ok, mp({}), mp({}))), {
      message: 'Forward mode frame must have 2 or 3 elements, got 4',
    });
    assert.throws(
      () => decodeFrame(frame(cat([0x92], mp(1), mp({ a: 'b'.repeat(200) }))), { maxRecordBytes: 100 }),
      {
        kind: 'record_too_large',
      },
    );
    // An entries array declaring more entries than it holds is cut short, not waited on.
    assert.throws(() => decodeFrame(cat([0x92], mp('t'), arrayHeader(3), ok)), { kind: 'truncated' });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventTime, decodeEventTime, encodeEventTime, readPlainTime, skipEntryTime } from './event-time.ts';
import { MsgpackReader } from './msgpack-reader.ts';
import { cat, ext8Time, fixext8Time, mp } from './test-helpers.ts';

function read(bytes: Uint8Array): EventTime {
  const r = new MsgpackReader(bytes);
  const t = readPlainTime(r);
  assert.equal(r.pos, bytes.length, 'consumed the whole value');
  return t;
}

describe('EventTime', () => {
  it('encodes as fixext8 type 0 with big-endian seconds and nanoseconds', () => {
    const bytes = encodeEventTime(new EventTime(0x01020304, 0x05060708));
    assert.deepEqual([...bytes], [0xd7, 0x00, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('decodes fixext8 and ext8', () => {
    assert.deepEqual(
      decodeEventTime(fixext8Time(1700000000, 123456789)),
      new EventTime(1700000000, 123456789),
    );
    assert.deepEqual(decodeEventTime(ext8Time(1700000000, 999999999)), new EventTime(1700000000, 999999999));
    assert.deepEqual(read(ext8Time(4294967295, 0)), new EventTime(4294967295, 0));
  });

  it('reads integer and float seconds (legacy shapes)', () => {
    assert.deepEqual(read(mp(1700000000)), new EventTime(1700000000, 0));
    assert.deepEqual(read(mp(0)), new EventTime(0, 0));
    assert.deepEqual(read(Buffer.from([0xcf, 0, 0, 0, 0, 0, 0, 0, 5])), new EventTime(5, 0));
    assert.deepEqual(read(mp(1700000000.25)), new EventTime(1700000000, 250000000));
    const f32 = Buffer.from([0xca, 0x3f, 0xc0, 0x00, 0x00]); // 1.5 as float32
    assert.deepEqual(read(f32), new EventTime(1, 500000000));
  });

  it('rejects other types and out-of-range values with clear messages', () => {
    assert.throws(() => read(mp('now')), /time must be integer, float or EventTime, got string/);
    assert.throws(() => read(mp(null)), /got nil/);
    assert.throws(() => read(mp(-1)), {
      kind: 'bad_time',
      message: /integer time must be in 0\.\.4294967295/,
    });
    assert.throws(() => read(mp(-0.5)), /float time must be/);
    assert.throws(() => read(Buffer.from([0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0])), /float time must be/); // NaN
    assert.throws(() => read(fixext8Time(1, 1_000_000_000)), /nanoseconds must be below 1000000000/);
    assert.throws(() => read(Buffer.from([0xd6, 0x00, 0, 0, 0, 1])), /extension type 0 of 4 bytes/);
    assert.throws(
      () => read(Buffer.from([0xd7, 0xff, 0, 0, 0, 0, 0, 0, 0, 0])),
      /extension type -1 of 8 bytes/,
    );
    assert.throws(() => read(fixext8Time(1, 1).subarray(0, 7)), { kind: 'truncated' });
    assert.throws(() => read(ext8Time(1, 1).subarray(0, 2)), { kind: 'truncated' });
    assert.throws(() => decodeEventTime(mp(5)), /not an EventTime extension/);
  });

  it('validates the v1.5 [time, metadata] shape without allocating', () => {
    const withMeta = cat([0x92], fixext8Time(1, 2), mp({ trace: 'x' }));
    const r = new MsgpackReader(withMeta);
    assert.equal(skipEntryTime(r), 11);
    assert.equal(r.pos, withMeta.length);
    assert.equal(skipEntryTime(new MsgpackReader(mp(7))), -1);
    assert.throws(
      () => skipEntryTime(new MsgpackReader(cat([0x92], mp(1), mp([1])))),
      /metadata must be a map, got array/,
    );
    assert.throws(
      () => skipEntryTime(new MsgpackReader(cat([0x93], mp(1), mp({}), mp(1)))),
      /2-element array/,
    );
  });

  it('converts to and from common representations', () => {
    const t = new EventTime(1700000000, 123456789);
    assert.equal(t.toISOString(), '2023-11-14T22:13:20.123456789Z');
    assert.equal(JSON.stringify({ t }), '{"t":"2023-11-14T22:13:20.123456789Z"}');
    assert.equal(t.toMillis(), 1700000000123);
    assert.equal(t.toDate().getTime(), 1700000000123);
    assert.ok(EventTime.fromMillis(1700000000123).equals(new EventTime(1700000000, 123000000)));
    assert.ok(EventTime.fromDate(new Date(1500)).equals(new EventTime(1, 500000000)));
    assert.ok(EventTime.fromSeconds(1.9999999999).equals(new EventTime(2, 0)));
    assert.throws(() => new EventTime(-1, 0), RangeError);
    assert.throws(() => new EventTime(1, 1e9), RangeError);
    assert.ok(EventTime.now().seconds > 1_600_000_000);
  });
});

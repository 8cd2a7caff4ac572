import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ForwardProtocolError } from './errors.ts';
import { EventTime } from './event-time.ts';
import { decodeFrame, parseEventStream } from './frame.ts';
import { bin, cat, fixext8Time, mp } from './test-helpers.ts';

const message = cat([0x94], mp('t'), fixext8Time(1, 2), mp({ a: 'b' }), mp({ chunk: 'c' }));
const forward = cat(
  [0x93],
  mp('t'),
  [0x92, 0x92],
  mp(1),
  mp({ a: 1 }),
  [0x92],
  fixext8Time(3, 4),
  mp({}),
  mp({ size: 2 }),
);
const packedStream = cat([0x92], mp(1), mp({ a: 1 }), [0x92], fixext8Time(3, 4), mp({ b: [1, 2] }));
const packed = cat([0x93], mp('t'), bin(packedStream), mp({ chunk: 'x' }));
const compressed = cat([0x93], mp('t'), bin(gzipSync(packedStream)), mp({ compressed: 'gzip' }));

describe('decodeFrame', () => {
  it('rejects the wrong top-level shape with a clear error', () => {
    const cases: [Buffer, RegExp][] = [
      [mp({ tag: 't' }), /^frame must be an array, got map$/],
      [mp('t'), /^frame must be an array, got string$/],
      [mp(['t']), /^frame must be an array of 2 to 4 elements, got 1$/],
      [mp(['t', 1, {}, {}, {}]), /^frame must be an array of 2 to 4 elements, got 5$/],
      [mp([1, 1, {}]), /^tag must be a string, got integer$/],
      [cat([0x93], bin(Buffer.from('t')), mp(1), mp({})), /^tag must be a string, got binary$/],
      [mp(['', 1, {}]), /^tag must not be empty$/],
      [
        mp(['t', { a: 1 }, {}]),
        /^second element must be a time \(Message\), an entries array \(Forward\) or bin\/str \(PackedForward\), got map$/,
      ],
      [mp(['t', true, {}]), /got boolean$/],
      [cat(message, [0x00]), /^1 bytes after the end of the frame$/],
    ];
    for (const [bytes, expected] of cases) {
      assert.throws(
        () => decodeFrame(bytes),
        (error: unknown) => {
          assert.ok(error instanceof ForwardProtocolError, `not a ForwardProtocolError: ${String(error)}`);
          assert.match(error.message, expected);
          return true;
        },
      );
    }
  });

  it('rejects every truncation of every mode as ForwardProtocolError', () => {
    for (const bytes of [message, forward, packed, compressed]) {
      decodeFrame(bytes);
      for (let end = 0; end < bytes.length; end++) {
        assert.throws(
          () => decodeFrame(bytes.subarray(0, end)),
          (error: unknown) => error instanceof ForwardProtocolError,
          `prefix of ${end} bytes`,
        );
      }
    }
  });

  it('tells Message-with-metadata from Forward by the first element of the array', () => {
    const withMeta = cat([0x93], mp('t'), [0x92], fixext8Time(1, 0), mp({ m: 1 }), mp({ r: 1 }));
    assert.equal(decodeFrame(withMeta).mode, 'Message');
    assert.equal(decodeFrame(forward).mode, 'Forward');
  });

  it('decodes record values like msgpackr, including EventTime values inside records', () => {
    const record = cat(
      [0x86],
      mp('when'),
      fixext8Time(10, 20),
      mp('__proto__'),
      mp({ polluted: true }),
      mp('big'),
      [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
      mp('ms'),
      [0xcf, 0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00],
      mp('stamp'),
      [0xd6, 0xff, 0x00, 0x00, 0x00, 0x01],
      mp('nested'),
      mp({ list: [1, 'two', null, 2.5], 7: 'int key' }),
    );
    const entry = decodeFrame(cat([0x93], mp('t'), mp(1), record)).decodeEntry(0);
    assert.ok(entry.record['when'] instanceof EventTime);
    assert.deepEqual(entry.record['when'], new EventTime(10, 20));
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(Object.getPrototypeOf(entry.record), Object.prototype);
    assert.deepEqual(entry.record['__proto_'], { polluted: true });
    assert.equal(entry.record['big'], 2n ** 64n - 1n);
    assert.equal(entry.record['ms'], 1700000000000);
    assert.deepEqual(entry.record['stamp'], new Date(1000));
    assert.deepEqual(entry.record['nested'], { list: [1, 'two', null, 2.5], 7: 'int key' });

    // Without an EventTime the fast path (msgpackr) must produce the same shapes.
    const fastRecord = cat(
      [0x82],
      mp('__proto__'),
      mp({ polluted: true }),
      mp('ms'),
      [0xcf, 0, 0, 1, 0x8b, 0xcf, 0xe5, 0x68, 0],
    );
    const fast = decodeFrame(cat([0x93], mp('t'), mp(1), fastRecord)).decodeEntry(0);
    assert.equal(fast.record['ms'], 1700000000000);
    assert.equal(Object.getPrototypeOf(fast.record), Object.prototype);
    assert.deepEqual(fast.record['__proto_'], { polluted: true });
  });

  it('re-validates stored raw entries and streams for later decoding', () => {
    const frame = decodeFrame(packed);
    const later = parseEventStream('t', Buffer.concat(frame.rawEntries()));
    assert.deepEqual(later.decodeEntries(), frame.decodeEntries());
    const fromMessage = parseEventStream('t', decodeFrame(message).eventStream());
    assert.deepEqual(fromMessage.decodeEntry(0).time, new EventTime(1, 2));
    assert.throws(() => parseEventStream('t', Buffer.from([0x92, 0x01])), { kind: 'truncated' });
  });

  it('refuses entry indexes out of range', () => {
    const frame = decodeFrame(forward);
    assert.throws(() => frame.decodeEntry(2), RangeError);
    assert.throws(() => frame.rawEntry(-1), RangeError);
  });
});

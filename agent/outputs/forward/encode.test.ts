import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { unpack } from 'msgpackr';
import {
  EventTime,
  decodeFrame,
  encodeEventStream,
  encodePackedForward,
} from '../../../common/forward/index.ts';
import { ForwardEncoder } from './encode.ts';
import type { EncodeSettings } from './encode.ts';
import { chunk, events } from './test-helpers.ts';

const PLAIN: EncodeSettings = {
  timeAsInteger: false,
  sendOptions: false,
  requireAck: false,
  compress: false,
  tag: undefined,
};

describe('ForwardEncoder', () => {
  it('writes the same bytes as common/forward, without building EntryInputs', async () => {
    const evs = [
      ...events(3),
      {
        sec: 5,
        nsec: 0,
        record: { undef: undefined, n: null, list: [1, 'two', { three: 3 }], big: 2 ** 40 },
      },
      { sec: 0xffffffff, nsec: 999_999_999, record: { s: 'x'.repeat(70_000), bin: Buffer.from([1, 2]) } },
    ];
    const encoder = new ForwardEncoder();
    const { frame, chunkId } = await encoder.encode(chunk('app.log', evs), PLAIN);
    assert.equal(chunkId, undefined);
    const entries = evs.map((e) => ({ time: new EventTime(e.sec, e.nsec), record: e.record }));
    assert.deepEqual(frame, encodePackedForward('app.log', entries));
    assert.deepEqual(encoder.eventStream(evs, false), encodeEventStream(entries));
  });

  it('keeps tag, nanosecond times and records through a decode', async () => {
    const evs = events(50);
    const { frame } = await new ForwardEncoder().encode(chunk('t', evs), { ...PLAIN, sendOptions: true });
    const decoded = decodeFrame(frame);
    assert.equal(decoded.mode, 'PackedForward');
    assert.equal(decoded.tag, 't');
    assert.deepEqual(decoded.options, { size: 50 });
    assert.deepEqual(
      decoded.decodeEntries().map((e) => [e.time.seconds, e.time.nanoseconds, e.record]),
      evs.map((e) => [e.sec, e.nsec, e.record]),
    );
  });

  it('sends options only when asked, with the ack id and compression', async () => {
    const encoder = new ForwardEncoder();
    const evs = events(2);
    const bare = unpack((await encoder.encode(chunk('t', evs), PLAIN)).frame) as unknown[];
    assert.equal(bare.length, 2, '[tag, entries] without Send_options');
    const acked = await encoder.encode(chunk('t', evs), { ...PLAIN, requireAck: true });
    assert.match(acked.chunkId ?? '', /^[A-Za-z0-9+/]{22}==$/);
    assert.deepEqual(decodeFrame(acked.frame).options, { size: 2, chunk: acked.chunkId });
    const again = await encoder.encode(chunk('t', evs), { ...PLAIN, requireAck: true });
    assert.notEqual(again.chunkId, acked.chunkId);
    const zipped = await encoder.encode(chunk('t', evs), { ...PLAIN, compress: true, tag: 'over' });
    const frame = decodeFrame(zipped.frame);
    assert.equal(frame.mode, 'CompressedPackedForward');
    assert.equal(frame.tag, 'over');
    assert.deepEqual(frame.options, { size: 2, compressed: 'gzip' });
    assert.deepEqual(
      frame.decodeEntries().map((e) => e.record),
      evs.map((e) => e.record),
    );
    const [, payload] = unpack(zipped.frame) as [string, Uint8Array];
    assert.deepEqual(gunzipSync(payload), encoder.eventStream(evs, false));
  });

  it('writes integer times with Time_as_Integer', async () => {
    const evs = [
      { sec: 3, nsec: 500, record: { a: 1 } },
      { sec: 1_700_000_000, nsec: 1, record: { a: 2 } },
    ];
    const { frame } = await new ForwardEncoder().encode(chunk('t', evs), { ...PLAIN, timeAsInteger: true });
    const entries = evs.map((e) => ({ time: e.sec, record: e.record }));
    assert.deepEqual(frame, encodePackedForward('t', entries));
    assert.deepEqual(
      decodeFrame(frame)
        .decodeEntries()
        .map((e) => [e.time.seconds, e.time.nanoseconds]),
      [
        [3, 0],
        [1_700_000_000, 0],
      ],
    );
  });

  it('clamps times EventTime cannot hold instead of failing the chunk', async () => {
    const evs = [
      { sec: -5, nsec: 2e9, record: {} },
      { sec: 2 ** 33, nsec: -1, record: {} },
      { sec: 10.7, nsec: 0.5, record: {} },
    ];
    const { frame } = await new ForwardEncoder().encode(chunk('t', evs), PLAIN);
    assert.deepEqual(
      decodeFrame(frame)
        .decodeEntries()
        .map((e) => [e.time.seconds, e.time.nanoseconds]),
      [
        [0, 0],
        [0xffffffff, 0],
        [10, 0],
      ],
    );
  });

  it('leaves earlier frames intact when its scratch buffer is reused or grows', async () => {
    const encoder = new ForwardEncoder();
    const first = await encoder.encode(chunk('a', events(5)), PLAIN);
    const copy = Buffer.from(first.frame);
    const big = events(2000).map((e) => ({ ...e, record: { ...e.record, pad: 'p'.repeat(5000) } }));
    const second = await encoder.encode(chunk('b', big), PLAIN);
    assert.deepEqual(first.frame, copy);
    assert.equal(decodeFrame(second.frame).entryCount, 2000);
    const third = await encoder.encode(chunk('c', events(1)), PLAIN);
    assert.deepEqual(first.frame, copy);
    assert.equal(decodeFrame(third.frame).entryCount, 1);
  });

  it('throws for a record msgpack cannot hold', async () => {
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    await assert.rejects(
      new ForwardEncoder().encode(chunk('t', [{ sec: 1, nsec: 0, record: circular }]), PLAIN),
    );
  });
});

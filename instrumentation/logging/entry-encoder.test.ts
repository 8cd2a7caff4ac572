import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { encodeEventEntry } from './entry-encoder.ts';

// fluent-logger's own codec (msgpack-lite with EventTime as extension 0), to check against.
interface EventTimeClass {
  new (epoch: number, nano: number): { epoch: number; nano: number };
  pack(time: object): Buffer;
  unpack(bytes: Buffer): { epoch: number; nano: number };
}
interface MsgpackLite {
  createCodec(): {
    addExtPacker(type: number, c: EventTimeClass, pack: EventTimeClass['pack']): void;
    addExtUnpacker(type: number, unpack: EventTimeClass['unpack']): void;
  };
  encode(value: unknown, options: object): Buffer;
  decode(bytes: Buffer, options: object): unknown;
}
const fromFluentLogger = createRequire(createRequire(import.meta.url).resolve('fluent-logger'));
const msgpackLite = fromFluentLogger('msgpack-lite') as MsgpackLite;
const EventTime = fromFluentLogger('./event-time.js') as EventTimeClass;
const codec = msgpackLite.createCodec();
codec.addExtPacker(0x00, EventTime, EventTime.pack);
codec.addExtUnpacker(0x00, EventTime.unpack);

const time = { epoch: 1_763_856_000, nano: 123_456_789 };

function decode(entry: Buffer): [{ epoch: number; nano: number }, Record<string, unknown>] {
  return msgpackLite.decode(entry, { codec }) as [{ epoch: number; nano: number }, Record<string, unknown>];
}

test('an ordinary record: what fluent-logger would have sent, read back by its own codec', () => {
  const record = {
    message: 'order created',
    'log.level': 'info',
    'order.id': 42,
    big: 2 ** 40,
    negative: -7,
    ok: true,
    none: null,
    ratio: 0.25,
    text: 'é ✓ '.repeat(100),
    nested: { list: [1, 'two', { three: 3 }] },
  };
  const ours = encodeEventEntry(time, record);
  const theirs = msgpackLite.encode([new EventTime(time.epoch, time.nano), record], { codec });
  assert.deepEqual(decode(ours), decode(theirs));
  // The entry header: fixarray of 2, then fixext8 of type 0 holding seconds and nanoseconds.
  assert.deepEqual([...ours.subarray(0, 3)], [0x92, 0xd7, 0x00]);
  assert.equal(ours.readUInt32BE(3), time.epoch);
  assert.equal(ours.readUInt32BE(7), time.nano);
});

test('undefined is nil, not an extension of type 0 (Forward reserves that for EventTime)', () => {
  const [, record] = decode(encodeEventEntry(time, { gone: undefined, kept: 1 }));
  assert.deepEqual(record, { gone: null, kept: 1 });
});

test('values msgpack refuses (a cycle, a Symbol) cost the field, not the record', () => {
  const cyclic: Record<string, unknown> = { name: 'loop' };
  cyclic['self'] = cyclic;
  const [, record] = decode(
    encodeEventEntry(time, { message: 'still shipped', cyclic, sym: Symbol('s'), n: 10n }),
  );
  assert.equal(record['message'], 'still shipped');
  assert.deepEqual(record['cyclic'], { name: 'loop', self: '[Circular]' });
  assert.equal('sym' in record, false);
  assert.equal(record['n'], '10');
});

test('a large record is encoded whole', () => {
  const message = 'x'.repeat(5 * 1024 * 1024);
  const [t, record] = decode(encodeEventEntry(time, { message }));
  assert.equal(record['message'], message);
  assert.deepEqual({ epoch: t.epoch, nano: t.nano }, time);
});

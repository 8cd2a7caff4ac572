// The filesystem buffer's record format: what it writes reads back, and damaged records (which
// passed the queue's CRC, so only a bug could make them) are refused with a clear error.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeStoredChunk, encodeStoredChunk } from './chunk-store.ts';

const chunk = {
  tag: 'app.web',
  bytes: 40,
  events: [
    { sec: 1_795_000_000, nsec: 123_456_789, record: { message: 'a', n: 1 } },
    { sec: 1_795_000_001, nsec: 0, record: { message: 'b', nested: { ok: true } } },
  ],
};

describe('stored chunk format', () => {
  it('reads back tag, routes, nanosecond times and records', () => {
    const payload = Buffer.concat(encodeStoredChunk(chunk, ['forward.0', 'es.1']));
    const { routes, chunk: back } = decodeStoredChunk(payload);
    assert.deepEqual(routes, ['forward.0', 'es.1']);
    assert.equal(back.tag, 'app.web');
    assert.deepEqual(
      back.events.map((e) => [e.sec, e.nsec, e.record]),
      chunk.events.map((e) => [e.sec, e.nsec, e.record]),
    );
  });

  it('refuses empty, truncated and garbled records with a reason', () => {
    const good = Buffer.concat(encodeStoredChunk(chunk, ['forward.0']));
    assert.throws(() => decodeStoredChunk(Buffer.alloc(1)), /shorter than its header/);
    const routesTooLong = Buffer.from(good);
    routesTooLong.writeUInt16BE(60_000, 0);
    assert.throws(() => decodeStoredChunk(routesTooLong), /truncated in its routes/);
    for (let cut = 12; cut < good.length; cut += 7) {
      assert.throws(() => decodeStoredChunk(good.subarray(0, cut)), Error, `cut at ${cut}`);
    }
    const garbled = Buffer.from(good);
    garbled[2 + 'forward.0'.length] = 0xc1; // the frame's first byte: never valid msgpack
    assert.throws(() => decodeStoredChunk(garbled), /malformed|msgpack|0xc1/i);
  });
});

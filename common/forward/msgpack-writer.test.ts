import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unpack } from 'msgpackr';
import { MsgpackReader } from './msgpack-reader.ts';
import { MsgpackWriter } from './msgpack-writer.ts';

describe('MsgpackWriter and MsgpackReader', () => {
  const numbers = [
    0,
    1,
    127,
    128,
    255,
    256,
    65535,
    65536,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 53 - 1,
    -1,
    -32,
    -33,
    -128,
    -129,
    -32768,
    -32769,
    -(2 ** 31),
    -(2 ** 31) - 1,
    -(2 ** 53) + 1,
    1.5,
    -0.25,
    1e300,
  ];

  it('writes numbers in encodings msgpackr and the reader agree on', () => {
    for (const n of numbers) {
      const bytes = new MsgpackWriter(1).number(n).finish();
      const decoded: unknown = unpack(bytes);
      assert.equal(typeof decoded === 'bigint' ? Number(decoded) : decoded, n, `msgpackr ${n}`);
      const r = new MsgpackReader(bytes);
      const read = Number.isSafeInteger(n) ? r.readInteger() : r.readFloat();
      assert.equal(read, n, `reader ${n}`);
      assert.ok(r.atEnd);
    }
  });

  it('writes headers, strings and binaries of every size class', () => {
    for (const size of [0, 15, 16, 31, 32, 255, 256, 65535, 65536]) {
      const s = 'é'.repeat(size).slice(0, size);
      const w = new MsgpackWriter(1).arrayHeader(3).string(s).binary(Buffer.alloc(size, 1)).mapHeader(0);
      assert.deepEqual(unpack(w.finish()), [s, Buffer.alloc(size, 1), {}]);
    }
    const big = new MsgpackWriter().arrayHeader(70000).finish();
    assert.equal(new MsgpackReader(big).readArrayHeader(), 70000);
    const map = new MsgpackWriter().mapHeader(20).finish();
    assert.equal(new MsgpackReader(map).readMapHeader(), 20);
  });

  it('reader reports type mismatches as undefined and overruns as truncated', () => {
    const r = new MsgpackReader(new MsgpackWriter().string('x').finish());
    assert.equal(r.readInteger(), undefined);
    assert.equal(r.readArrayHeader(), undefined);
    assert.equal(r.describe(), 'string');
    assert.equal(r.readString(), 'x');
    assert.throws(() => r.peek(), { kind: 'truncated' });
    assert.throws(() => new MsgpackReader(Buffer.from([0xdb, 0, 0, 0, 9, 1])).readBytes(), {
      kind: 'truncated',
    });
    assert.throws(() => new MsgpackReader(Buffer.from([0xcb, 0])).readFloat(), { kind: 'truncated' });
  });
});

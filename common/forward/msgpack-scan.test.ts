import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ForwardProtocolError } from './errors.ts';
import { MsgpackScanner, describeToken, skipValue } from './msgpack-scan.ts';
import { cat, fixext8Time, mp, u32 } from './test-helpers.ts';

const samples: [string, Buffer][] = [
  ['fixint', mp(5)],
  ['negative fixint', mp(-3)],
  ['uint64', Buffer.from([0xcf, 0, 0, 0, 1, 0, 0, 0, 0])],
  ['float64', mp(1.5)],
  ['nil/bool', mp([null, true, false])],
  ['str8', mp('x'.repeat(40))],
  ['str16', mp('y'.repeat(300))],
  ['bin', mp(Buffer.alloc(300, 7))],
  ['nested', mp({ a: [1, { b: 'c', d: [[], {}] }], e: 'f'.repeat(70000) })],
  ['array16', mp(Array.from({ length: 20 }, (_, i) => i))],
  ['EventTime', fixext8Time(1, 2)],
  ['timestamp ext -1', Buffer.from([0xd6, 0xff, 0, 0, 0, 1])],
  ['map with int keys', Buffer.from([0x82, 0x01, 0xa1, 0x61, 0xc0, 0x02])],
];

describe('MsgpackScanner', () => {
  for (const [name, bytes] of samples) {
    it(`finds the end of ${name} whole and resumed at every split`, () => {
      assert.equal(skipValue(bytes, 0, bytes.length), bytes.length);
      const padded = cat([0xaa], bytes, [0x01, 0x02]);
      assert.equal(skipValue(padded, 1, padded.length), bytes.length + 1);
      for (let split = 0; split < bytes.length; split++) {
        const s = new MsgpackScanner(1 << 20);
        assert.equal(s.scan(bytes, 0, split), -1);
        assert.ok(s.needed > split, `hint beyond what was available at split ${split}`);
        assert.equal(s.scan(bytes, 0, bytes.length), bytes.length);
      }
    });
  }

  it('scans a value fed one byte at a time', () => {
    const bytes = mp({ k: ['a', 1, 2.5, null, { x: Buffer.alloc(3) }] });
    const s = new MsgpackScanner(1000);
    for (let end = 1; end < bytes.length; end++) assert.equal(s.scan(bytes, 0, end), -1);
    assert.equal(s.scan(bytes, 0, bytes.length), bytes.length);
  });

  it('refuses a declared length beyond maxBytes from the header alone', () => {
    const s = new MsgpackScanner(1024);
    const header = Buffer.from([0xc6, ...u32(0xfffffff0)]);
    assert.throws(() => s.scan(header, 0, header.length), {
      name: 'ForwardProtocolError',
      kind: 'frame_too_large',
    });
  });

  it('refuses a declared element count that cannot fit', () => {
    const s = new MsgpackScanner(1024);
    const header = Buffer.from([0xdd, ...u32(1_000_000)]);
    assert.throws(() => s.scan(header, 0, header.length), /more than maxFrameBytes \(1024\)/);
    const map = Buffer.from([0xdf, ...u32(600)]);
    assert.throws(() => new MsgpackScanner(1024).scan(map, 0, map.length), { kind: 'frame_too_large' });
  });

  it('accepts a value of exactly maxBytes', () => {
    const bytes = mp(['abc', 1]);
    assert.equal(new MsgpackScanner(bytes.length).scan(bytes, 0, bytes.length), bytes.length);
    assert.throws(() => new MsgpackScanner(bytes.length - 1).scan(bytes, 0, bytes.length), {
      kind: 'frame_too_large',
    });
  });

  it('refuses nesting deeper than maxDepth', () => {
    const deep = Buffer.from([...Array<number>(10).fill(0x91), 0x01]);
    assert.equal(new MsgpackScanner(100, 10).scan(deep, 0, deep.length), deep.length);
    assert.throws(() => new MsgpackScanner(100, 9).scan(deep, 0, deep.length), { kind: 'too_deep' });
  });

  it('refuses 0xc1, foreign extensions and unusable map keys', () => {
    assert.throws(() => skipValue(Buffer.from([0x91, 0xc1]), 0, 2), /reserved msgpack byte 0xc1/);
    // msgpackr's RegExp (0x78) and record (0x72) extensions must never be instantiated from input.
    assert.throws(() => skipValue(Buffer.from([0xd4, 0x78, 0x00]), 0, 3), {
      kind: 'unsupported_extension',
      message: /extension type 120/,
    });
    assert.throws(() => skipValue(Buffer.from([0xd4, 0x72, 0x00]), 0, 3), { kind: 'unsupported_extension' });
    assert.throws(
      () => skipValue(Buffer.from([0xd6, 0x00, 0, 0, 0, 0]), 0, 6),
      /EventTime extension must be 8 bytes/,
    );
    assert.throws(
      () => skipValue(Buffer.from([0x81, 0x90, 0x01]), 0, 3),
      /map key must be a string or number, got array/,
    );
    assert.throws(() => skipValue(Buffer.from([0x81, 0xc4, 0x00, 0x01]), 0, 4), /got binary/);
  });

  it('reports truncation of complete-buffer values as ForwardProtocolError', () => {
    const bytes = mp({ a: 'bcdef' });
    for (let end = 0; end < bytes.length; end++) {
      assert.throws(
        () => skipValue(bytes, 0, end),
        (e: unknown) => e instanceof ForwardProtocolError && e.kind === 'truncated',
      );
    }
  });

  it('names token types', () => {
    assert.equal(describeToken(0x93), 'array');
    assert.equal(describeToken(0xa3), 'string');
    assert.equal(describeToken(0xc4), 'binary');
    assert.equal(describeToken(0xd7), 'extension');
    assert.equal(describeToken(0xcb), 'float');
    assert.equal(describeToken(0xd3), 'integer');
    assert.equal(describeToken(undefined), 'end of data');
  });
});

describe('MsgpackScanner EventTime checks', () => {
  it('range-checks EventTime nanoseconds wherever they appear, so decoding cannot fail later', () => {
    const bad = cat([0x81, 0xa1, 0x74], fixext8Time(1, 1_000_000_000));
    assert.throws(() => skipValue(bad, 0, bad.length), {
      kind: 'bad_time',
      message: /nanoseconds must be below/,
    });
    const ext8 = Buffer.from([0xc7, 0x08, 0x00, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]);
    assert.throws(() => skipValue(ext8, 0, ext8.length), { kind: 'bad_time' });
    const good = cat([0x91], fixext8Time(1, 999_999_999));
    assert.equal(skipValue(good, 0, good.length), good.length);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ForwardProtocolError } from './errors.ts';
import { EventTime } from './event-time.ts';
import { encodeForward } from './forward.ts';
import { decodeFrame } from './frame.ts';
import { FrameSplitter } from './frame-splitter.ts';
import { encodeMessage } from './message.ts';
import { encodeCompressedPackedForward, encodePackedForward } from './packed-forward.ts';
import { nth, prng } from './test-helpers.ts';

const time = new EventTime(1700000000, 5);
const frames = [
  encodeMessage('a', { time, record: { msg: 'hello' } }, { chunk: 'c1' }),
  encodeForward('b', [
    { time, record: { i: 1 } },
    { time: 2, record: { i: 2, s: 'x'.repeat(300) } },
  ]),
  encodePackedForward('c', [{ time, record: { big: 'y'.repeat(70_000) } }], { size: 1 }),
  encodeCompressedPackedForward('d', [{ time, record: { z: 1 } }]),
  encodeMessage('e', { time: 1.5, record: {} }),
];
const stream = Buffer.concat(frames);

function collect(splitter: FrameSplitter, chunks: Uint8Array[]): Buffer[] {
  const out: Buffer[] = [];
  for (const chunk of chunks) for (const f of splitter.push(chunk)) out.push(Buffer.from(f));
  return out;
}

describe('FrameSplitter', () => {
  it('returns frames inside one chunk as views of it, without copying', () => {
    const got = new FrameSplitter().push(stream);
    assert.equal(got.length, frames.length);
    for (const [i, f] of got.entries()) {
      assert.equal(f.buffer, stream.buffer);
      assert.deepEqual(Buffer.from(f), frames[i]);
    }
  });

  it('reassembles frames split at every byte boundary', () => {
    // Every mode, with the 70 kB frame left out to keep this quadratic test fast; it gets its own below.
    const small = [nth(frames, 0), nth(frames, 1), nth(frames, 3), nth(frames, 4)];
    const bytes = Buffer.concat(small);
    for (let split = 1; split < bytes.length; split++) {
      const got = collect(new FrameSplitter(), [bytes.subarray(0, split), bytes.subarray(split)]);
      assert.equal(got.length, small.length, `split at ${split}`);
      for (let i = 0; i < small.length; i++) {
        if (!nth(got, i).equals(nth(small, i))) assert.fail(`split at ${split}: frame ${i} differs`);
      }
    }
  });

  it('reassembles a large frame split anywhere in its header, payload or trailer', () => {
    const big = nth(frames, 2);
    const splits = [];
    for (let i = 1; i < 40; i++) splits.push(i, big.length - i);
    for (let i = 40; i < big.length - 40; i += 997) splits.push(i);
    for (const split of splits) {
      const got = collect(new FrameSplitter(), [big.subarray(0, split), big.subarray(split)]);
      assert.equal(got.length, 1, `split at ${split}`);
      assert.ok(nth(got, 0).equals(big), `split at ${split}`);
    }
  });

  it('reassembles a stream fed one byte at a time', () => {
    const small = Buffer.concat([nth(frames, 0), nth(frames, 1), nth(frames, 3), nth(frames, 4)]);
    const chunks = Array.from({ length: small.length }, (_, i) => small.subarray(i, i + 1));
    const splitter = new FrameSplitter();
    const got = collect(splitter, chunks);
    assert.deepEqual(got, [frames[0], frames[1], frames[3], frames[4]]);
    assert.equal(splitter.bufferedBytes, 0);
  });

  it('reassembles randomly chunked streams, and the frames decode', () => {
    const random = prng(7);
    for (let round = 0; round < 50; round++) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.length;) {
        const size = 1 + Math.floor(random() * (random() < 0.5 ? 16 : 40_000));
        chunks.push(stream.subarray(at, at + size));
        at += size;
      }
      const got = collect(new FrameSplitter(), chunks);
      assert.deepEqual(got, frames);
    }
    const decoded = new FrameSplitter().push(stream).map((f) => decodeFrame(f).tag);
    assert.deepEqual(decoded, ['a', 'b', 'c', 'd', 'e']);
  });

  it('keeps returned frames intact while more data arrives', () => {
    const splitter = new FrameSplitter();
    const kept: Uint8Array[] = [];
    for (let at = 0; at < stream.length; at += 100)
      kept.push(...splitter.push(Buffer.from(stream.subarray(at, at + 100))));
    assert.deepEqual(
      kept.map((f) => Buffer.from(f)),
      frames,
    );
  });

  it('holds back an incomplete frame', () => {
    const splitter = new FrameSplitter();
    assert.deepEqual(splitter.push(nth(frames, 0).subarray(0, 5)), []);
    assert.equal(splitter.bufferedBytes, 5);
  });

  it('refuses an oversized frame from its header, before buffering it', () => {
    const splitter = new FrameSplitter({ maxFrameBytes: 1024 });
    const header = encodePackedForward('c', [{ time, record: { big: 'y'.repeat(5000) } }]).subarray(0, 12);
    assert.throws(() => splitter.push(header), {
      kind: 'frame_too_large',
      message: /more than maxFrameBytes \(1024\)/,
    });
  });

  it('refuses a frame growing past maxFrameBytes while buffering at most about that much', () => {
    // Forward mode with many small entries: no single header gives the size away.
    const big = encodeForward(
      't',
      Array.from({ length: 500 }, (_, i) => ({ time, record: { i } })),
    );
    const splitter = new FrameSplitter({ maxFrameBytes: 4096 });
    assert.throws(
      () => {
        for (let at = 0; at < big.length; at += 64) {
          splitter.push(big.subarray(at, at + 64));
          assert.ok(splitter.bufferedBytes <= 4096 + 64);
        }
      },
      (error: unknown) => error instanceof ForwardProtocolError && error.kind === 'frame_too_large',
    );
  });

  it('fails on bytes that are not msgpack frames', () => {
    assert.throws(() => new FrameSplitter().push(Buffer.from([0xc1])), { kind: 'malformed' });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ForwardProtocolError } from './errors.ts';
import { EventTime } from './event-time.ts';
import { encodeForward } from './forward.ts';
import type { ForwardFrame } from './frame.ts';
import { decodeFrame, parseEventStream } from './frame.ts';
import { FrameSplitter } from './frame-splitter.ts';
import { ServerHandshake } from './handshake.ts';
import { encodeMessage } from './message.ts';
import { encodeCompressedPackedForward, encodePackedForward } from './packed-forward.ts';
import { cat, fixext8Time, mp, prng, nth } from './test-helpers.ts';

const time = new EventTime(1700000000, 123);
const record = {
  log: 'GET /health 200',
  level: 'info',
  n: 12345,
  f: 1.25,
  ok: true,
  nil: null,
  tags: ['a', 'b'],
  k8s: { pod: 'p-1', ns: 'default' },
};
const seeds: Buffer[] = [
  encodeMessage('app', { time, record }, { chunk: 'c1' }),
  encodeMessage('app', { time: 1700000000.5, record, metadata: { m: 1 } }),
  encodeForward(
    'app',
    [
      { time, record },
      { time: 5, record: { x: 1 } },
    ],
    { size: 2, chunk: 'c2' },
  ),
  encodePackedForward(
    'app',
    [
      { time, record },
      { time, record: { y: 'z' }, metadata: { q: [1] } },
    ],
    { size: 2 },
  ),
  encodeCompressedPackedForward('app', [{ time, record }], { chunk: 'c3' }),
  cat([0x93], mp('t'), mp(1), cat([0x81], mp('when'), fixext8Time(1, 2))),
];
const interesting = [
  0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xc0, 0xc1, 0xc4, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcf, 0xd3, 0xd7, 0xdb,
  0xdd, 0xdf, 0xff,
];

function mutate(input: Buffer, random: () => number): Buffer {
  let bytes = Buffer.from(input);
  const rounds = 1 + Math.floor(random() * 4);
  for (let r = 0; r < rounds; r++) {
    const at = Math.floor(random() * Math.max(bytes.length, 1));
    switch (Math.floor(random() * 7)) {
      case 0:
        bytes[at] = Math.floor(random() * 256);
        break;
      case 1:
        bytes[at] = nth(interesting, Math.floor(random() * interesting.length));
        break;
      case 2:
        bytes = bytes.subarray(0, at);
        break;
      case 3:
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + Math.floor(random() * 8))]);
        break;
      case 4: {
        const noise = Buffer.from(
          Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * 256)),
        );
        bytes = Buffer.concat([bytes.subarray(0, at), noise, bytes.subarray(at)]);
        break;
      }
      case 5: {
        const from = Math.floor(random() * bytes.length);
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(from, from + 16), bytes.subarray(at)]);
        break;
      }
      default:
        if (at < bytes.length) bytes[at] = (bytes[at] ?? 0) ^ (1 << Math.floor(random() * 8));
    }
  }
  return bytes;
}

function expectProtocolErrorOnly(what: string, input: Buffer, run: () => void): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof ForwardProtocolError)) {
      assert.fail(`${what} threw ${String(error)} for input ${input.toString('hex')}`);
    }
    assert.ok(error.message.length > 0);
  }
}

describe('fuzz', () => {
  it(
    'mutated frames decode or fail with ForwardProtocolError, never anything else',
    { timeout: 20_000 },
    () => {
      const random = prng(20240501);
      const limits = { maxRecordBytes: 4096, maxDecompressedBytes: 64 * 1024 };
      let accepted = 0;
      for (let i = 0; i < 2000; i++) {
        const input = mutate(nth(seeds, i % seeds.length), random);
        let frame: ForwardFrame | undefined;
        expectProtocolErrorOnly('decodeFrame', input, () => {
          frame = decodeFrame(input, limits);
        });
        if (frame !== undefined) {
          // A frame that validated must decode and re-validate without any error at all.
          accepted++;
          frame.decodeEntries();
          const again = parseEventStream(frame.tag, Buffer.concat(frame.rawEntries()), limits);
          assert.equal(again.entryCount, frame.entryCount);
          assert.deepEqual(again.decodeEntries(), frame.decodeEntries());
          assert.deepEqual(Buffer.from(frame.eventStream()), Buffer.concat(frame.rawEntries()));
        }
        expectProtocolErrorOnly('FrameSplitter', input, () => {
          const splitter = new FrameSplitter({ maxFrameBytes: 64 * 1024 });
          const cut = Math.floor(random() * input.length);
          splitter.push(input.subarray(0, cut));
          splitter.push(input.subarray(cut));
        });
        const verdict = new ServerHandshake({ sharedKey: 'k', selfHostname: 'h' }).answer(input);
        assert.equal(verdict.ok, false);
      }
      // The mutations should leave some frames valid, or this would only test the first byte.
      assert.ok(accepted > 50, `only ${accepted} mutated frames were still valid`);
    },
  );
});

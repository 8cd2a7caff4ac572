import { DEFAULT_MAX_FRAME_BYTES } from './limits.ts';
import { DEFAULT_MAX_DEPTH, MsgpackScanner } from './msgpack-scan.ts';

export interface FrameSplitterOptions {
  /** A frame larger than this is refused as soon as its headers show it, before it is buffered. */
  maxFrameBytes?: number;
  maxDepth?: number;
}

// Once a frame straddles chunks, bytes are copied at least this many at a time, so a frame made of many
// tiny items does not cost one copy call per item.
const MIN_STEP = 1024;

/**
 * Cuts a TCP byte stream into top-level msgpack values (frames).
 *
 * Frames that sit inside one chunk are returned as views of that chunk (no copy). Only a frame that
 * straddles chunks is copied, once, into a buffer that grows by doubling; each byte is scanned once
 * however the stream is cut. Buffers are never written again after a frame was taken from them, so
 * returned frames stay valid and may be retained.
 */
export class FrameSplitter {
  private readonly scanner: MsgpackScanner;
  private backing: Buffer | null = null;
  private start = 0;
  private end = 0;

  constructor(options: FrameSplitterOptions = {}) {
    this.scanner = new MsgpackScanner(
      options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      options.maxDepth ?? DEFAULT_MAX_DEPTH,
      'maxFrameBytes',
    );
  }

  /** Bytes of an incomplete frame held back. */
  get bufferedBytes(): number {
    return this.end - this.start;
  }

  /**
   * Feeds a chunk; returns the frames it completes, in order. Throws ForwardProtocolError when the stream
   * is not msgpack or a frame exceeds the limits; the stream is unusable afterwards.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    const length = chunk.length;
    let c = 0;
    while (this.backing !== null && c < length) {
      const want = Math.max(this.scanner.needed - (this.end - this.start), MIN_STEP);
      const take = Math.min(want, length - c);
      const backing = this.append(this.backing, chunk, c, take);
      c += take;
      const frameEnd = this.scanner.scan(backing, this.start, this.end);
      if (frameEnd >= 0) {
        frames.push(backing.subarray(this.start, frameEnd));
        // Bytes copied past the frame's end are scanned again from the chunk itself, without copying.
        c -= this.end - frameEnd;
        this.backing = null;
        this.start = this.end = 0;
      }
    }
    while (c < length) {
      const frameEnd = this.scanner.scan(chunk, c, length);
      if (frameEnd < 0) {
        this.stash(chunk, c, length);
        break;
      }
      frames.push(chunk.subarray(c, frameEnd));
      c = frameEnd;
    }
    return frames;
  }

  private stash(chunk: Uint8Array, from: number, to: number): void {
    const rest = to - from;
    const backing = Buffer.allocUnsafe(Math.max(rest * 2, 2048));
    backing.set(chunk.subarray(from, to), 0);
    this.backing = backing;
    this.start = 0;
    this.end = rest;
  }

  private append(backing: Buffer, chunk: Uint8Array, from: number, count: number): Buffer {
    if (this.end + count > backing.length) {
      // Grow by doubling what was actually received, never by what a header claims, so a peer cannot make
      // us allocate a large buffer by sending a few bytes.
      const live = this.end - this.start;
      const grown = Buffer.allocUnsafe(Math.max(live + count, live * 2, 2048));
      backing.copy(grown, 0, this.start, this.end);
      this.backing = backing = grown;
      this.start = 0;
      this.end = live;
    }
    backing.set(chunk.subarray(from, from + count), this.end);
    this.end += count;
    return backing;
  }
}

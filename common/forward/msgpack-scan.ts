import { ForwardProtocolError } from './errors.ts';

/** Nesting deeper than this is rejected; real log records are a handful of levels deep. */
export const DEFAULT_MAX_DEPTH = 64;

/** Human name of the msgpack type a token byte starts, for error messages. */
export function describeToken(b: number | undefined): string {
  if (b === undefined) return 'end of data';
  if (b <= 0x7f || b >= 0xe0) return 'integer';
  if (b <= 0x8f) return 'map';
  if (b <= 0x9f) return 'array';
  if (b <= 0xbf) return 'string';
  switch (b) {
    case 0xc0:
      return 'nil';
    case 0xc1:
      return 'reserved byte 0xc1';
    case 0xc2:
    case 0xc3:
      return 'boolean';
    case 0xc4:
    case 0xc5:
    case 0xc6:
      return 'binary';
    case 0xca:
    case 0xcb:
      return 'float';
    case 0xd9:
    case 0xda:
    case 0xdb:
      return 'string';
    case 0xdc:
    case 0xdd:
      return 'array';
    case 0xde:
    case 0xdf:
      return 'map';
    default:
      return b >= 0xcc && b <= 0xd3 ? 'integer' : 'extension';
  }
}

function isKeyToken(b: number): boolean {
  // msgpackr can only turn strings and scalars into object keys; refusing the rest here means decoding a
  // validated record can never fail later, after the frame was accepted.
  return (
    b <= 0x7f ||
    b >= 0xe0 ||
    (b >= 0xa0 && b <= 0xc3 && b !== 0xc1) ||
    (b >= 0xca && b <= 0xd3) ||
    (b >= 0xd9 && b <= 0xdb)
  );
}

function u16(buf: Uint8Array, p: number): number {
  return ((buf[p] as number) << 8) | (buf[p + 1] as number);
}

function u32(buf: Uint8Array, p: number): number {
  return (
    (buf[p] as number) * 0x1000000 +
    (((buf[p + 1] as number) << 16) | ((buf[p + 2] as number) << 8) | (buf[p + 3] as number))
  );
}

/**
 * Finds where one msgpack value ends without decoding it: no allocation, one pass, resumable.
 *
 * It exists because the TCP splitter must know where a frame ends before the frame is complete, and
 * msgpackr can only tell by decoding (and then throwing) on every partial read. It also validates
 * what the decoders rely on: no reserved bytes, keys that can become object keys, nesting depth, only the
 * extension types Forward uses, and declared lengths within `maxBytes` — checked as soon as a header is
 * seen, so a 4 GiB bin header is refused before any of its bytes are buffered.
 *
 * State lives in the instance between calls to `scan`, so a value arriving in pieces is scanned once
 * overall. Positions are kept relative to the value's start so the caller may move the bytes (grow its
 * buffer) between calls.
 */
export class MsgpackScanner {
  maxBytes: number;
  limitName: string;
  readonly maxDepth: number;
  /** Bytes the current value needs at least, relative to its start, after `scan` returned -1. */
  needed = 0;
  /** EventTime extensions seen; callers zero it. Lets the record decoder pick its slow path only when needed. */
  eventTimes = 0;
  private readonly counts: Float64Array;
  private readonly maps: Uint8Array;
  private depth = 0;
  private offset = 0;
  private pending = 0;

  constructor(maxBytes: number, maxDepth: number = DEFAULT_MAX_DEPTH, limitName = 'maxFrameBytes') {
    this.maxBytes = maxBytes;
    this.maxDepth = maxDepth;
    this.limitName = limitName;
    this.counts = new Float64Array(maxDepth);
    this.maps = new Uint8Array(maxDepth);
  }

  /** Forget a partially scanned value. */
  reset(): void {
    this.depth = 0;
    this.offset = 0;
    this.pending = 0;
    this.needed = 0;
  }

  /**
   * Scans the value starting at `start` (the same start as in earlier calls for this value) with bytes
   * available up to `end`. Returns the end offset of the value, or -1 when more bytes are needed.
   */
  scan(buf: Uint8Array, start: number, end: number): number {
    const counts = this.counts;
    const maps = this.maps;
    const max = this.maxBytes;
    let p = start + this.offset;
    let depth = this.depth;
    let pending = this.pending;
    for (;;) {
      if (p >= end) return this.suspend(p - start, depth, pending, p - start + 1);
      const b = buf[p] as number;
      if (depth > 0 && maps[depth - 1] === 1 && (counts[depth - 1] as number) % 2 === 0 && !isKeyToken(b)) {
        throw new ForwardProtocolError(
          'malformed',
          `map key must be a string or number, got ${describeToken(b)}`,
        );
      }
      let size = 0; // whole item for scalars; 0 marks a container
      let hdr = 1;
      let n = 0;
      let isMap = 0;
      let timePayload = -1; // where an EventTime's 8 bytes start, to range-check its nanoseconds
      if (b <= 0x7f || b >= 0xe0) size = 1;
      else if (b <= 0x8f) {
        n = (b & 0x0f) * 2;
        isMap = 1;
      } else if (b <= 0x9f) n = b & 0x0f;
      else if (b <= 0xbf) size = 1 + (b & 0x1f);
      else {
        switch (b) {
          case 0xc0:
          case 0xc2:
          case 0xc3:
            size = 1;
            break;
          case 0xc1:
            throw new ForwardProtocolError('malformed', 'reserved msgpack byte 0xc1');
          case 0xc4:
          case 0xd9:
            hdr = 2;
            break;
          case 0xc5:
          case 0xda:
          case 0xdc:
          case 0xde:
            hdr = 3;
            break;
          case 0xc6:
          case 0xdb:
          case 0xdd:
          case 0xdf:
            hdr = 5;
            break;
          case 0xc7:
            hdr = 3;
            break;
          case 0xc8:
            hdr = 4;
            break;
          case 0xc9:
            hdr = 6;
            break;
          case 0xca:
          case 0xce:
          case 0xd2:
            size = 5;
            break;
          case 0xcb:
          case 0xcf:
          case 0xd3:
            size = 9;
            break;
          case 0xcc:
          case 0xd0:
            size = 2;
            break;
          case 0xcd:
          case 0xd1:
            size = 3;
            break;
          default:
            // 0xd4..0xd8: fixext 1, 2, 4, 8, 16
            hdr = 2;
            break;
        }
        if (hdr > 1) {
          if (p + hdr > end) return this.suspend(p - start, depth, pending, p - start + hdr);
          switch (b) {
            case 0xc4:
            case 0xd9:
              size = 2 + (buf[p + 1] as number);
              break;
            case 0xc5:
            case 0xda:
              size = 3 + u16(buf, p + 1);
              break;
            case 0xc6:
            case 0xdb:
              size = 5 + u32(buf, p + 1);
              break;
            case 0xdc:
              n = u16(buf, p + 1);
              break;
            case 0xdd:
              n = u32(buf, p + 1);
              break;
            case 0xde:
              n = u16(buf, p + 1) * 2;
              isMap = 1;
              break;
            case 0xdf:
              n = u32(buf, p + 1) * 2;
              isMap = 1;
              break;
            case 0xc7:
              size = 3 + this.checkExt(buf[p + 2] as number, buf[p + 1] as number);
              if (buf[p + 2] === 0) timePayload = p + 3;
              break;
            case 0xc8:
              size = 4 + this.checkExt(buf[p + 3] as number, u16(buf, p + 1));
              if (buf[p + 3] === 0) timePayload = p + 4;
              break;
            case 0xc9:
              size = 6 + this.checkExt(buf[p + 5] as number, u32(buf, p + 1));
              if (buf[p + 5] === 0) timePayload = p + 6;
              break;
            default:
              size = 2 + this.checkExt(buf[p + 1] as number, 1 << (b - 0xd4));
              if (buf[p + 1] === 0) timePayload = p + 2;
              break;
          }
        }
      }
      // Every still-expected item takes at least one byte, which bounds declared counts as well as sizes.
      const others = depth > 0 ? pending - 1 : 0;
      if (size > 0) {
        if (p - start + size + others > max) throw this.tooLarge(p - start + size + others);
        if (p + size > end) return this.suspend(p - start, depth, pending, p - start + size);
        if (timePayload >= 0 && u32(buf, timePayload + 4) >= 1_000_000_000) {
          throw new ForwardProtocolError('bad_time', 'EventTime nanoseconds must be below 1000000000');
        }
        p += size;
      } else {
        if (p - start + hdr + n + others > max) throw this.tooLarge(p - start + hdr + n + others);
        p += hdr;
        if (n > 0) {
          if (depth >= this.maxDepth) {
            throw new ForwardProtocolError('too_deep', `msgpack nesting deeper than ${this.maxDepth} levels`);
          }
          counts[depth] = n;
          maps[depth] = isMap;
          depth++;
          pending += n;
          continue;
        }
      }
      // An item is complete: close every container it completes.
      for (;;) {
        if (depth === 0) {
          this.depth = 0;
          this.offset = 0;
          this.pending = 0;
          this.needed = 0;
          return p;
        }
        pending--;
        const left = (counts[depth - 1] as number) - 1;
        counts[depth - 1] = left;
        if (left > 0) break;
        depth--;
      }
    }
  }

  private suspend(offset: number, depth: number, pending: number, needed: number): number {
    this.offset = offset;
    this.depth = depth;
    this.pending = pending;
    this.needed = needed;
    return -1;
  }

  private checkExt(type: number, length: number): number {
    if (type === 0) {
      if (length !== 8) {
        throw new ForwardProtocolError('bad_time', `EventTime extension must be 8 bytes, got ${length}`);
      }
      this.eventTimes++;
    } else if (type !== 0xff || (length !== 4 && length !== 8 && length !== 12)) {
      // Anything else would reach msgpackr's own extensions (Error, RegExp, records, structured clone...),
      // which must not be instantiated from network input.
      const signed = type > 127 ? type - 256 : type;
      throw new ForwardProtocolError(
        'unsupported_extension',
        `unsupported msgpack extension type ${signed} of ${length} bytes (only EventTime, type 0, and timestamp, type -1, are accepted)`,
      );
    }
    return length;
  }

  private tooLarge(atLeast: number): ForwardProtocolError {
    const kind = this.limitName === 'maxRecordBytes' ? 'record_too_large' : 'frame_too_large';
    return new ForwardProtocolError(
      kind,
      `value needs at least ${atLeast} bytes, more than ${this.limitName} (${this.maxBytes})`,
    );
  }
}

const contiguous = new MsgpackScanner(Number.MAX_SAFE_INTEGER);

/**
 * End offset of the complete value at `pos` in `buf[..end]`. For bytes already in memory, so a value that
 * runs past `end` is truncated, never "wait for more".
 */
export function skipValue(
  buf: Uint8Array,
  pos: number,
  end: number,
  maxBytes: number = Number.MAX_SAFE_INTEGER,
  limitName = 'maxFrameBytes',
): number {
  contiguous.reset();
  contiguous.maxBytes = maxBytes;
  contiguous.limitName = limitName;
  const result = contiguous.scan(buf, pos, end);
  if (result < 0) {
    const needed = contiguous.needed;
    contiguous.reset();
    throw new ForwardProtocolError(
      'truncated',
      `truncated msgpack value: needs at least ${needed} bytes, ${end - pos} available`,
    );
  }
  return result;
}

/** EventTime extensions seen by `skipValue` since the last `resetEventTimes`. */
export function skippedEventTimes(): number {
  return contiguous.eventTimes;
}

export function resetEventTimes(): void {
  contiguous.eventTimes = 0;
}

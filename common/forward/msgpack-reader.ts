import { ForwardProtocolError } from './errors.ts';
import { describeToken, skipValue } from './msgpack-scan.ts';

const utf8 = new TextDecoder();

/**
 * A bounds-checked cursor for the few fixed-shape parts of the protocol (frame envelope, entry headers,
 * times, options, handshake). Each read either returns the value or `undefined` when the next value has a
 * different type, leaving the cursor where it was, so callers can word the error for their context.
 * Reading past `end` throws a `truncated` ForwardProtocolError — never a RangeError.
 */
export class MsgpackReader {
  buf: Uint8Array;
  end: number;
  pos: number;

  constructor(buf: Uint8Array, pos = 0, end: number = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  /** Points the reader at other bytes, so a hot loop can reuse one reader. */
  reset(buf: Uint8Array, pos: number, end: number): this {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    return this;
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** Token byte of the next value. */
  peek(): number {
    if (this.pos >= this.end) throw truncated();
    return this.buf[this.pos] as number;
  }

  /** Type name of the next value, for error messages. */
  describe(): string {
    return this.pos >= this.end ? 'end of data' : describeToken(this.buf[this.pos]);
  }

  isArray(): boolean {
    const b = this.peek();
    return (b >= 0x90 && b <= 0x9f) || b === 0xdc || b === 0xdd;
  }

  isMap(): boolean {
    const b = this.peek();
    return (b >= 0x80 && b <= 0x8f) || b === 0xde || b === 0xdf;
  }

  isNil(): boolean {
    return this.peek() === 0xc0;
  }

  isStringOrBinary(): boolean {
    const b = this.peek();
    return (b >= 0xa0 && b <= 0xbf) || (b >= 0xd9 && b <= 0xdb) || (b >= 0xc4 && b <= 0xc6);
  }

  readArrayHeader(): number | undefined {
    const b = this.peek();
    if (b >= 0x90 && b <= 0x9f) {
      this.pos++;
      return b & 0x0f;
    }
    if (b === 0xdc) return this.lengthField(2, 1);
    if (b === 0xdd) return this.lengthField(4, 1);
    return undefined;
  }

  readMapHeader(): number | undefined {
    const b = this.peek();
    if (b >= 0x80 && b <= 0x8f) {
      this.pos++;
      return b & 0x0f;
    }
    if (b === 0xde) return this.lengthField(2, 1);
    if (b === 0xdf) return this.lengthField(4, 1);
    return undefined;
  }

  /** Raw bytes of a str or bin value (zero-copy view). */
  readBytes(): Uint8Array | undefined {
    const b = this.peek();
    let length: number | undefined;
    if (b >= 0xa0 && b <= 0xbf) {
      this.pos++;
      length = b & 0x1f;
    } else if (b === 0xd9 || b === 0xc4) length = this.lengthField(1, 1);
    else if (b === 0xda || b === 0xc5) length = this.lengthField(2, 1);
    else if (b === 0xdb || b === 0xc6) length = this.lengthField(4, 1);
    else return undefined;
    const start = this.pos;
    if (start + length > this.end) {
      this.pos = start;
      throw truncated();
    }
    this.pos = start + length;
    return this.buf.subarray(start, start + length);
  }

  /** A str value as text; bin is refused because a tag or key sent as bytes is a client bug worth reporting. */
  readString(): string | undefined {
    const b = this.peek();
    if (!((b >= 0xa0 && b <= 0xbf) || (b >= 0xd9 && b <= 0xdb))) return undefined;
    const bytes = this.readBytes();
    return bytes === undefined ? undefined : utf8.decode(bytes);
  }

  readBoolean(): boolean | undefined {
    const b = this.peek();
    if (b !== 0xc2 && b !== 0xc3) return undefined;
    this.pos++;
    return b === 0xc3;
  }

  /** Any msgpack integer; may be beyond the safe range (callers check). */
  readInteger(): number | undefined {
    const b = this.peek();
    const buf = this.buf;
    if (b <= 0x7f) {
      this.pos++;
      return b;
    }
    if (b >= 0xe0) {
      this.pos++;
      return b - 0x100;
    }
    const p = this.pos + 1;
    switch (b) {
      case 0xcc:
        this.need(2);
        this.pos += 2;
        return buf[p] as number;
      case 0xcd:
        this.need(3);
        this.pos += 3;
        return ((buf[p] as number) << 8) | (buf[p + 1] as number);
      case 0xce:
        this.need(5);
        this.pos += 5;
        return readU32(buf, p);
      case 0xcf:
        this.need(9);
        this.pos += 9;
        return readU32(buf, p) * 0x100000000 + readU32(buf, p + 4);
      case 0xd0:
        this.need(2);
        this.pos += 2;
        return ((buf[p] as number) << 24) >> 24;
      case 0xd1:
        this.need(3);
        this.pos += 3;
        return ((((buf[p] as number) << 8) | (buf[p + 1] as number)) << 16) >> 16;
      case 0xd2:
        this.need(5);
        this.pos += 5;
        return readU32(buf, p) | 0;
      case 0xd3:
        this.need(9);
        this.pos += 9;
        return (readU32(buf, p) | 0) * 0x100000000 + readU32(buf, p + 4);
      default:
        return undefined;
    }
  }

  readFloat(): number | undefined {
    const b = this.peek();
    if (b !== 0xca && b !== 0xcb) return undefined;
    const size = b === 0xca ? 5 : 9;
    this.need(size);
    const buf = this.buf;
    const view = new DataView(buf.buffer, buf.byteOffset + this.pos + 1, size - 1);
    this.pos += size;
    return size === 5 ? view.getFloat32(0) : view.getFloat64(0);
  }

  /** Skips the next value, validating its structure. */
  skip(): void {
    this.pos = skipValue(this.buf, this.pos, this.end);
  }

  private need(size: number): void {
    if (this.pos + size > this.end) throw truncated();
  }

  private lengthField(bytes: number, headerExtra: number): number {
    this.need(bytes + headerExtra);
    const p = this.pos + headerExtra;
    const buf = this.buf;
    const value =
      bytes === 1
        ? (buf[p] as number)
        : bytes === 2
          ? ((buf[p] as number) << 8) | (buf[p + 1] as number)
          : readU32(buf, p);
    this.pos = p + bytes;
    return value;
  }
}

export function readU32(buf: Uint8Array, p: number): number {
  return (
    (buf[p] as number) * 0x1000000 +
    (((buf[p + 1] as number) << 16) | ((buf[p + 2] as number) << 8) | (buf[p + 3] as number))
  );
}

function truncated(): ForwardProtocolError {
  return new ForwardProtocolError('truncated', 'truncated msgpack data');
}

import { Packr } from 'msgpackr';

/**
 * For what the writer declines. Plain data only: no msgpackr records/structures (non-standard
 * bytes a Fluentd peer cannot read), and undefined as nil rather than msgpackr's ext-0 convention,
 * which would collide with EventTime.
 */
const packr = new Packr({ useRecords: false, encodeUndefinedAsNil: true });

/** Deeper values than this are left to msgpackr (receivers limit nesting anyway). */
const FAST_DEPTH = 62;

/**
 * The msgpack writer of the project: frame envelopes, records, and the agent's JSON-to-msgpack
 * transcoder, which writes into `buf` at `pos` directly (hence public) and patches map and array
 * counts it only knows at the end (`openMap`/`closeMap`).
 */
export class MsgpackWriter {
  buf: Buffer;
  pos = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  arrayHeader(n: number): this {
    if (n < 16) return this.byte(0x90 | n);
    if (n < 0x10000) return this.byte(0xdc).u16(n);
    return this.byte(0xdd).u32(n);
  }

  mapHeader(n: number): this {
    if (n < 16) return this.byte(0x80 | n);
    if (n < 0x10000) return this.byte(0xde).u16(n);
    return this.byte(0xdf).u32(n);
  }

  string(s: string): this {
    const length = Buffer.byteLength(s);
    if (length < 32) this.byte(0xa0 | length);
    else if (length < 0x100) this.byte(0xd9).byte(length);
    else if (length < 0x10000) this.byte(0xda).u16(length);
    else this.byte(0xdb).u32(length);
    this.ensure(length);
    this.pos += this.buf.write(s, this.pos, 'utf8');
    return this;
  }

  binary(bytes: Uint8Array): this {
    const length = bytes.length;
    if (length < 0x100) this.byte(0xc4).byte(length);
    else if (length < 0x10000) this.byte(0xc5).u16(length);
    else this.byte(0xc6).u32(length);
    return this.raw(bytes);
  }

  boolean(v: boolean): this {
    return this.byte(v ? 0xc3 : 0xc2);
  }

  nil(): this {
    return this.byte(0xc0);
  }

  /** Integers in the smallest encoding; other numbers as float64. */
  number(v: number): this {
    if (Number.isInteger(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER) {
      if (v >= 0) {
        if (v < 0x80) return this.byte(v);
        if (v < 0x100) return this.byte(0xcc).byte(v);
        if (v < 0x10000) return this.byte(0xcd).u16(v);
        if (v < 0x100000000) return this.byte(0xce).u32(v);
        return this.byte(0xcf)
          .u32(Math.floor(v / 0x100000000))
          .u32(v % 0x100000000);
      }
      if (v >= -32) return this.byte(v & 0xff);
      if (v >= -0x80) return this.byte(0xd0).byte(v & 0xff);
      if (v >= -0x8000) return this.byte(0xd1).u16(v & 0xffff);
      if (v >= -0x80000000) return this.byte(0xd2).u32(v >>> 0);
      const hi = Math.floor(v / 0x100000000);
      return this.byte(0xd3)
        .u32(hi >>> 0)
        .u32(v - hi * 0x100000000);
    }
    this.ensure(9);
    this.buf[this.pos] = 0xcb;
    this.buf.writeDoubleBE(v, this.pos + 1);
    this.pos += 9;
    return this;
  }

  /**
   * Any value. What records are made of (strings, numbers, booleans, null/undefined, arrays, plain
   * objects, byte arrays) is written here, several times faster than msgpackr without its native
   * addon; anything else (Date, Map, class instances, very deep values) goes through msgpackr.
   */
  value(v: unknown): this {
    const mark = this.pos;
    if (!this.plain(v, 0)) {
      this.pos = mark;
      this.raw(packr.pack(v));
    }
    return this;
  }

  /**
   * A string, ASCII copied in a loop (most log strings are short ASCII, where a native call per
   * string costs more than the copy), anything else through Buffer#write. Same bytes as string().
   */
  asciiOrString(s: string): this {
    const n = s.length;
    if (n >= 0x100) return this.string(s);
    const head = n < 32 ? 1 : 2;
    this.ensure(head + n);
    const b = this.buf;
    const at = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return this.string(s);
      b[at + head + i] = c;
    }
    if (head === 1) b[at] = 0xa0 | n;
    else {
      b[at] = 0xd9;
      b[at + 1] = n;
    }
    this.pos = at + head + n;
    return this;
  }

  /** A str header for `length` bytes (the caller writes them). */
  strHeader(length: number): this {
    if (length < 32) return this.byte(0xa0 | length);
    if (length < 0x100) return this.byte(0xd9).byte(length);
    if (length < 0x10000) return this.byte(0xda).u16(length);
    return this.byte(0xdb).u32(length);
  }

  /** Reserves a map16 header and returns where it is; closeMap writes the count. */
  openMap(): number {
    const at = this.pos;
    this.byte(0xde).u16(0);
    return at;
  }

  closeMap(at: number, members: number): void {
    this.buf.writeUInt16BE(members, at + 1);
  }

  /** Reserves an array16 header and returns where it is; closeArray writes the count. */
  openArray(): number {
    const at = this.pos;
    this.byte(0xdc).u16(0);
    return at;
  }

  closeArray(at: number, items: number): void {
    this.buf.writeUInt16BE(items, at + 1);
  }

  /** src[start, end) as they are. */
  bytes(src: Uint8Array, start: number, end: number): this {
    return this.raw(src.subarray(start, end));
  }

  private plain(v: unknown, depth: number): boolean {
    switch (typeof v) {
      case 'string':
        this.asciiOrString(v);
        return true;
      case 'number':
        this.number(v);
        return true;
      case 'boolean':
        this.boolean(v);
        return true;
      case 'undefined':
        this.nil();
        return true;
      case 'object': {
        if (v === null) {
          this.nil();
          return true;
        }
        if (depth >= FAST_DEPTH) return false;
        if (Array.isArray(v)) {
          this.arrayHeader(v.length);
          for (const item of v as unknown[]) if (!this.plain(item, depth + 1)) return false;
          return true;
        }
        if (v instanceof Uint8Array) {
          this.binary(v);
          return true;
        }
        const proto = Object.getPrototypeOf(v) as unknown;
        if (proto !== Object.prototype && proto !== null) return false;
        const record = v as Record<string, unknown>;
        const keys = Object.keys(record);
        // map16 like msgpackr, so that both give the same bytes for a record.
        if (keys.length > 0xffff) return false;
        this.byte(0xde).u16(keys.length);
        for (const key of keys) {
          this.asciiOrString(key);
          if (!this.plain(record[key], depth + 1)) return false;
        }
        return true;
      }
      default:
        return false;
    }
  }

  raw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }

  byte(b: number): this {
    this.ensure(1);
    this.buf[this.pos++] = b;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.buf[this.pos++] = v >>> 8;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  /** The bytes written; the writer must not be used afterwards. */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}

import { Packr } from 'msgpackr';

/**
 * A msgpackr packer for anything a Forward peer reads. Records are plain data: no msgpackr
 * records/structures (non-standard bytes a Fluentd peer cannot read), and undefined as nil rather
 * than msgpackr's ext-0 convention, which would collide with EventTime. One per module: a packer
 * owns a scratch buffer that its in-place modes reuse.
 */
export function plainPackr(): Packr {
  return new Packr({ useRecords: false, encodeUndefinedAsNil: true });
}

const packr = plainPackr();

/** Append-only msgpack builder for frame envelopes; record bodies are packed by msgpackr. */
export class MsgpackWriter {
  private buf: Buffer;
  private pos = 0;

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

  /** Any JSON-like value (plus Date, Map, Uint8Array), packed by msgpackr. */
  value(v: unknown): this {
    return this.raw(packr.pack(v));
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

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}

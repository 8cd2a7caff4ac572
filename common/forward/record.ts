import { Unpackr } from 'msgpackr';
import { ForwardProtocolError } from './errors.ts';
import { eventTimeFromPayload } from './event-time.ts';
import { readU32 } from './msgpack-reader.ts';

/** A decoded record or metadata map. */
export type ForwardRecord = Record<string, unknown>;

// 'auto' keeps 64-bit integers as numbers when they are exact and BigInt only when a number would lose
// digits, so common values (millisecond timestamps) stay plain numbers. msgpackr 2.1.3 implements it but
// its typings predate it, hence the cast.
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'auto' as 'bigint' });

/**
 * Decodes the map at `buf[start..end]`. The range must have been validated by the scanner (which
 * guarantees structure, key types and extension types), so msgpackr cannot fail here.
 *
 * msgpackr turns ext type 0 into `undefined` (notepack's convention) and its extension table is global
 * to the process, so rather than re-register type 0 for everyone, a record that holds EventTime values
 * (`hasEventTime`, from the scanner) goes through the small hand-written decoder below. It produces the
 * same shapes as msgpackr otherwise.
 */
export function decodeMap(buf: Uint8Array, start: number, end: number, hasEventTime: boolean): ForwardRecord {
  try {
    if (!hasEventTime) return unpackr.unpack(buf, { start, end }) as ForwardRecord;
    const cursor = { pos: start };
    const value = readValue(buf, cursor);
    if (cursor.pos !== end) throw new Error(`decoded ${cursor.pos - start} of ${end - start} bytes`);
    return value as ForwardRecord;
  } catch (error) {
    if (error instanceof ForwardProtocolError) throw error;
    throw new ForwardProtocolError('bad_record', `record could not be decoded: ${(error as Error).message}`);
  }
}

const utf8 = new TextDecoder();

interface Cursor {
  pos: number;
}

function readValue(buf: Uint8Array, c: Cursor): unknown {
  const p = c.pos;
  const b = buf[p] as number;
  if (b <= 0x7f) {
    c.pos = p + 1;
    return b;
  }
  if (b >= 0xe0) {
    c.pos = p + 1;
    return b - 0x100;
  }
  if (b <= 0x8f) {
    c.pos = p + 1;
    return readMap(buf, c, b & 0x0f);
  }
  if (b <= 0x9f) {
    c.pos = p + 1;
    return readArray(buf, c, b & 0x0f);
  }
  if (b <= 0xbf) return readStr(buf, c, p + 1, b & 0x1f);
  const view = new DataView(buf.buffer, buf.byteOffset + p + 1);
  switch (b) {
    case 0xc0:
      c.pos = p + 1;
      return null;
    case 0xc2:
      c.pos = p + 1;
      return false;
    case 0xc3:
      c.pos = p + 1;
      return true;
    case 0xc4:
      return readBin(buf, c, p + 2, buf[p + 1] as number);
    case 0xc5:
      return readBin(buf, c, p + 3, view.getUint16(0));
    case 0xc6:
      return readBin(buf, c, p + 5, view.getUint32(0));
    case 0xc7:
      return readExt(buf, c, buf[p + 2] as number, p + 3, buf[p + 1] as number);
    case 0xc8:
      return readExt(buf, c, buf[p + 3] as number, p + 4, view.getUint16(0));
    case 0xc9:
      return readExt(buf, c, buf[p + 5] as number, p + 6, view.getUint32(0));
    case 0xca:
      c.pos = p + 5;
      return view.getFloat32(0);
    case 0xcb:
      c.pos = p + 9;
      return view.getFloat64(0);
    case 0xcc:
      c.pos = p + 2;
      return buf[p + 1] as number;
    case 0xcd:
      c.pos = p + 3;
      return view.getUint16(0);
    case 0xce:
      c.pos = p + 5;
      return view.getUint32(0);
    case 0xcf:
      c.pos = p + 9;
      return auto64(view.getBigUint64(0));
    case 0xd0:
      c.pos = p + 2;
      return view.getInt8(0);
    case 0xd1:
      c.pos = p + 3;
      return view.getInt16(0);
    case 0xd2:
      c.pos = p + 5;
      return view.getInt32(0);
    case 0xd3:
      c.pos = p + 9;
      return auto64(view.getBigInt64(0));
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
      return readExt(buf, c, buf[p + 1] as number, p + 2, 1 << (b - 0xd4));
    case 0xd9:
      return readStr(buf, c, p + 2, buf[p + 1] as number);
    case 0xda:
      return readStr(buf, c, p + 3, view.getUint16(0));
    case 0xdb:
      return readStr(buf, c, p + 5, view.getUint32(0));
    case 0xdc:
      c.pos = p + 3;
      return readArray(buf, c, view.getUint16(0));
    case 0xdd:
      c.pos = p + 5;
      return readArray(buf, c, view.getUint32(0));
    case 0xde:
      c.pos = p + 3;
      return readMap(buf, c, view.getUint16(0));
    case 0xdf:
      c.pos = p + 5;
      return readMap(buf, c, view.getUint32(0));
    default:
      throw new Error(`unexpected msgpack byte 0x${b.toString(16)}`);
  }
}

function auto64(v: bigint): number | bigint {
  return v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v;
}

function readStr(buf: Uint8Array, c: Cursor, start: number, length: number): string {
  c.pos = start + length;
  return utf8.decode(buf.subarray(start, start + length));
}

function readBin(buf: Uint8Array, c: Cursor, start: number, length: number): Uint8Array {
  c.pos = start + length;
  return buf.subarray(start, start + length);
}

function readArray(buf: Uint8Array, c: Cursor, n: number): unknown[] {
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) out[i] = readValue(buf, c);
  return out;
}

function readMap(buf: Uint8Array, c: Cursor, n: number): ForwardRecord {
  const out: ForwardRecord = {};
  for (let i = 0; i < n; i++) {
    // Same key rules as msgpackr: scalars become strings, and '__proto__' is renamed so a peer cannot
    // set an object's prototype.
    let key = String(readValue(buf, c));
    if (key === '__proto__') key = '__proto_';
    out[key] = readValue(buf, c);
  }
  return out;
}

function readExt(buf: Uint8Array, c: Cursor, type: number, start: number, length: number): unknown {
  c.pos = start + length;
  if (type === 0) return eventTimeFromPayload(buf, start);
  // Timestamp (type -1): the scanner only lets through its three standard sizes.
  if (length === 4) return new Date(readU32(buf, start) * 1000);
  if (length === 8) {
    const nanos = readU32(buf, start) >>> 2;
    const seconds = ((buf[start + 3] as number) & 0x3) * 0x100000000 + readU32(buf, start + 4);
    return new Date(seconds * 1000 + nanos / 1e6);
  }
  const nanos = readU32(buf, start);
  const seconds = Number(new DataView(buf.buffer, buf.byteOffset + start + 4, 8).getBigInt64(0));
  return new Date(seconds * 1000 + nanos / 1e6);
}

import { ForwardProtocolError } from './errors.ts';
import type { MsgpackReader } from './msgpack-reader.ts';
import { readU32 } from './msgpack-reader.ts';
import type { MsgpackWriter } from './msgpack-writer.ts';

const NANOS = 1_000_000_000;
const MAX_U32 = 0xffffffff;

/**
 * Forward's EventTime: seconds and nanoseconds since the epoch, as on the wire (msgpack ext type 0,
 * two big-endian uint32). Two small integers in one fixed-shape object; no BigInt, no Date, so decoding
 * an entry allocates one tiny object for its time.
 */
export class EventTime {
  readonly seconds: number;
  readonly nanoseconds: number;

  constructor(seconds: number, nanoseconds = 0) {
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_U32) {
      throw new RangeError(`EventTime seconds must be an integer in 0..${MAX_U32}, got ${seconds}`);
    }
    if (!Number.isInteger(nanoseconds) || nanoseconds < 0 || nanoseconds >= NANOS) {
      throw new RangeError(`EventTime nanoseconds must be an integer in 0..999999999, got ${nanoseconds}`);
    }
    this.seconds = seconds;
    this.nanoseconds = nanoseconds;
  }

  /** From Fluentd's legacy float seconds; rounds to the nearest nanosecond. */
  static fromSeconds(value: number): EventTime {
    const seconds = Math.floor(value);
    const nanos = Math.round((value - seconds) * NANOS);
    return nanos >= NANOS ? new EventTime(seconds + 1, 0) : new EventTime(seconds, nanos);
  }

  static fromMillis(ms: number): EventTime {
    const seconds = Math.floor(ms / 1000);
    return new EventTime(seconds, Math.round((ms - seconds * 1000) * 1_000_000));
  }

  static fromDate(date: Date): EventTime {
    return EventTime.fromMillis(date.getTime());
  }

  static now(): EventTime {
    return EventTime.fromMillis(Date.now());
  }

  toMillis(): number {
    return this.seconds * 1000 + Math.floor(this.nanoseconds / 1_000_000);
  }

  /** Float seconds, Fluentd's legacy shape; loses sub-microsecond precision. */
  toSeconds(): number {
    return this.seconds + this.nanoseconds / NANOS;
  }

  toDate(): Date {
    return new Date(this.toMillis());
  }

  /** RFC 3339 with all nine fraction digits, e.g. `2024-05-01T12:00:00.123456789Z`. */
  toISOString(): string {
    const base = new Date(this.seconds * 1000).toISOString(); // ends in ".000Z"
    return `${base.slice(0, -4)}${String(this.nanoseconds).padStart(9, '0')}Z`;
  }

  toJSON(): string {
    return this.toISOString();
  }

  equals(other: EventTime): boolean {
    return this.seconds === other.seconds && this.nanoseconds === other.nanoseconds;
  }
}

/** The 10 wire bytes of an EventTime as fixext8 (`d7 00` + seconds + nanoseconds). */
export function encodeEventTime(time: EventTime): Buffer {
  const out = Buffer.allocUnsafe(10);
  out[0] = 0xd7;
  out[1] = 0x00;
  out.writeUInt32BE(time.seconds, 2);
  out.writeUInt32BE(time.nanoseconds, 6);
  return out;
}

/** Reads an EventTime from the 8-byte ext payload at `p`. */
export function eventTimeFromPayload(buf: Uint8Array, p: number): EventTime {
  const nanos = readU32(buf, p + 4);
  if (nanos >= NANOS) {
    throw new ForwardProtocolError(
      'bad_time',
      `EventTime nanoseconds must be below 1000000000, got ${nanos}`,
    );
  }
  return new EventTime(readU32(buf, p), nanos);
}

/** Decodes a standalone EventTime ext (fixext8 or ext8) from `bytes`. */
export function decodeEventTime(bytes: Uint8Array): EventTime {
  const payload = extPayloadStart(bytes, 0, bytes.length);
  if (payload < 0) {
    throw new ForwardProtocolError(
      'bad_time',
      'not an EventTime extension (fixext8 or ext8, type 0, 8 bytes)',
    );
  }
  return eventTimeFromPayload(bytes, payload);
}

/**
 * Offset of the 8-byte payload when an EventTime ext starts at `p`; -1 when the token is no ext; throws
 * for an ext of the wrong type or size, or one cut short.
 */
function extPayloadStart(buf: Uint8Array, p: number, end: number): number {
  const b = buf[p];
  let type: number;
  let length: number;
  let payload: number;
  if (b === 0xd7) {
    type = buf[p + 1] ?? -1;
    length = 8;
    payload = p + 2;
  } else if (b === 0xc7) {
    length = buf[p + 1] ?? -1;
    type = buf[p + 2] ?? -1;
    payload = p + 3;
  } else if (b === 0xc8) {
    length = ((buf[p + 1] ?? 0) << 8) | (buf[p + 2] ?? 0);
    type = buf[p + 3] ?? -1;
    payload = p + 4;
  } else if (b === 0xc9) {
    length = p + 5 < end ? readU32(buf, p + 1) : -1;
    type = buf[p + 5] ?? -1;
    payload = p + 6;
  } else if (b === 0xd4 || b === 0xd5 || b === 0xd6 || b === 0xd8) {
    type = buf[p + 1] ?? -1;
    length = 1 << (b - 0xd4);
    payload = p + 2;
  } else {
    return -1;
  }
  if (payload > end || payload + Math.max(length, 0) > end) {
    throw new ForwardProtocolError('truncated', 'truncated EventTime extension');
  }
  if (type !== 0 || length !== 8) {
    const signed = type > 127 ? type - 256 : type;
    throw new ForwardProtocolError(
      'bad_time',
      `time must be integer, float or EventTime, got extension type ${signed} of ${length} bytes`,
    );
  }
  return payload;
}

/**
 * Reads a plain time value (integer seconds, float seconds, EventTime). With `materialise` false it only
 * validates and skips, allocating nothing: validation runs for every entry, decoding only on demand.
 */
export function readPlainTime(r: MsgpackReader): EventTime;
export function readPlainTime(r: MsgpackReader, materialise: false): undefined;
export function readPlainTime(r: MsgpackReader, materialise = true): EventTime | undefined {
  const payload = extPayloadStart(r.buf, r.pos, r.end);
  if (payload >= 0) {
    const nanos = readU32(r.buf, payload + 4);
    if (nanos >= NANOS) {
      throw new ForwardProtocolError(
        'bad_time',
        `EventTime nanoseconds must be below 1000000000, got ${nanos}`,
      );
    }
    r.pos = payload + 8;
    return materialise ? new EventTime(readU32(r.buf, payload), nanos) : undefined;
  }
  const integer = r.readInteger();
  if (integer !== undefined) {
    if (integer < 0 || integer > MAX_U32) {
      throw new ForwardProtocolError(
        'bad_time',
        `integer time must be in 0..${MAX_U32} seconds, got ${integer}`,
      );
    }
    return materialise ? new EventTime(integer, 0) : undefined;
  }
  const float = r.readFloat();
  if (float !== undefined) {
    // Strictly below MAX_U32 so rounding up the fraction cannot overflow the seconds field.
    if (!(float >= 0 && float < MAX_U32)) {
      throw new ForwardProtocolError('bad_time', `float time must be in 0..${MAX_U32} seconds, got ${float}`);
    }
    return materialise ? EventTime.fromSeconds(float) : undefined;
  }
  throw new ForwardProtocolError('bad_time', `time must be integer, float or EventTime, got ${r.describe()}`);
}

/**
 * Validates the time of an entry, either plain or the v1.5 `[time, metadata]` pair; returns the start
 * offset of the metadata map, or -1 when there is none. Does not allocate.
 */
export function skipEntryTime(r: MsgpackReader): number {
  if (!r.isArray()) {
    readPlainTime(r, false);
    return -1;
  }
  const n = r.readArrayHeader();
  if (n !== 2) {
    throw new ForwardProtocolError(
      'bad_time',
      `time with metadata must be a 2-element array [time, metadata], got ${n} elements`,
    );
  }
  readPlainTime(r, false);
  if (!r.isMap()) {
    throw new ForwardProtocolError('bad_time', `metadata must be a map, got ${r.describe()}`);
  }
  const metadataStart = r.pos;
  r.skip();
  return metadataStart;
}

/** Writes `time` in the shape given: EventTime as fixext8, integers as int, other numbers as float. */
export function writeTime(w: MsgpackWriter, time: EventTime | number | Date): void {
  if (time instanceof EventTime) {
    w.byte(0xd7).byte(0x00).u32(time.seconds).u32(time.nanoseconds);
  } else if (time instanceof Date) {
    writeTime(w, EventTime.fromDate(time));
  } else {
    w.number(time);
  }
}

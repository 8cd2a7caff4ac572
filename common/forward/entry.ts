import { ForwardProtocolError, inContext } from './errors.ts';
import type { EventTime } from './event-time.ts';
import { readPlainTime, skipEntryTime, writeTime } from './event-time.ts';
import { MsgpackReader } from './msgpack-reader.ts';
import { skipValue } from './msgpack-scan.ts';
import type { MsgpackWriter } from './msgpack-writer.ts';
import type { ForwardRecord } from './record.ts';
import { decodeMap } from './record.ts';

/** One decoded event. `metadata` is set when the sender used the v1.5 `[time, metadata]` shape. */
export interface ForwardEntry {
  readonly tag: string;
  readonly time: EventTime;
  readonly record: ForwardRecord;
  readonly metadata: ForwardRecord | undefined;
}

/** An event to encode. A number time is sent as is (integer or float seconds, Fluentd's legacy shapes). */
export interface EntryInput {
  time: EventTime | number | Date;
  record: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

export function writeTimeAndMetadata(w: MsgpackWriter, entry: EntryInput): void {
  if (entry.metadata === undefined) {
    writeTime(w, entry.time);
  } else {
    w.arrayHeader(2);
    writeTime(w, entry.time);
    w.value(entry.metadata);
  }
}

/** `[time, record]` (or `[[time, metadata], record]`). */
export function writeEntry(w: MsgpackWriter, entry: EntryInput): void {
  w.arrayHeader(2);
  writeTimeAndMetadata(w, entry);
  w.value(entry.record);
}

export interface EntryLimits {
  maxRecordBytes: number;
}

/**
 * Where each validated entry lies, four offsets per entry in one typed array: entry start, time start,
 * record start, record end. An entry whose start equals its time start has no `[time, record]` array of
 * its own on the wire (Message mode). Indexing instead of slicing keeps validation allocation-free.
 */
export class EntryIndex {
  count = 0;
  private data: Uint32Array;

  constructor(expected = 8) {
    this.data = new Uint32Array(Math.max(expected, 1) * 4);
  }

  push(entryStart: number, timeStart: number, recordStart: number, recordEnd: number): void {
    let data = this.data;
    const at = this.count * 4;
    if (at + 4 > data.length) {
      const grown = new Uint32Array(data.length * 2);
      grown.set(data);
      this.data = data = grown;
    }
    data[at] = entryStart;
    data[at + 1] = timeStart;
    data[at + 2] = recordStart;
    data[at + 3] = recordEnd;
    this.count++;
  }

  entryStart(i: number): number {
    return this.data[i * 4] as number;
  }

  timeStart(i: number): number {
    return this.data[i * 4 + 1] as number;
  }

  recordStart(i: number): number {
    return this.data[i * 4 + 2] as number;
  }

  recordEnd(i: number): number {
    return this.data[i * 4 + 3] as number;
  }
}

/**
 * Validates the time and record at the reader (Message mode's inline pair, or the inside of an entry
 * array) and records their offsets. Errors name the location, e.g. "PackedForward entry 3: ...".
 */
export function scanTimeAndRecord(
  r: MsgpackReader,
  entryStart: number,
  index: EntryIndex,
  limits: EntryLimits,
  where: string,
  i: number,
): void {
  try {
    const timeStart = r.pos;
    skipEntryTime(r);
    const recordStart = r.pos;
    if (!r.isMap()) throw new ForwardProtocolError('bad_record', `record must be a map, got ${r.describe()}`);
    const recordEnd = skipValue(r.buf, recordStart, r.end, limits.maxRecordBytes, 'maxRecordBytes');
    r.pos = recordEnd;
    index.push(entryStart, timeStart, recordStart, recordEnd);
  } catch (error) {
    throw inContext(error, i < 0 ? where : `${where} ${i}`);
  }
}

/** Validates one `[time, record]` entry at the reader. */
export function scanEntry(
  r: MsgpackReader,
  index: EntryIndex,
  limits: EntryLimits,
  where: string,
  i: number,
): void {
  const entryStart = r.pos;
  const n = r.readArrayHeader();
  if (n !== 2) {
    const got = n === undefined ? r.describe() : `array of ${n} elements`;
    throw new ForwardProtocolError(
      'malformed',
      `${where} ${i}: entry must be a 2-element array [time, record], got ${got}`,
    );
  }
  scanTimeAndRecord(r, entryStart, index, limits, where, i);
}

const reader = new MsgpackReader(new Uint8Array(0));

/** Decodes entry `i` of a validated index. */
export function decodeIndexedEntry(
  tag: string,
  buf: Uint8Array,
  index: EntryIndex,
  i: number,
  hasEventTime: boolean,
): ForwardEntry {
  const timeStart = index.timeStart(i);
  const recordStart = index.recordStart(i);
  const r = reader.reset(buf, timeStart, recordStart);
  let time: EventTime;
  let metadata: ForwardRecord | undefined;
  if (r.isArray()) {
    r.readArrayHeader();
    time = readPlainTime(r);
    metadata = decodeMap(buf, r.pos, recordStart, hasEventTime);
  } else {
    time = readPlainTime(r);
  }
  const record = decodeMap(buf, recordStart, index.recordEnd(i), hasEventTime);
  return { tag, time, record, metadata };
}

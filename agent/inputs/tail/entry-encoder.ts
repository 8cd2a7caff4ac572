// Lines -> Forward entries (msgpack) in one buffer, for the parse workers. With a json parser the
// record goes byte to byte from JSON to msgpack (json-msgpack.ts); any other parser, or a line the
// fast path gives up on, takes the object path (record-builder.ts, then MsgpackWriter). Both give the
// same entry: a test decodes and compares them.
import { EVENT_ID_KEY } from '../../engine/types.ts';
import { MsgpackWriter } from '../../../common/forward/index.ts';
import { JsonToMsgpack, MAX_JSON_DEPTH, cutFound, jsonDeeperThan } from '../../parsers/index.ts';
import type { Parser, TranscodeResult } from '../../parsers/index.ts';
import { buildLineEvents } from './record-builder.ts';
import type { LineView, RecordKeys } from './record-builder.ts';

export class EntryEncoder {
  private readonly keys: RecordKeys;
  private readonly parser: Parser | undefined;
  private readonly out = new MsgpackWriter(64 * 1024);
  private readonly json = new JsonToMsgpack();
  private readonly result: TranscodeResult = {
    header: 0,
    members: 0,
    found: undefined,
    foundStart: 0,
    foundEnd: 0,
    noted: false,
  };

  private lastFileId = '';
  private lastFileIdBytes = Buffer.alloc(0);

  private fileIdBytes(fileId: string): Buffer {
    if (fileId !== this.lastFileId) {
      this.lastFileId = fileId;
      this.lastFileIdBytes = Buffer.from(fileId, 'latin1');
    }
    return this.lastFileIdBytes;
  }

  constructor(keys: RecordKeys, parser: Parser | undefined) {
    this.keys = keys;
    this.parser = parser;
  }

  /** The entries of every line, as a MessagePackEventStream that owns its memory. */
  encode(lines: LineView, nowMs: number): Uint8Array<ArrayBuffer> {
    const out = this.out;
    out.pos = 0;
    const data = Buffer.isBuffer(lines.data)
      ? lines.data
      : Buffer.from(lines.data.buffer, lines.data.byteOffset, lines.data.byteLength);
    const nowSec = Math.floor(nowMs / 1000);
    const nowNsec = (nowMs - nowSec * 1000) * 1_000_000;
    const fast = this.parser?.jsonFastPath;
    for (let i = 0; i < lines.count; i++) {
      const start = lines.starts[i] as number;
      const end = lines.ends[i] as number;
      if (fast === undefined || !this.fastEntry(data, start, end, lines, nowSec, nowNsec)) {
        this.slowEntry(lines, i, nowMs);
      }
    }
    return new Uint8Array(out.buf.subarray(0, out.pos));
  }

  private fastEntry(
    data: Buffer,
    start: number,
    end: number,
    lines: LineView,
    sec: number,
    nsec: number,
  ): boolean {
    const fast = this.parser?.jsonFastPath;
    if (fast === undefined) return false;
    const out = this.out;
    const entryStart = out.pos;
    out.ensure(11);
    out.buf[out.pos++] = 0x92;
    const timeAt = out.pos;
    out.pos += 10;
    const r = this.result;
    const timeKey = fast.parseTime === undefined ? undefined : fast.timeKey;
    if (!this.json.object(data, start, end, out, timeKey, r, EVENT_ID_KEY)) {
      out.pos = entryStart;
      return false;
    }
    if (r.found !== undefined && fast.parseTime !== undefined) {
      const t = fast.parseTime(r.found);
      if (t !== undefined) {
        sec = t.seconds;
        nsec = t.nanoseconds;
        if (!fast.timeKeep) cutFound(out, r);
      }
    }
    let members = r.members;
    const k = this.keys;
    if (k.pathKey !== undefined) {
      out.string(k.pathKey);
      out.string(lines.path);
      members++;
    }
    if (k.offsetKey !== undefined) {
      out.string(k.offsetKey);
      out.number(lines.base + start);
      members++;
    }
    // A line that brings its own event.id keeps it.
    if (!r.noted) {
      writeEventId(out, this.fileIdBytes(lines.fileId), lines.base + start);
      members++;
    }
    out.closeMap(r.header, members);
    writeEventTime(out.buf, timeAt, sec, nsec);
    return true;
  }

  private slowEntry(lines: LineView, i: number, nowMs: number): void {
    const one: LineView = {
      ...lines,
      starts: lines.starts.subarray(i, i + 1),
      ends: lines.ends.subarray(i, i + 1),
      count: 1,
    };
    // A record nested deeper than receivers accept would make the whole chunk undeliverable: such
    // a line is sent unparsed, under Key.
    const tooDeep =
      this.parser?.format === 'json' &&
      jsonDeeperThan(lines.data, lines.starts[i] as number, lines.ends[i] as number, MAX_JSON_DEPTH);
    const event = buildLineEvents(this.keys, tooDeep ? undefined : this.parser, one, nowMs)[0];
    if (event === undefined) return;
    const out = this.out;
    out.ensure(11);
    out.buf[out.pos++] = 0x92;
    writeEventTime(out.buf, out.pos, event.sec, event.nsec);
    out.pos += 10;
    out.value(event.record);
  }
}

const EVENT_ID_KEY_BYTES = Buffer.from([0xa0 | EVENT_ID_KEY.length, ...Buffer.from(EVENT_ID_KEY)]);
const BASE36 = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');

/**
 * `event.id: <fileId>-<offset in base 36>`, the same string as lineEventId() (the object path),
 * written byte by byte: it is on every line, and ids are ASCII.
 */
function writeEventId(out: MsgpackWriter, fileId: Buffer, offset: number): void {
  out.ensure(EVENT_ID_KEY_BYTES.length + 2 + fileId.length + 1 + 12);
  const b = out.buf;
  let p = out.pos;
  for (let i = 0; i < EVENT_ID_KEY_BYTES.length; i++) b[p++] = EVENT_ID_KEY_BYTES[i] as number;
  const header = p;
  p += 2;
  for (let i = 0; i < fileId.length; i++) b[p++] = fileId[i] as number;
  b[p++] = 0x2d;
  let digits = 1;
  for (let v = offset; v >= 36; v = Math.floor(v / 36)) digits++;
  let v = offset;
  for (let d = digits - 1; d >= 0; d--) {
    b[p + d] = BASE36[v % 36] as number;
    v = Math.floor(v / 36);
  }
  p += digits;
  b[header] = 0xd9;
  b[header + 1] = p - header - 2;
  out.pos = p;
}

/** EventTime: fixext8 (0xd7), type 0, seconds and nanoseconds as big-endian u32. */
function writeEventTime(buf: Buffer, at: number, sec: number, nsec: number): void {
  buf[at] = 0xd7;
  buf[at + 1] = 0x00;
  buf.writeUInt32BE(sec >>> 0, at + 2);
  buf.writeUInt32BE(nsec >>> 0, at + 6);
}

// The Forward event entry `[EventTime, record]` as fluent-logger puts it into a PackedForward chunk,
// encoded with msgpackr instead of fluent-logger's msgpack-lite, which was the largest single cost of
// shipping a record in the profile of the full benchmark configuration. Same wire format: EventTime
// is the fixext8 of type 0 that Fluentd defines.
//
// msgpackr rather than common/forward's MsgpackWriter: this package is published on its own and does
// not depend on the workspace-private @tributary/common; msgpackr is the library that writer falls
// back to (maintained, pure JS for packing, every value type), and measured 1.8 µs against the
// writer's 1.3 µs for an access-log record. What it refuses (a cycle, a Symbol) is retried once through
// the tolerant JSON pass the stdout sink uses, so one odd field never costs the whole record.
import { Packr } from 'msgpackr';
import type { LogTime } from './clock.ts';
import { safeJson } from './json.ts';

// Plain maps only: no msgpackr record extension (other receivers could not read it), and undefined
// as nil (msgpackr's default packs it as an extension of type 0, which Forward reserves for EventTime).
const packr = new Packr({ useRecords: false, encodeUndefinedAsNil: true, variableMapSize: true });

const HEADER_BYTES = 11; // fixarray(2), fixext8 marker, type 0, 4 bytes seconds, 4 bytes nanoseconds

function packRecord(record: object): Buffer {
  try {
    return packr.pack(record);
  } catch {
    return packr.pack(JSON.parse(safeJson(record)) as unknown);
  }
}

/** One event entry; throws only if the record cannot be encoded even after the JSON pass. */
export function encodeEventEntry(time: LogTime, record: object): Buffer {
  const body = packRecord(record);
  const entry = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  entry[0] = 0x92;
  entry[1] = 0xd7;
  entry[2] = 0x00;
  entry.writeUInt32BE(time.epoch, 3);
  entry.writeUInt32BE(time.nano, 7);
  entry.set(body, HEADER_BYTES);
  return entry;
}

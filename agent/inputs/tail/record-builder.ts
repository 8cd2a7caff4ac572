// Lines -> events, the one place tail records are built (main thread or parse worker): the parser's
// record and time, or Fluent Bit's `{Key: line}` when there is no parser or the line does not parse;
// Path_Key, Offset_Key; and `event.id` from the file's identity and the line's offset, unless the
// line brought its own.
import { EVENT_ID_KEY } from '../../engine/types.ts';
import type { LogEvent } from '../../engine/types.ts';
import { isParseError } from '../../parsers/index.ts';
import type { Parser } from '../../parsers/index.ts';
import { lineEventId } from './identity.ts';

export interface RecordKeys {
  readonly key: string;
  readonly pathKey: string | undefined;
  readonly offsetKey: string | undefined;
}

/** Complete lines of one file: what a LineBatch holds, in a form that can cross to a worker. */
export interface LineView {
  readonly data: Uint8Array;
  /** Index in `data` where line i starts, and where its content ends (newline excluded). */
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  readonly count: number;
  /** File offset of data[0]. */
  readonly base: number;
  readonly fileId: string;
  readonly path: string;
}

export function buildLineEvents(
  keys: RecordKeys,
  parser: Parser | undefined,
  lines: LineView,
  nowMs: number,
): LogEvent[] {
  const data = Buffer.isBuffer(lines.data)
    ? lines.data
    : Buffer.from(lines.data.buffer, lines.data.byteOffset, lines.data.byteLength);
  const sec = Math.floor(nowMs / 1000);
  const nsec = (nowMs - sec * 1000) * 1_000_000;
  const n = lines.count;
  const events = new Array<LogEvent>(n);
  for (let i = 0; i < n; i++) {
    const start = lines.starts[i] as number;
    const end = lines.ends[i] as number;
    let record: Record<string, unknown>;
    let s = sec;
    let ns = nsec;
    const parsed = parser?.parseBuffer(data, start, end);
    if (parsed === undefined || isParseError(parsed)) {
      record = { [keys.key]: data.toString('utf8', start, end) };
    } else {
      record = parsed.record;
      if (parsed.time !== undefined) {
        s = parsed.time.seconds;
        ns = parsed.time.nanoseconds;
      }
    }
    if (keys.pathKey !== undefined) record[keys.pathKey] = lines.path;
    if (keys.offsetKey !== undefined) record[keys.offsetKey] = lines.base + start;
    if (record[EVENT_ID_KEY] === undefined)
      record[EVENT_ID_KEY] = lineEventId(lines.fileId, lines.base + start);
    events[i] = { sec: s, nsec: ns, record };
  }
  return events;
}

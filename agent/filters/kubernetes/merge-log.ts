// Merge_Log: the `log` value parsed (the pod's annotated parser, else Merge_Parser, else JSON) and
// its fields added to the record, or under Merge_Log_Key; Keep_Log Off drops `log` once merged. A
// `log` that does not parse is left as it is. Mirrors kubernetes.c pack_map_content, key order
// included: the record's own keys, then the merged ones, then `kubernetes`.
import type { LogEvent } from '../../engine/types.ts';
import type { Parser } from '../../parsers/index.ts';
import { isParseError } from '../../parsers/index.ts';
import { setKey } from '../common/record.ts';

export interface MergeSettings {
  readonly mergeLog: boolean;
  readonly mergeLogKey: string | undefined;
  readonly mergeLogTrim: boolean;
  readonly keepLog: boolean;
}

type Rec = Record<string, unknown>;

function isMap(v: unknown): v is Rec {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Fluent Bit's default: the whole value must be one JSON object. */
function parseJsonObject(text: string): Rec | undefined {
  let i = 0;
  let c = text.charCodeAt(0);
  while (c === 32 || c === 9 || c === 10 || c === 13) c = text.charCodeAt(++i);
  if (c !== 123 /* { */) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return isMap(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Merge_Log_Trim (Fluent Bit's value_trim_size): trailing newlines, and trailing escaped `\n` /
 * `\r` sequences, come off string values; the first character always stays.
 */
export function trimValue(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  let size = v.length;
  for (let i = size - 1; i > 0; i--) {
    if (v.charCodeAt(i) === 10) {
      size--;
      continue;
    }
    const c = v[i];
    if (v[i - 1] === '\\' && (c === 'n' || c === 'r')) {
      size -= 2;
      i--;
    } else {
      break;
    }
  }
  return size === v.length ? v : v.slice(0, size);
}

/**
 * Adds the metadata to one record, merging `log` first when Merge_Log is on. `parser` is the pod's
 * annotated parser or Merge_Parser (undefined: JSON). A parser's time becomes the event's time.
 */
export function enrich(
  event: LogEvent,
  s: MergeSettings,
  parser: Parser | undefined,
  kube: Readonly<Rec> | undefined,
  namespace: Readonly<Rec> | undefined,
): void {
  const record = event.record;
  let merged: Rec | undefined;
  let trim = false;
  if (s.mergeLog && Object.hasOwn(record, 'log')) {
    const log = record.log;
    if (isMap(log)) {
      merged = log;
    } else if (typeof log === 'string') {
      if (parser === undefined) {
        merged = parseJsonObject(log);
      } else {
        const r = parser.parse(log);
        if (!isParseError(r)) {
          merged = r.record;
          if (r.time !== undefined) {
            event.sec = r.time.seconds;
            event.nsec = r.time.nanoseconds;
          }
        }
      }
      trim = s.mergeLogTrim;
    }
  }
  if (merged === undefined) {
    if (kube !== undefined) setKey(record, 'kubernetes', { ...kube });
    if (namespace !== undefined) setKey(record, 'kubernetes_namespace', { ...namespace });
    return;
  }
  const out: Rec = {};
  for (const k in record) if (s.keepLog || k !== 'log') setKey(out, k, record[k]);
  if (s.mergeLogKey !== undefined) {
    // An empty map adds no key, as in Fluent Bit.
    let sub: Rec | undefined;
    for (const k in merged) setKey((sub ??= {}), k, trim ? trimValue(merged[k]) : merged[k]);
    if (sub !== undefined) setKey(out, s.mergeLogKey, sub);
  } else {
    for (const k in merged) setKey(out, k, trim ? trimValue(merged[k]) : merged[k]);
  }
  if (kube !== undefined) setKey(out, 'kubernetes', { ...kube });
  if (namespace !== undefined) setKey(out, 'kubernetes_namespace', { ...namespace });
  event.record = out;
}

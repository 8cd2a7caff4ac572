import { ForwardProtocolError } from './errors.ts';
import type { EntryInput } from './entry.ts';
import { EntryIndex, scanTimeAndRecord, writeTimeAndMetadata } from './entry.ts';
import type { DecodeLimits } from './limits.ts';
import type { MsgpackReader } from './msgpack-reader.ts';
import { MsgpackWriter } from './msgpack-writer.ts';
import type { ForwardOptions } from './options.ts';
import { optionCount, readOptions, writeOptions } from './options.ts';

export interface ParsedEntries {
  index: EntryIndex;
  options: ForwardOptions;
}

/**
 * Message mode: `[tag, time, record, option?]`, one event. The reader is positioned at the time.
 * The entry is indexed with no array of its own (entry start = time start).
 */
export function parseMessage(r: MsgpackReader, arity: number, limits: DecodeLimits): ParsedEntries {
  if (arity !== 3 && arity !== 4) {
    throw new ForwardProtocolError('malformed', `Message mode frame must have 3 or 4 elements, got ${arity}`);
  }
  const index = new EntryIndex(1);
  scanTimeAndRecord(r, r.pos, index, limits, 'Message', -1);
  const options = arity === 4 ? readOptions(r) : {};
  return { index, options };
}

/** Encodes `[tag, time, record, option?]`; the option map is left out when empty. */
export function encodeMessage(tag: string, entry: EntryInput, options: ForwardOptions = {}): Buffer {
  const w = new MsgpackWriter();
  const withOptions = optionCount(options) > 0;
  w.arrayHeader(withOptions ? 4 : 3).string(tag);
  writeTimeAndMetadata(w, entry);
  w.value(entry.record);
  if (withOptions) writeOptions(w, options);
  return w.finish();
}

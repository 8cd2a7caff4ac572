import { ForwardProtocolError } from './errors.ts';
import type { EntryInput } from './entry.ts';
import { EntryIndex, scanEntry, writeEntry } from './entry.ts';
import type { DecodeLimits } from './limits.ts';
import type { ParsedEntries } from './message.ts';
import type { MsgpackReader } from './msgpack-reader.ts';
import { MsgpackWriter } from './msgpack-writer.ts';
import type { ForwardOptions } from './options.ts';
import { optionCount, readOptions, writeOptions } from './options.ts';

/** Forward mode: `[tag, [[time, record], ...], option?]`. The reader is positioned at the entries array. */
export function parseForward(r: MsgpackReader, arity: number, limits: DecodeLimits): ParsedEntries {
  if (arity !== 2 && arity !== 3) {
    throw new ForwardProtocolError('malformed', `Forward mode frame must have 2 or 3 elements, got ${arity}`);
  }
  const count = r.readArrayHeader() ?? 0; // the caller saw an array
  // Each entry takes at least 3 bytes, so this cannot be talked into a huge allocation.
  const index = new EntryIndex(Math.min(count, Math.ceil((r.end - r.pos) / 3)));
  for (let i = 0; i < count; i++) scanEntry(r, index, limits, 'Forward entry', i);
  const options = arity === 3 ? readOptions(r) : {};
  return { index, options };
}

/** Encodes `[tag, [[time, record], ...], option?]`. */
export function encodeForward(
  tag: string,
  entries: readonly EntryInput[],
  options: ForwardOptions = {},
): Buffer {
  const w = new MsgpackWriter(1024);
  const withOptions = optionCount(options) > 0;
  w.arrayHeader(withOptions ? 3 : 2).string(tag);
  w.arrayHeader(entries.length);
  for (const entry of entries) writeEntry(w, entry);
  if (withOptions) writeOptions(w, options);
  return w.finish();
}

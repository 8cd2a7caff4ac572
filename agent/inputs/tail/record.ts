// The record an unparsed line becomes, as Fluent Bit builds it: `{ [Key]: line }` plus Path_Key and
// Offset_Key when configured. Parsers replace the `Key` part; this is the no-parser default and the
// single place those three keys are applied.
import type { TailConfig } from './config.ts';
import type { LineBatch } from './reader.ts';

export function lineRecord(
  config: Pick<TailConfig, 'key' | 'pathKey' | 'offsetKey'>,
  batch: LineBatch,
  i: number,
): Record<string, string | number> {
  const record: Record<string, string | number> = { [config.key]: batch.text(i) };
  if (config.pathKey !== undefined) record[config.pathKey] = batch.source.path;
  // Fluent Bit's Offset_Key is where the line starts (file->offset + bytes processed before it).
  if (config.offsetKey !== undefined) record[config.offsetKey] = batch.offsetStart(i);
  return record;
}

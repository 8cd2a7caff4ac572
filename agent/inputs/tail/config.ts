// The tail core's settings. The keys themselves (names, types, defaults, descriptions, checks) are
// the `tail` entry of agent/config/registry.ts, which validates a config and generates
// agent/config/README.md; `tailConfigFromValues` turns that entry's typed values into a TailConfig.
import type { TypedValue } from '../../config/types.ts';
import type { DbSync } from './offsets-db.ts';
import { splitList } from './discovery.ts';

export interface TailConfig {
  readonly paths: readonly string[];
  readonly excludePaths: readonly string[];
  readonly tag: string;
  readonly pathKey: string | undefined;
  readonly offsetKey: string | undefined;
  readonly key: string;
  readonly readFromHead: boolean;
  readonly readNewlyDiscoveredFromHead: boolean;
  readonly refreshIntervalMs: number;
  readonly rotateWaitMs: number;
  readonly db: string | undefined;
  readonly dbSync: DbSync;
  readonly dbLocking: boolean;
  readonly dbJournalMode: 'WAL' | 'DELETE' | 'TRUNCATE' | 'PERSIST' | 'MEMORY' | 'OFF';
  readonly skipLongLines: boolean;
  readonly skipEmptyLines: boolean;
  readonly bufferChunkSize: number;
  readonly bufferMaxSize: number;
  /** 0 = no limit (Fluent Bit's default). */
  readonly memBufLimit: number;
}

/** Fluent Bit's tag expansion: `*` becomes the path with `/` as `.` (leading `/` dropped). */
export function composeTag(tag: string, path: string): string {
  const star = tag.indexOf('*');
  if (star === -1) return tag;
  const raw = tag.slice(0, star) + path + tag.slice(star + 1);
  let out = '';
  for (const ch of raw) {
    if (ch === '*') continue;
    const sep = ch === '/' || ch === '\\' || ch === ':';
    if (sep && out === '') continue;
    const c = sep ? '.' : ch;
    if (c === '.' && out.endsWith('.')) continue;
    out += c;
  }
  return out.endsWith('.') ? out.slice(0, -1) : out;
}

/**
 * TailConfig from a loaded `[INPUT] Name tail` section: the registry has already validated and
 * typed every key (sizes in bytes, times in seconds) and applied Fluent Bit's defaults, and
 * agent/config/validate.ts the checks across keys (`Buffer_Max_Size` ≥ `Buffer_Chunk_Size`,
 * `Refresh_Interval` > 0).
 */
export function tailConfigFromValues(values: Readonly<Record<string, TypedValue>>, tag: string): TailConfig {
  const str = (k: string): string | undefined => {
    const v = values[k];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const num = (k: string): number => (typeof values[k] === 'number' ? (values[k] as number) : 0);
  const bool = (k: string): boolean => values[k] === true;
  const list = (k: string): readonly string[] => {
    const v = values[k];
    return Array.isArray(v) ? (v as readonly string[]) : typeof v === 'string' ? splitList(v) : [];
  };
  const bufferChunkSize = num('buffer_chunk_size') || 32768;
  const journal = (str('db.journal_mode') ?? 'WAL').toUpperCase();
  const sync = (str('db.sync') ?? 'normal').toLowerCase();
  return {
    paths: list('path'),
    excludePaths: list('exclude_path'),
    tag,
    pathKey: str('path_key'),
    offsetKey: str('offset_key'),
    key: str('key') ?? 'log',
    readFromHead: bool('read_from_head'),
    readNewlyDiscoveredFromHead: values['read_newly_discovered_files_from_head'] !== false,
    refreshIntervalMs: Math.max(1, num('refresh_interval') * 1000),
    rotateWaitMs: num('rotate_wait') * 1000,
    db: str('db'),
    dbSync: (['extra', 'full', 'normal', 'off'].includes(sync) ? sync : 'normal') as DbSync,
    dbLocking: bool('db.locking'),
    dbJournalMode: (['WAL', 'DELETE', 'TRUNCATE', 'PERSIST', 'MEMORY', 'OFF'].includes(journal)
      ? journal
      : 'WAL') as TailConfig['dbJournalMode'],
    skipLongLines: bool('skip_long_lines'),
    skipEmptyLines: bool('skip_empty_lines'),
    bufferChunkSize,
    // A given Buffer_Max_Size is ≥ Buffer_Chunk_Size (validated); the default follows a raised chunk size.
    bufferMaxSize: Math.max(num('buffer_max_size'), bufferChunkSize),
    memBufLimit: num('mem_buf_limit'),
  };
}

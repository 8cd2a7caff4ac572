// The tail input's config keys: one table that both validates a Fluent Bit `[INPUT] Name tail`
// section and documents it (the README table is this table). Only the keys of the tail core are
// here; parser, multiline and docker-mode keys belong to the layers that implement them, which is
// why parseTailConfig hands back the keys it does not know instead of rejecting them.
import { parseDurationResult, parseSizeResult } from '../../../common/config/index.ts';
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

type Kind = 'string' | 'list' | 'bool' | 'size' | 'duration' | 'enum';

export interface TailKey {
  readonly name: string;
  readonly kind: Kind;
  readonly default: string | undefined;
  readonly values?: readonly string[];
  readonly description: string;
}

/** Keys implemented by the tail core, with Fluent Bit's defaults. */
export const TAIL_KEYS: readonly TailKey[] = [
  {
    name: 'Path',
    kind: 'list',
    default: undefined,
    description:
      'Comma-separated glob patterns of files to follow (`*`, `?`, `[...]`, `~/`; `**` = any depth). Required.',
  },
  {
    name: 'Exclude_Path',
    kind: 'list',
    default: undefined,
    description: 'Comma-separated shell patterns matched against the whole path; `*` also matches `/`.',
  },
  {
    name: 'Tag',
    kind: 'string',
    default: 'tail',
    description:
      'Tag of the records. A `*` is replaced by the file path with `/` turned into `.` (`kube.*` -> `kube.var.log.containers.x.log`).',
  },
  {
    name: 'Path_Key',
    kind: 'string',
    default: undefined,
    description: 'If set, records get the file path under this key.',
  },
  {
    name: 'Offset_Key',
    kind: 'string',
    default: undefined,
    description: 'If set, records get the line’s byte offset under this key.',
  },
  { name: 'Key', kind: 'string', default: 'log', description: 'Key of the line in an unparsed record.' },
  {
    name: 'Read_from_Head',
    kind: 'bool',
    default: 'false',
    description:
      'Files found at start with no DB entry: read from the head (on) or only what is appended from now (off).',
  },
  {
    name: 'Read_Newly_Discovered_Files_From_Head',
    kind: 'bool',
    default: 'true',
    description: 'Files that appear after start are read from the head whatever Read_from_Head says.',
  },
  {
    name: 'Refresh_Interval',
    kind: 'duration',
    default: '60',
    description: 'How often `Path` is rescanned for new files (seconds, or 250ms, 1m…).',
  },
  {
    name: 'Rotate_Wait',
    kind: 'duration',
    default: '5',
    description:
      'How long a rotated-away or deleted file is still followed after its last new byte, for writers that have not reopened yet.',
  },
  {
    name: 'DB',
    kind: 'string',
    default: undefined,
    description: 'SQLite file of acknowledged offsets; without it a restart starts over per Read_from_Head.',
  },
  {
    name: 'DB.sync',
    kind: 'enum',
    default: 'normal',
    values: ['extra', 'full', 'normal', 'off'],
    description: 'SQLite `synchronous`: `normal` survives a process crash, `full` also a power cut.',
  },
  {
    name: 'DB.locking',
    kind: 'bool',
    default: 'false',
    description: 'Exclusive lock on the DB file (no other process may read it meanwhile).',
  },
  {
    name: 'DB.journal_mode',
    kind: 'enum',
    default: 'WAL',
    values: ['WAL', 'DELETE', 'TRUNCATE', 'PERSIST', 'MEMORY', 'OFF'],
    description: 'SQLite journal mode.',
  },
  {
    name: 'Skip_Long_Lines',
    kind: 'bool',
    default: 'off',
    description:
      'A line longer than Buffer_Max_Size is skipped (counted, logged) when on; when off it is emitted in Buffer_Max_Size fragments flagged as partial (Fluent Bit stops following the file).',
  },
  {
    name: 'Skip_Empty_Lines',
    kind: 'bool',
    default: 'off',
    description: 'Empty lines (also `\\r\\n`) produce no record.',
  },
  {
    name: 'Buffer_Chunk_Size',
    kind: 'size',
    default: '32k',
    description: 'First read buffer of a file, and the step it grows by for a long line.',
  },
  {
    name: 'Buffer_Max_Size',
    kind: 'size',
    default: '32k',
    description: 'Longest line kept whole; see Skip_Long_Lines.',
  },
  {
    name: 'Mem_Buf_Limit',
    kind: 'size',
    default: undefined,
    description:
      'Reading pauses while this many bytes have been handed on but not yet acknowledged; resumes as acks arrive.',
  },
];

export interface ParsedTailConfig {
  readonly config: TailConfig;
  /** Keys that are not tail-core keys, as given (for the parser/multiline layers to claim). */
  readonly rest: Readonly<Record<string, string>>;
}

export class TailConfigError extends Error {
  readonly key: string;
  constructor(key: string, message: string) {
    super(`tail: ${key}: ${message}`);
    this.name = 'TailConfigError';
    this.key = key;
  }
}

const BOOL_TRUE = new Set(['on', 'true', 'yes', '1']);
const BOOL_FALSE = new Set(['off', 'false', 'no', '0']);

/** Parses a section's key/values (names case-insensitive, as Fluent Bit's). */
export function parseTailConfig(entries: Readonly<Record<string, string>>): ParsedTailConfig {
  const byName = new Map(TAIL_KEYS.map((k) => [k.name.toLowerCase(), k]));
  const given = new Map<string, string>();
  const rest: Record<string, string> = {};
  for (const [k, v] of Object.entries(entries)) {
    const spec = byName.get(k.toLowerCase());
    if (spec === undefined) rest[k] = v;
    else given.set(spec.name, v);
  }
  const raw = (name: string): string | undefined =>
    given.get(name) ?? TAIL_KEYS.find((k) => k.name === name)?.default;
  const str = (name: string): string | undefined => {
    const v = raw(name)?.trim();
    return v === '' ? undefined : v;
  };
  const bool = (name: string): boolean => {
    const v = (raw(name) ?? 'false').trim().toLowerCase();
    if (BOOL_TRUE.has(v)) return true;
    if (BOOL_FALSE.has(v)) return false;
    throw new TailConfigError(name, `expected on/off, true/false or yes/no, got ${JSON.stringify(v)}`);
  };
  const size = (name: string): number => {
    const v = raw(name);
    if (v === undefined) return 0;
    const r = parseSizeResult(v.trim());
    if (!r.ok) throw new TailConfigError(name, r.message);
    return r.value;
  };
  const duration = (name: string): number => {
    const r = parseDurationResult((raw(name) ?? '0').trim());
    if (!r.ok) throw new TailConfigError(name, r.message);
    return r.value;
  };
  const oneOf = <T extends string>(name: string, values: readonly T[]): T => {
    const v = (raw(name) ?? '').trim();
    const hit = values.find((x) => x.toLowerCase() === v.toLowerCase());
    if (hit === undefined) throw new TailConfigError(name, `expected one of ${values.join(', ')}, got ${v}`);
    return hit;
  };

  const paths = splitList(raw('Path'));
  if (paths.length === 0) throw new TailConfigError('Path', 'is required (one or more glob patterns)');
  const bufferChunkSize = size('Buffer_Chunk_Size');
  // Fluent Bit: Buffer_Max_Size defaults to Buffer_Chunk_Size when that was raised.
  const bufferMaxSize = given.has('Buffer_Max_Size')
    ? size('Buffer_Max_Size')
    : Math.max(size('Buffer_Max_Size'), bufferChunkSize);
  if (bufferChunkSize < 1) throw new TailConfigError('Buffer_Chunk_Size', 'must be at least 1 byte');
  if (bufferMaxSize < bufferChunkSize) {
    throw new TailConfigError('Buffer_Max_Size', `must be ≥ Buffer_Chunk_Size (${bufferChunkSize})`);
  }
  const refreshIntervalMs = duration('Refresh_Interval');
  if (refreshIntervalMs <= 0) throw new TailConfigError('Refresh_Interval', 'must be > 0');
  const config: TailConfig = {
    paths,
    excludePaths: splitList(raw('Exclude_Path')),
    tag: str('Tag') ?? 'tail',
    pathKey: str('Path_Key'),
    offsetKey: str('Offset_Key'),
    key: str('Key') ?? 'log',
    readFromHead: bool('Read_from_Head'),
    readNewlyDiscoveredFromHead: bool('Read_Newly_Discovered_Files_From_Head'),
    refreshIntervalMs,
    rotateWaitMs: duration('Rotate_Wait'),
    db: str('DB'),
    dbSync: oneOf('DB.sync', ['extra', 'full', 'normal', 'off'] as const),
    dbLocking: bool('DB.locking'),
    dbJournalMode: oneOf('DB.journal_mode', [
      'WAL',
      'DELETE',
      'TRUNCATE',
      'PERSIST',
      'MEMORY',
      'OFF',
    ] as const),
    skipLongLines: bool('Skip_Long_Lines'),
    skipEmptyLines: bool('Skip_Empty_Lines'),
    bufferChunkSize,
    bufferMaxSize,
    memBufLimit: size('Mem_Buf_Limit'),
  };
  return { config, rest };
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
 * typed every key (sizes in bytes, times in seconds) and applied Fluent Bit's defaults.
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
    bufferMaxSize: Math.max(num('buffer_max_size'), bufferChunkSize),
    memBufLimit: num('mem_buf_limit'),
  };
}

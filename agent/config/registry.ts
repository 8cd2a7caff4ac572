/**
 * The key tables: each plugin declares every key it accepts in one table, Fluent Bit
 * style, and that table both validates configs and generates the README. Names keep
 * Fluent Bit's spelling (matched case-insensitively), defaults are written the way a user
 * would write them, and units are Fluent Bit's.
 */
import { BUILTIN_PARSER_DEFINITIONS } from '../parsers/builtin.ts';
import { BUILTIN_MULTILINE_PARSERS } from '../parsers/multiline.ts';
import type { TypedValue } from './types.ts';

export type KeyType = 'string' | 'int' | 'bool' | 'size' | 'time' | 'list' | 'multi';

export type KeyParse = { ok: true; value: TypedValue } | { ok: false; message: string };

export interface KeyDef {
  /** Fluent Bit's name for the key, in its documented spelling. */
  readonly name: string;
  /**
   * `size`: bytes (Fluent Bit's unit table, `32k` = 32000); `time`: seconds (`5`, `30s`,
   * `1m`); `bool`: on/off/true/false/yes/no; `list`: comma-separated; `multi`: the key may
   * be given several times and every occurrence is kept, in order.
   */
  readonly type: KeyType;
  readonly default?: string;
  readonly description: string;
  /** Allowed values, compared case-insensitively (for `list`, each item). */
  readonly values?: readonly string[];
  readonly required?: boolean;
  /** `name` is a prefix: any key starting with it (Fluent Bit's `Parser_N`). */
  readonly prefix?: boolean;
  /** A `list` key that may also be given several times (items accumulate). */
  readonly repeatable?: boolean;
  readonly min?: number;
  readonly max?: number;
  /**
   * Fluent Bit-specific syntax for this key; returning `undefined` hands the value on to
   * the type's own parsing (`Buffer_Size False` or a size).
   */
  readonly parse?: (raw: string) => KeyParse | undefined;
  /** Type shown in the README when `parse` gives the key its own syntax. */
  readonly typeLabel?: string;
  /** A Fluent Bit key Tributary refuses, with what to do instead: an error, not silence. */
  readonly unsupported?: string;
  /** How Tributary differs from Fluent Bit for this key, shown in the README. */
  readonly differs?: string;
}

export interface PluginDef {
  readonly kind: 'input' | 'filter' | 'output';
  readonly name: string;
  readonly description: string;
  readonly keys: readonly KeyDef[];
}

const LOG_LEVELS = ['off', 'error', 'warn', 'warning', 'info', 'debug', 'trace'] as const;

function retryLimit(raw: string): KeyParse {
  const v = raw.trim().toLowerCase();
  if (v === 'false' || v === 'no_limits') return { ok: true, value: false };
  if (v === 'no_retries') return { ok: true, value: 0 };
  if (/^[0-9]+$/.test(v)) return { ok: true, value: Number(v) };
  return {
    ok: false,
    message: `expected a number of retries, \`no_limits\`, \`False\` or \`no_retries\`, got \`${raw}\``,
  };
}

/** in_tcp reads Chunk_Size and Buffer_Size as a whole number of kilobytes (×1024). */
function kilobytes(raw: string): KeyParse {
  const m = /^([0-9]+)\s*(?:k|kb)?$/i.exec(raw.trim());
  if (!m) return { ok: false, message: `expected a whole number of kilobytes such as 32, got \`${raw}\`` };
  const n = Number(m[1]);
  if (n === 0) return { ok: false, message: 'must be at least 1 (kilobyte)' };
  return { ok: true, value: n * 1024 };
}

/** in_tcp's Separator takes C escapes (`\n`, `\r\n`), as Fluent Bit unescapes it. */
function escaped(raw: string): KeyParse {
  const out = raw.replace(/\\(.)/g, (_m, c: string) =>
    c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c === '0' ? '\0' : c,
  );
  if (out === '') return { ok: false, message: 'separator must not be empty' };
  return { ok: true, value: out };
}

/** out_es's Buffer_Size: a size, or `False` for no limit. */
function sizeOrFalse(raw: string): KeyParse | undefined {
  return raw.trim().toLowerCase() === 'false' ? { ok: true, value: false } : undefined;
}

export const SERVICE_KEYS: readonly KeyDef[] = [
  {
    name: 'Flush',
    type: 'time',
    default: '1',
    description: 'Seconds between flushes of buffered records to outputs (fractions allowed).',
  },
  {
    name: 'Grace',
    type: 'time',
    default: '5',
    description: 'Seconds to wait on shutdown for buffered records to be flushed.',
  },
  {
    name: 'Daemon',
    type: 'bool',
    default: 'off',
    description: 'Run in the background.',
    differs: 'Only `off` is accepted: run the agent under a supervisor (Kubernetes, systemd).',
    values: ['off', 'false', 'no'],
  },
  { name: 'Log_File', type: 'string', description: 'Write the agent log to this file instead of stderr.' },
  { name: 'Log_Level', type: 'string', default: 'info', values: LOG_LEVELS, description: 'Agent log level.' },
  {
    name: 'Parsers_File',
    type: 'multi',
    description:
      'A file of [PARSER] and [MULTILINE_PARSER] sections (or YAML `parsers`), relative to the main config. May be given several times.',
  },
  {
    name: 'Plugins_File',
    type: 'string',
    description: 'External plugins.',
    unsupported: 'Tributary has no external plugins',
  },
  {
    name: 'Streams_File',
    type: 'string',
    description: 'Stream processor tasks.',
    unsupported: 'Tributary has no stream processor',
  },
  {
    name: 'HTTP_Server',
    type: 'bool',
    default: 'off',
    description: "Serve Fluent Bit's monitoring API (`/api/v1/metrics`, `/api/v1/health`, ...).",
  },
  { name: 'HTTP_Listen', type: 'string', default: '0.0.0.0', description: 'Address of the monitoring API.' },
  {
    name: 'HTTP_Port',
    type: 'int',
    default: '2020',
    min: 0,
    max: 65535,
    description: 'Port of the monitoring API.',
  },
  {
    name: 'Health_Check',
    type: 'bool',
    default: 'off',
    description: 'Make `/api/v1/health` report errors and retry failures.',
  },
  {
    name: 'HC_Errors_Count',
    type: 'int',
    default: '5',
    min: 0,
    description: 'Output errors within `HC_Period` that make the agent unhealthy.',
  },
  {
    name: 'HC_Retry_Failure_Count',
    type: 'int',
    default: '5',
    min: 0,
    description: 'Failed retries within `HC_Period` that make the agent unhealthy.',
  },
  {
    name: 'HC_Period',
    type: 'time',
    default: '60',
    description: 'Seconds over which health check counts are taken.',
  },
  { name: 'Hot_Reload', type: 'bool', default: 'off', description: 'Reload the config on SIGHUP.' },
  {
    name: 'storage.path',
    type: 'string',
    description: 'Directory for filesystem buffering (`storage.type filesystem`).',
  },
  {
    name: 'storage.sync',
    type: 'string',
    default: 'normal',
    values: ['normal', 'full'],
    description: '`full` syncs every chunk write to disk.',
  },
  { name: 'storage.checksum', type: 'bool', default: 'off', description: 'Checksum chunks written to disk.' },
  {
    name: 'storage.backlog.mem_limit',
    type: 'size',
    default: '5M',
    description: 'Memory for replaying chunks found on disk at start.',
  },
  {
    name: 'storage.max_chunks_up',
    type: 'int',
    default: '128',
    min: 1,
    description: 'Chunks kept in memory at once.',
  },
  {
    name: 'storage.metrics',
    type: 'bool',
    default: 'off',
    description: 'Expose storage metrics on the monitoring API.',
  },
  {
    name: 'storage.delete_irrecoverable_chunks',
    type: 'bool',
    default: 'off',
    description: 'Delete corrupt chunks found on disk instead of keeping them.',
  },
  {
    name: 'scheduler.cap',
    type: 'time',
    default: '2000',
    description: 'Longest wait between retries, in seconds.',
  },
  {
    name: 'scheduler.base',
    type: 'time',
    default: '5',
    description: 'Base of the exponential retry backoff, in seconds.',
  },
  {
    name: 'Coro_Stack_Size',
    type: 'size',
    default: '24576',
    description: 'Coroutine stack size.',
    differs: 'Accepted for compatibility; no effect (no coroutines).',
  },
];

const INPUT_COMMON: readonly KeyDef[] = [
  { name: 'Name', type: 'string', required: true, description: 'Plugin name.' },
  { name: 'Alias', type: 'string', description: 'Instance name in metrics, instead of `<name>.<n>`.' },
  { name: 'Tag', type: 'string', description: 'Tag of the records; default the instance name (`tail.0`).' },
  {
    name: 'Log_Level',
    type: 'string',
    values: LOG_LEVELS,
    description: "Log level of this instance; default the service's.",
  },
  {
    name: 'Log_Suppress_Interval',
    type: 'time',
    default: '0',
    description: 'Suppress repeated log messages within this many seconds (0: never).',
  },
  {
    name: 'Mem_Buf_Limit',
    type: 'size',
    default: '0',
    description: 'Memory for buffered records; when full the input pauses (0: no limit).',
  },
  {
    name: 'storage.type',
    type: 'string',
    default: 'memory',
    values: ['memory', 'filesystem'],
    description: "Buffer in memory, or in chunk files under the service's `storage.path`.",
  },
  {
    name: 'storage.pause_on_chunks_overlimit',
    type: 'bool',
    default: 'off',
    description: 'With filesystem storage, pause when `storage.max_chunks_up` is reached.',
  },
  {
    name: 'Threaded',
    type: 'bool',
    default: 'false',
    description: 'Run this input in its own thread.',
    differs:
      'On a tail input with a `Parser`: parse in worker threads (one per core, up to 4). Other inputs: accepted, no effect.',
  },
];

const FILTER_COMMON: readonly KeyDef[] = [
  { name: 'Name', type: 'string', required: true, description: 'Plugin name.' },
  { name: 'Alias', type: 'string', description: 'Instance name in metrics, instead of `<name>.<n>`.' },
  { name: 'Match', type: 'string', description: 'Tag pattern; `*` matches any characters.' },
  { name: 'Match_Regex', type: 'string', description: 'Regular expression matched at the start of the tag.' },
  { name: 'Log_Level', type: 'string', values: LOG_LEVELS, description: 'Log level of this instance.' },
  {
    name: 'Log_Suppress_Interval',
    type: 'time',
    default: '0',
    description: 'Suppress repeated log messages within this many seconds.',
  },
];

const OUTPUT_COMMON: readonly KeyDef[] = [
  ...FILTER_COMMON,
  {
    name: 'Retry_Limit',
    type: 'int',
    default: 'no_limits',
    differs:
      "Default `no_limits` (Fluent Bit: 1). Fluent Bit's default drops a chunk after one failed retry, so a collector restart loses logs; set `Retry_Limit 1` for its behaviour.",
    parse: retryLimit,
    typeLabel: 'int \\| no_limits \\| no_retries',
    description:
      'Retries of a failed chunk: a number, `no_limits` (or `False`) for no limit, `no_retries` for none.',
  },
  {
    name: 'storage.total_limit_size',
    type: 'size',
    description: "Limit of this output's chunks on disk; oldest dropped (and counted) beyond it.",
  },
];

const TLS_KEYS: readonly KeyDef[] = [
  { name: 'tls', type: 'bool', default: 'off', description: 'Use TLS.' },
  { name: 'tls.verify', type: 'bool', default: 'on', description: "Verify the peer's certificate." },
  {
    name: 'tls.debug',
    type: 'int',
    default: '1',
    min: 0,
    max: 4,
    description: 'TLS debug level.',
  },
  { name: 'tls.ca_file', type: 'string', description: 'CA certificates file (PEM).' },
  { name: 'tls.ca_path', type: 'string', description: 'Directory of CA certificates (PEM).' },
  { name: 'tls.crt_file', type: 'string', description: 'Certificate file (PEM).' },
  { name: 'tls.key_file', type: 'string', description: 'Private key file (PEM).' },
  { name: 'tls.key_passwd', type: 'string', description: 'Password of the private key.' },
  { name: 'tls.vhost', type: 'string', description: 'Server name (SNI) to ask for.' },
];

/** The secure-forward handshake, the same keys on the forward input and output. */
const SECURE_FORWARD_KEYS: readonly KeyDef[] = [
  { name: 'Shared_Key', type: 'string', description: 'Shared key of the secure forward handshake.' },
  {
    name: 'Empty_Shared_Key',
    type: 'bool',
    default: 'false',
    description: 'Handshake with an empty shared key.',
  },
  {
    name: 'Self_Hostname',
    type: 'string',
    default: 'localhost',
    description: 'Host name sent in the handshake.',
  },
];

const NET_KEYS: readonly KeyDef[] = [
  {
    name: 'net.connect_timeout',
    type: 'time',
    default: '10',
    description: 'Seconds to wait for a connection.',
  },
  { name: 'net.keepalive', type: 'bool', default: 'on', description: 'Reuse connections.' },
  {
    name: 'net.keepalive_idle_timeout',
    type: 'time',
    default: '30',
    description: 'Seconds an idle kept-alive connection is kept.',
  },
  {
    name: 'net.keepalive_max_recycle',
    type: 'int',
    default: '2000',
    min: 0,
    description: 'Uses of a connection before it is closed (0: no limit).',
  },
];

const TAIL: PluginDef = {
  kind: 'input',
  name: 'tail',
  description: 'Follows files, like `tail -F`, with offsets kept across restarts.',
  keys: [
    {
      name: 'Path',
      type: 'list',
      required: true,
      description: 'Comma-separated glob patterns of the files to follow: `*`, `?`, `[...]`, `~/`.',
      differs: "`**` matches any depth (Fluent Bit's glob(3) reads it as `*`, one level).",
    },
    {
      name: 'Exclude_Path',
      type: 'list',
      description:
        'Comma-separated shell patterns of files to leave out, matched against the whole path as fnmatch(3) without `FNM_PATHNAME`: `*` also matches `/`, so `*.gz` leaves out `.gz` files at any depth.',
    },
    {
      name: 'Tag_Regex',
      type: 'string',
      description: "Regex with named groups run on the file path; `<name>` in `Tag` takes a group's value.",
      differs: 'Checked, but not applied by the tail input yet: the tag is `Tag` with its `*` expanded.',
    },
    {
      name: 'Key',
      type: 'string',
      default: 'log',
      description: 'Key of the line in a record when no parser applies (or the line does not parse).',
    },
    {
      name: 'Path_Key',
      type: 'string',
      description:
        "Add the file path to each record under this key (after a rename rotation, the file's new name).",
    },
    {
      name: 'Offset_Key',
      type: 'string',
      description: "Add the line's start byte offset to each record under this key.",
    },
    {
      name: 'Read_from_Head',
      type: 'bool',
      default: 'false',
      description:
        'Files found at start with no stored offset: read from the head (`true`), or only what is appended from now on (`false`).',
    },
    {
      name: 'Read_Newly_Discovered_Files_From_Head',
      type: 'bool',
      default: 'true',
      description: 'Files that appear after start are read from the head whatever `Read_from_Head` says.',
    },
    {
      name: 'Refresh_Interval',
      type: 'time',
      default: '60',
      description:
        'Seconds between scans of `Path` for new files (`0.5`, `250ms`, `1m`; more than 0). Filesystem events trigger earlier scans where they work; the scans never stop.',
    },
    {
      name: 'Watcher_Interval',
      type: 'time',
      default: '2s',
      description: 'Seconds between checks of watched files for rotation.',
      differs: 'Accepted for compatibility; no effect: open files are checked every 250 ms.',
    },
    {
      name: 'Rotate_Wait',
      type: 'time',
      default: '5',
      description:
        'Seconds a file renamed away or deleted is still followed, for writers that have not reopened yet.',
      differs:
        'Counted from the last new byte of the file, not from the rotation, so a slow writer is not cut off.',
    },
    {
      name: 'Ignore_Older',
      type: 'time',
      default: '0',
      description: 'Ignore files modified longer ago than this (`1h`, `2d`; 0: read all).',
      differs: 'Accepted, but not implemented yet: every matching file is read.',
    },
    {
      name: 'Buffer_Chunk_Size',
      type: 'size',
      default: '32768',
      description:
        'First read buffer of a file, and the step by which it grows for a long line (at least 1 byte).',
    },
    {
      name: 'Buffer_Max_Size',
      type: 'size',
      default: '32768',
      description:
        'Largest read buffer of a file, hence the longest line kept whole (see `Skip_Long_Lines`); at least `Buffer_Chunk_Size`. When not given, it follows a `Buffer_Chunk_Size` raised above it.',
    },
    {
      name: 'Static_Batch_Size',
      type: 'size',
      default: '50M',
      description: 'Bytes read per round from files that existed at start.',
      differs:
        'Accepted for compatibility; no effect: reads grow from `Buffer_Chunk_Size` up to 256 KiB while a file has a backlog.',
    },
    {
      name: 'Event_Batch_Size',
      type: 'size',
      default: '50M',
      description: 'Bytes read per round from files being appended to.',
      differs: 'Accepted for compatibility; no effect (as `Static_Batch_Size`).',
    },
    {
      name: 'Skip_Long_Lines',
      type: 'bool',
      default: 'off',
      description:
        'Skip a line longer than `Buffer_Max_Size` (it is counted, and logged with its path and offset).',
      differs:
        'When `off`, such a line is sent in `Buffer_Max_Size` fragments flagged as partial and the file goes on being followed; Fluent Bit stops following the file.',
    },
    {
      name: 'Skip_Empty_Lines',
      type: 'bool',
      default: 'off',
      description: 'Empty lines produce no record.',
      differs: 'A line that is only `\\r\\n` counts as empty too (Fluent Bit keeps the `\\r`).',
    },
    {
      name: 'Exit_On_Eof',
      type: 'bool',
      default: 'false',
      description: 'Stop the agent when a file is read to its end (bulk loads, tests).',
      differs: 'Accepted, but not implemented yet: the agent keeps following the file.',
    },
    {
      name: 'Parser',
      type: 'string',
      description: 'Parser for each line (a [PARSER] name, or `docker`, `cri`).',
    },
    {
      name: 'multiline.parser',
      type: 'list',
      repeatable: true,
      description: 'Multiline parsers tried in order: `docker`, `cri`, or a [MULTILINE_PARSER] name.',
    },
    {
      name: 'DB',
      type: 'string',
      description:
        'SQLite file of offsets, so a restart neither loses nor repeats lines; without it, a restart starts over according to `Read_from_Head`.',
      differs:
        "An offset is written only once the next hop has acknowledged the lines (Fluent Bit: once read), and a row is trusted only if the file's inode, birth time and first-line fingerprint match. Fluent Bit's DB files can be read, and Fluent Bit can read Tributary's.",
    },
    {
      name: 'DB.sync',
      type: 'string',
      default: 'normal',
      values: ['extra', 'full', 'normal', 'off'],
      description:
        'SQLite `synchronous` for offset writes: `normal` survives a process crash, `full` also a power cut.',
    },
    {
      name: 'DB.locking',
      type: 'bool',
      default: 'false',
      description: 'Lock the DB file exclusively: no other process may read it meanwhile.',
    },
    {
      name: 'DB.journal_mode',
      type: 'string',
      default: 'WAL',
      values: ['delete', 'truncate', 'persist', 'memory', 'wal', 'off'],
      description: 'SQLite journal mode of the DB file.',
    },
    {
      name: 'DB.compare_filename',
      type: 'bool',
      default: 'false',
      description: 'Match stored offsets by file name as well as identity.',
      differs:
        'Accepted for compatibility; no effect: rows are matched by inode, birth time and first-line fingerprint, which a renamed file keeps.',
    },
    {
      name: 'Inotify_Watcher',
      type: 'bool',
      default: 'true',
      description: 'Use inotify; `false` polls with stat.',
      differs:
        'Accepted for compatibility; no effect: filesystem events are only hints, files are always polled too.',
    },
    {
      name: 'File_Cache_Advise',
      type: 'bool',
      default: 'true',
      description: 'Tell the kernel not to cache read file pages.',
      differs: 'Accepted for compatibility; no effect.',
    },
    {
      name: 'Docker_Mode',
      type: 'bool',
      unsupported: 'use `multiline.parser docker, cri` instead',
      description: 'Old docker line recombination.',
    },
    {
      name: 'Docker_Mode_Flush',
      type: 'int',
      unsupported: 'use `multiline.parser docker, cri` instead',
      description: 'Old docker mode flush.',
    },
    {
      name: 'Docker_Mode_Parser',
      type: 'string',
      unsupported: 'use `multiline.parser docker, cri` instead',
      description: 'Old docker mode first-line parser.',
    },
    {
      name: 'Multiline',
      type: 'bool',
      unsupported: 'use `multiline.parser` with a [MULTILINE_PARSER] instead',
      description: 'Old multiline mode.',
    },
    {
      name: 'Multiline_Flush',
      type: 'time',
      unsupported: 'use `multiline.parser` with a [MULTILINE_PARSER] instead',
      description: 'Old multiline flush.',
    },
    {
      name: 'Parser_Firstline',
      type: 'string',
      unsupported: 'use `multiline.parser` with a [MULTILINE_PARSER] instead',
      description: 'Old multiline first-line parser.',
    },
    {
      name: 'Parser_',
      type: 'string',
      prefix: true,
      unsupported: 'use `multiline.parser` with a [MULTILINE_PARSER] instead',
      description: 'Old multiline extra parsers `Parser_N`.',
    },
    {
      name: 'unicode.encoding',
      type: 'string',
      unsupported: 'files must be UTF-8',
      description: 'Input encoding.',
    },
    {
      name: 'generic.encoding',
      type: 'string',
      unsupported: 'files must be UTF-8',
      description: 'Input encoding.',
    },
  ],
};

const TCP: PluginDef = {
  kind: 'input',
  name: 'tcp',
  description: 'JSON objects or separated lines over TCP.',
  keys: [
    { name: 'Listen', type: 'string', default: '0.0.0.0', description: 'Address to listen on.' },
    { name: 'Port', type: 'int', default: '5170', min: 0, max: 65535, description: 'Port to listen on.' },
    {
      name: 'Format',
      type: 'string',
      default: 'json',
      values: ['json', 'none'],
      description:
        '`json`: a stream of JSON objects; `none`: records split by `Separator`, kept under `log`.',
    },
    {
      name: 'Separator',
      type: 'string',
      default: '\\n',
      parse: escaped,
      description: 'Record separator for `Format none`; `\\n`, `\\r`, `\\t` escapes are understood.',
    },
    {
      name: 'Chunk_Size',
      type: 'int',
      default: '32',
      parse: kilobytes,
      typeLabel: 'int (KB)',
      description: 'Read buffer growth step, in kilobytes (×1024).',
    },
    {
      name: 'Buffer_Size',
      type: 'int',
      parse: kilobytes,
      typeLabel: 'int (KB)',
      description: 'Largest message, in kilobytes (×1024); default `Chunk_Size`.',
    },
    {
      name: 'Source_Address_Key',
      type: 'string',
      description: 'Add the peer address to each record under this key.',
    },
    ...TLS_KEYS,
  ],
};

const FORWARD_IN: PluginDef = {
  kind: 'input',
  name: 'forward',
  description: 'Fluentd Forward protocol server (all modes, acks, shared key, TLS).',
  keys: [
    { name: 'Listen', type: 'string', default: '0.0.0.0', description: 'Address to listen on.' },
    { name: 'Port', type: 'int', default: '24224', min: 0, max: 65535, description: 'Port to listen on.' },
    {
      name: 'Unix_Path',
      type: 'string',
      description: 'Listen on this Unix socket instead of `Listen`/`Port`.',
      unsupported: 'the forward input listens on TCP only: use `Listen` and `Port`',
    },
    {
      name: 'Unix_Perm',
      type: 'string',
      description: 'Permissions of the Unix socket (octal, `0644`).',
      unsupported: 'the forward input listens on TCP only: use `Listen` and `Port`',
    },
    {
      name: 'Buffer_Chunk_Size',
      type: 'size',
      default: '1024000',
      description: 'Receive buffer growth step.',
      differs: 'Accepted; no effect (frames are read as they arrive, bounded by `Buffer_Max_Size`).',
    },
    { name: 'Buffer_Max_Size', type: 'size', default: '6144000', description: 'Largest message accepted.' },
    { name: 'Tag_Prefix', type: 'string', description: 'Prefix for incoming tags.' },
    ...SECURE_FORWARD_KEYS,
    {
      name: 'Security.Users',
      type: 'multi',
      description: '`USER PASSWORD` pairs accepted in the handshake; may be given several times.',
    },
    ...TLS_KEYS,
  ],
};

const KUBERNETES: PluginDef = {
  kind: 'filter',
  name: 'kubernetes',
  description: 'Adds pod, namespace, container, labels and annotations, from the tag and the API server.',
  keys: [
    {
      name: 'Buffer_Size',
      type: 'size',
      default: '32k',
      description: 'Largest API server response (0: no limit).',
    },
    {
      name: 'Kube_URL',
      type: 'string',
      default: 'https://kubernetes.default.svc:443',
      description: 'API server URL.',
    },
    {
      name: 'Kube_CA_File',
      type: 'string',
      default: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
      description: 'CA of the API server.',
    },
    { name: 'Kube_CA_Path', type: 'string', description: 'Directory of CA certificates.' },
    {
      name: 'Kube_Token_File',
      type: 'string',
      default: '/var/run/secrets/kubernetes.io/serviceaccount/token',
      description: 'Service account token.',
    },
    {
      name: 'Kube_Token_TTL',
      type: 'time',
      default: '600',
      description: 'Seconds before the token file is read again.',
    },
    {
      name: 'Kube_Token_Command',
      type: 'string',
      unsupported: 'use `Kube_Token_File`',
      description: 'Command printing a token.',
    },
    {
      name: 'Kube_Tag_Prefix',
      type: 'string',
      default: 'kube.var.log.containers.',
      description: 'Prefix removed from the tag before reading pod, namespace and container from it.',
    },
    {
      name: 'Regex_Parser',
      type: 'string',
      description:
        'A [PARSER] with named groups `namespace_name`, `pod_name`, `container_name`, `docker_id` for custom tags.',
    },
    {
      name: 'Merge_Log',
      type: 'bool',
      default: 'off',
      description: 'Parse `log` as JSON and merge its fields into the record.',
    },
    { name: 'Merge_Parser', type: 'string', description: 'Parser for `log` instead of JSON when merging.' },
    {
      name: 'Merge_Log_Key',
      type: 'string',
      description: 'Put merged fields under this key instead of the top level.',
    },
    {
      name: 'Merge_Log_Trim',
      type: 'bool',
      default: 'on',
      description: 'Trim trailing newlines of merged values.',
    },
    { name: 'Keep_Log', type: 'bool', default: 'on', description: 'Keep `log` after merging it.' },
    { name: 'Labels', type: 'bool', default: 'on', description: 'Add pod labels.' },
    { name: 'Annotations', type: 'bool', default: 'on', description: 'Add pod annotations.' },
    {
      name: 'K8S-Logging.Parser',
      type: 'bool',
      default: 'off',
      description: 'Let pods choose a parser with the `fluentbit.io/parser` annotation.',
    },
    {
      name: 'K8S-Logging.Exclude',
      type: 'bool',
      default: 'off',
      description: 'Let pods drop their logs with the `fluentbit.io/exclude` annotation.',
    },
    {
      name: 'Use_Kubelet',
      type: 'bool',
      default: 'off',
      description: "Ask the node's kubelet instead of the API server.",
    },
    { name: 'Kubelet_Host', type: 'string', default: '127.0.0.1', description: 'Kubelet address.' },
    { name: 'Kubelet_Port', type: 'int', default: '10250', min: 0, max: 65535, description: 'Kubelet port.' },
    {
      name: 'Kube_Meta_Cache_TTL',
      type: 'time',
      default: '0',
      description: 'Seconds pod metadata is cached (0: until the pod is gone).',
    },
    {
      name: 'Kube_Meta_Namespace_Cache_TTL',
      type: 'time',
      default: '900',
      description: 'Seconds namespace metadata is cached.',
    },
    {
      name: 'Kube_Meta_Preload_Cache_Dir',
      type: 'string',
      description: 'Directory of pod metadata JSON files read instead of asking the API.',
    },
    { name: 'Namespace_Labels', type: 'bool', default: 'off', description: 'Add namespace labels.' },
    {
      name: 'Namespace_Annotations',
      type: 'bool',
      default: 'off',
      description: 'Add namespace annotations.',
    },
    {
      name: 'Namespace_Metadata_Only',
      type: 'bool',
      default: 'off',
      description: 'Add only namespace metadata.',
    },
    {
      name: 'Owner_References',
      type: 'bool',
      default: 'off',
      description: "Add the pod's owner references.",
    },
    {
      name: 'Cache_Use_Docker_Id',
      type: 'bool',
      default: 'off',
      description: 'Refresh metadata when the container id changes.',
    },
    {
      name: 'Use_Tag_For_Meta',
      type: 'bool',
      default: 'off',
      description: 'Take metadata from the tag only, never the API.',
    },
    { name: 'Dummy_Meta', type: 'bool', default: 'off', description: 'Add fixed dummy metadata (tests).' },
    {
      name: 'DNS_Retries',
      type: 'int',
      default: '6',
      min: 0,
      description: 'DNS retries for the API server name.',
    },
    { name: 'DNS_Wait_Time', type: 'time', default: '30', description: 'Seconds between DNS retries.' },
    {
      name: 'Use_Journal',
      type: 'bool',
      unsupported: 'Tributary has no systemd input',
      description: 'Read metadata from journald records.',
    },
    { name: 'tls.verify', type: 'bool', default: 'on', description: 'Verify the API server certificate.' },
    { name: 'tls.debug', type: 'int', default: '-1', min: -1, max: 4, description: 'TLS debug level.' },
    { name: 'tls.vhost', type: 'string', description: 'Server name (SNI) for the API server.' },
  ],
};

const MODIFY: PluginDef = {
  kind: 'filter',
  name: 'modify',
  description:
    'Sets, adds, removes, renames and copies keys, under conditions. Rules apply in the order written.',
  keys: [
    { name: 'Set', type: 'multi', description: '`KEY VALUE`: set KEY, replacing it.' },
    { name: 'Add', type: 'multi', description: '`KEY VALUE`: add KEY if absent.' },
    { name: 'Remove', type: 'multi', description: '`KEY`: remove KEY.' },
    { name: 'Remove_wildcard', type: 'multi', description: '`PREFIX*`: remove keys starting with PREFIX.' },
    { name: 'Remove_regex', type: 'multi', description: '`REGEX`: remove keys matching REGEX.' },
    { name: 'Rename', type: 'multi', description: '`KEY NEW`: rename KEY if NEW is absent.' },
    { name: 'Hard_rename', type: 'multi', description: '`KEY NEW`: rename KEY, replacing NEW.' },
    { name: 'Copy', type: 'multi', description: '`KEY NEW`: copy KEY to NEW if NEW is absent.' },
    { name: 'Hard_copy', type: 'multi', description: '`KEY NEW`: copy KEY to NEW, replacing it.' },
    { name: 'Move_to_start', type: 'multi', description: '`WILDCARD`: move matching keys to the start.' },
    { name: 'Move_to_end', type: 'multi', description: '`WILDCARD`: move matching keys to the end.' },
    {
      name: 'Condition',
      type: 'multi',
      description:
        '`Key_exists KEY`, `Key_value_equals KEY VALUE`, ...: rules apply only when every condition holds.',
    },
  ],
};

const GREP: PluginDef = {
  kind: 'filter',
  name: 'grep',
  description: 'Keeps or drops records by regexes on their values.',
  keys: [
    { name: 'Regex', type: 'multi', description: '`KEY REGEX`: keep records whose KEY matches.' },
    { name: 'Exclude', type: 'multi', description: '`KEY REGEX`: drop records whose KEY matches.' },
    {
      name: 'Logical_Op',
      type: 'string',
      default: 'legacy',
      values: ['and', 'or', 'legacy'],
      description:
        'How several rules combine: `and`, `or`, or `legacy` (rules in order; the first that decides wins: a matching `Regex` keeps, a matching `Exclude` drops).',
    },
  ],
};

const REWRITE_TAG: PluginDef = {
  kind: 'filter',
  name: 'rewrite_tag',
  description: 'Re-emits matching records under a new tag (used to route audit events).',
  keys: [
    {
      name: 'Rule',
      type: 'multi',
      required: true,
      description:
        '`$KEY REGEX NEW_TAG KEEP`: records whose KEY matches are re-emitted as NEW_TAG (`$1`, `$KEY`, `$TAG`, `$TAG[n]` expand); KEEP true keeps the original too.',
    },
    {
      name: 'Emitter_Name',
      type: 'string',
      description: 'Name of the internal emitter input; default `emitter_for_<alias>`.',
    },
    {
      name: 'Emitter_Storage.type',
      type: 'string',
      default: 'memory',
      values: ['memory', 'filesystem'],
      description: 'Buffering of re-emitted records.',
    },
    {
      name: 'Emitter_Mem_Buf_Limit',
      type: 'size',
      default: '10M',
      description: 'Memory for re-emitted records; beyond it the filter pauses the input.',
    },
  ],
};

const FORWARD_OUT: PluginDef = {
  kind: 'output',
  name: 'forward',
  description: 'Forward protocol client: the agent → collector hop.',
  keys: [
    { name: 'Host', type: 'string', default: '127.0.0.1', description: 'Server address.' },
    { name: 'Port', type: 'int', default: '24224', min: 0, max: 65535, description: 'Server port.' },
    { name: 'Unix_Path', type: 'string', description: 'Connect to this Unix socket instead.' },
    {
      name: 'Upstream',
      type: 'string',
      description: 'File of [UPSTREAM]/[NODE] sections: several servers, with failover and round robin.',
    },
    {
      name: 'Time_as_Integer',
      type: 'bool',
      default: 'false',
      description: 'Send whole-second integer times instead of EventTime (old Fluentd).',
    },
    {
      name: 'Send_options',
      type: 'bool',
      default: 'false',
      description: 'Send the options map (always sent when acks are on).',
    },
    {
      name: 'Require_ack_response',
      type: 'bool',
      default: 'false',
      description: "Wait for the server's ack before a chunk counts as delivered.",
    },
    {
      name: 'Compress',
      type: 'string',
      values: ['gzip'],
      description: '`gzip`: send compressed (CompressedPackedForward).',
    },
    { name: 'Tag', type: 'string', description: 'Send every record with this tag instead of its own.' },
    ...SECURE_FORWARD_KEYS,
    { name: 'Username', type: 'string', description: 'User for the handshake.' },
    { name: 'Password', type: 'string', description: 'Password for the handshake.' },
    {
      name: 'Retain_Metadata_In_Forward_Mode',
      type: 'bool',
      default: 'false',
      description: 'Keep metadata when sending in Forward mode.',
    },
    {
      name: 'Fluentd_Compat',
      type: 'bool',
      default: 'false',
      description: 'Send metrics and traces in a form Fluentd accepts.',
    },
    { name: 'Workers', type: 'int', default: '2', min: 0, description: 'Concurrent senders.' },
    ...TLS_KEYS,
    ...NET_KEYS,
  ],
};

const ES: PluginDef = {
  kind: 'output',
  name: 'es',
  description: 'Elasticsearch bulk API.',
  keys: [
    { name: 'Host', type: 'string', default: '127.0.0.1', description: 'Elasticsearch address.' },
    { name: 'Port', type: 'int', default: '9200', min: 0, max: 65535, description: 'Elasticsearch port.' },
    { name: 'Path', type: 'string', description: 'URL path prefix (behind a proxy).' },
    { name: 'Index', type: 'string', default: 'fluent-bit', description: 'Index to write to.' },
    {
      name: 'Type',
      type: 'string',
      default: '_doc',
      description: 'Document type (ignored by Elasticsearch 8).',
    },
    { name: 'HTTP_User', type: 'string', description: 'Basic auth user.' },
    { name: 'HTTP_Passwd', type: 'string', description: 'Basic auth password.' },
    { name: 'HTTP_API_Key', type: 'string', description: 'API key (base64 `id:key`).' },
    { name: 'Cloud_ID', type: 'string', description: 'Elastic Cloud id (sets Host and Port).' },
    { name: 'Cloud_Auth', type: 'string', description: 'Elastic Cloud `user:password`.' },
    { name: 'Compress', type: 'string', values: ['gzip'], description: '`gzip` the bulk requests.' },
    {
      name: 'Buffer_Size',
      type: 'size',
      default: '512KB',
      parse: sizeOrFalse,
      typeLabel: 'size \\| False',
      description: 'Largest response read; `False` for no limit.',
    },
    { name: 'Pipeline', type: 'string', description: 'Ingest pipeline.' },
    {
      name: 'Logstash_Format',
      type: 'bool',
      default: 'off',
      description: 'Write to `Logstash_Prefix-YYYY.MM.DD` indices.',
    },
    {
      name: 'Logstash_Prefix',
      type: 'string',
      default: 'logstash',
      description: 'Index prefix with `Logstash_Format`.',
    },
    {
      name: 'Logstash_Prefix_Key',
      type: 'string',
      description: 'Record key whose value becomes the prefix.',
    },
    {
      name: 'Logstash_Prefix_Separator',
      type: 'string',
      default: '-',
      description: 'Between prefix and date.',
    },
    {
      name: 'Logstash_DateFormat',
      type: 'string',
      default: '%Y.%m.%d',
      description: 'strftime format of the index date.',
    },
    { name: 'Time_Key', type: 'string', default: '@timestamp', description: 'Key of the record time.' },
    {
      name: 'Time_Key_Format',
      type: 'string',
      default: '%Y-%m-%dT%H:%M:%S',
      description: 'strftime format of the time key.',
    },
    {
      name: 'Time_Key_Nanos',
      type: 'bool',
      default: 'off',
      description: 'Nanosecond precision in the time key.',
    },
    { name: 'Include_Tag_Key', type: 'bool', default: 'off', description: 'Add the tag to the record.' },
    {
      name: 'Tag_Key',
      type: 'string',
      default: '_flb-key',
      description: 'Key of the tag with `Include_Tag_Key`.',
    },
    {
      name: 'Generate_ID',
      type: 'bool',
      default: 'off',
      description: 'Derive `_id` from the record, so retries do not duplicate.',
    },
    { name: 'ID_Key', type: 'string', description: 'Record key whose value becomes `_id`.' },
    {
      name: 'Write_Operation',
      type: 'string',
      default: 'create',
      values: ['create', 'index', 'update', 'upsert'],
      description: 'Bulk operation.',
    },
    { name: 'Replace_Dots', type: 'bool', default: 'off', description: 'Replace `.` in key names with `_`.' },
    { name: 'Trace_Output', type: 'bool', default: 'off', description: 'Log every bulk request.' },
    {
      name: 'Trace_Error',
      type: 'bool',
      default: 'off',
      description: 'Log failed bulk requests with the response.',
    },
    {
      name: 'Current_Time_Index',
      type: 'bool',
      default: 'off',
      description: "Date the index by the current time, not the record's.",
    },
    {
      name: 'Suppress_Type_Name',
      type: 'bool',
      default: 'off',
      description: 'Leave `_type` out (Elasticsearch 8 wants this on).',
    },
    { name: 'Workers', type: 'int', default: '2', min: 0, description: 'Concurrent senders.' },
    {
      name: 'AWS_Auth',
      type: 'bool',
      unsupported: 'AWS request signing is not implemented',
      description: 'AWS SigV4.',
    },
    {
      name: 'AWS_Region',
      type: 'string',
      unsupported: 'AWS request signing is not implemented',
      description: 'AWS region.',
    },
    {
      name: 'AWS_Role_ARN',
      type: 'string',
      unsupported: 'AWS request signing is not implemented',
      description: 'AWS role.',
    },
    ...TLS_KEYS,
    ...NET_KEYS,
  ],
};

const STDOUT: PluginDef = {
  kind: 'output',
  name: 'stdout',
  description: 'Prints records to standard output.',
  keys: [
    {
      name: 'Format',
      type: 'string',
      default: 'msgpack',
      values: ['msgpack', 'json', 'json_lines', 'json_stream'],
      description: "`msgpack` prints Fluent Bit's `[0] tag: [time, {...}]` form; the others JSON.",
    },
    {
      name: 'json_date_key',
      type: 'string',
      default: 'date',
      description: 'Key of the time in JSON formats (`false` leaves it out).',
    },
    {
      name: 'json_date_format',
      type: 'string',
      default: 'double',
      values: ['double', 'epoch', 'epoch_ms', 'iso8601', 'java_sql_timestamp'],
      description: 'Time format in JSON formats.',
    },
    { name: 'Workers', type: 'int', default: '1', min: 0, description: 'Concurrent printers.' },
  ],
};

const NULL_OUT: PluginDef = {
  kind: 'output',
  name: 'null',
  description: 'Discards records (benchmarks, tests).',
  keys: [{ name: 'Workers', type: 'int', default: '1', min: 0, description: 'Concurrent workers.' }],
};

export const PLUGINS: readonly PluginDef[] = [
  TAIL,
  TCP,
  FORWARD_IN,
  KUBERNETES,
  MODIFY,
  GREP,
  REWRITE_TAG,
  FORWARD_OUT,
  ES,
  STDOUT,
  NULL_OUT,
];

export const COMMON_KEYS: Readonly<Record<PluginDef['kind'], readonly KeyDef[]>> = {
  input: INPUT_COMMON,
  filter: FILTER_COMMON,
  output: OUTPUT_COMMON,
};

/** Fluent Bit plugins Tributary does not implement, so the error can say so rather than "unknown". */
export const KNOWN_FLUENT_BIT_PLUGINS: Readonly<Record<PluginDef['kind'], readonly string[]>> = {
  input: [
    'cpu',
    'mem',
    'disk',
    'dummy',
    'exec',
    'http',
    'kmsg',
    'mqtt',
    'netif',
    'proc',
    'random',
    'serial',
    'stdin',
    'syslog',
    'systemd',
    'udp',
    'kubernetes_events',
    'opentelemetry',
    'fluentbit_metrics',
    'node_exporter_metrics',
    'prometheus_scrape',
    'docker',
    'winlog',
  ],
  filter: [
    'lua',
    'parser',
    'record_modifier',
    'nest',
    'throttle',
    'multiline',
    'aws',
    'ecs',
    'expect',
    'geoip2',
    'log_to_metrics',
    'stdout',
    'type_converter',
    'wasm',
    'sysinfo',
    'checklist',
  ],
  output: [
    'http',
    'kafka',
    'loki',
    's3',
    'cloudwatch_logs',
    'splunk',
    'datadog',
    'file',
    'opentelemetry',
    'prometheus_exporter',
    'stackdriver',
    'tcp',
    'udp',
    'syslog',
    'opensearch',
    'influxdb',
    'azure',
    'gelf',
    'counter',
    'websocket',
    'pgsql',
  ],
};

/** Parser section keys ([PARSER], YAML `parsers`). */
export const PARSER_KEYS: readonly KeyDef[] = [
  {
    name: 'Name',
    type: 'string',
    required: true,
    description: 'Name referred to by `Parser`, `Merge_Parser`, ...',
  },
  {
    name: 'Format',
    type: 'string',
    required: true,
    values: ['json', 'regex', 'logfmt'],
    description: '`json`, `regex` or `logfmt`.',
    differs: '`ltsv` is not implemented.',
  },
  {
    name: 'Regex',
    type: 'string',
    description:
      'For `Format regex`: named groups become keys. JavaScript regex syntax (Fluent Bit uses Onigmo); `/.../` delimiters are optional.',
  },
  { name: 'Time_Key', type: 'string', description: 'Key holding the record time.' },
  {
    name: 'Time_Format',
    type: 'string',
    description: 'strptime format of `Time_Key` (`%Y-%m-%dT%H:%M:%S.%L%z`).',
  },
  { name: 'Time_Keep', type: 'bool', default: 'off', description: 'Keep `Time_Key` in the record.' },
  {
    name: 'Time_Offset',
    type: 'string',
    description: 'UTC offset (`+0200`, `-05:00`) for times without a zone.',
  },
  {
    name: 'Time_Strict',
    type: 'bool',
    default: 'on',
    description: 'Fail (keep the record unparsed time) when the time does not fit `Time_Format` exactly.',
  },
  {
    name: 'Time_System_Timezone',
    type: 'bool',
    default: 'off',
    description: 'Read zone-less times in the system time zone.',
  },
  {
    name: 'Types',
    type: 'string',
    description: '`KEY:TYPE ...` with TYPE `integer`, `bool`, `float`, `hex` or `string`.',
  },
  {
    name: 'Skip_Empty_Values',
    type: 'bool',
    default: 'on',
    description: 'Leave out keys whose regex group matched the empty string.',
  },
  {
    name: 'Decode_Field',
    type: 'multi',
    description: '`DECODER KEY` (`json`, `escaped`, `escaped_utf8`): decode the value of KEY.',
  },
  {
    name: 'Decode_Field_As',
    type: 'multi',
    description: '`DECODER KEY`: as `Decode_Field`, replacing the value.',
  },
];

export const MULTILINE_PARSER_KEYS: readonly KeyDef[] = [
  { name: 'Name', type: 'string', required: true, description: 'Name referred to by `multiline.parser`.' },
  {
    name: 'Type',
    type: 'string',
    default: 'regex',
    values: ['regex'],
    description: 'Only `regex` (rules of states).',
    differs: '`endswith` and `equal` are not implemented.',
  },
  {
    name: 'Rule',
    type: 'multi',
    required: true,
    description: '`"STATE" "/REGEX/" "NEXT_STATE"`; the first state is `start_state`.',
  },
  {
    name: 'Flush_Timeout',
    type: 'int',
    default: '4000',
    min: 1,
    description: 'Milliseconds after which a pending multiline record is emitted.',
  },
  { name: 'Parser', type: 'string', description: 'Parser applied to the joined record.' },
  {
    name: 'Key_Content',
    type: 'string',
    description: 'Key holding the text to join (structured input, e.g. docker JSON `log`).',
  },
  {
    name: 'Key_Pattern',
    type: 'string',
    unsupported: 'only `Type regex` is implemented',
    description: 'Key for `endswith`/`equal`.',
  },
  {
    name: 'Key_Group',
    type: 'string',
    unsupported: 'only `Type regex` is implemented',
    description: 'Grouping key.',
  },
];

/**
 * Built-in parser definitions: Fluent Bit's parsers.conf, as agent/parsers ships it (one source),
 * turned into `[PARSER]` key/value pairs so that they go through the same key table as a user's.
 */
export const BUILTIN_PARSERS: readonly { name: string; props: readonly (readonly [string, string])[] }[] =
  Object.values(BUILTIN_PARSER_DEFINITIONS).map((def) => ({
    name: def.name,
    props: Object.entries(def).flatMap(([key, value]): [string, string][] => {
      if (key === 'name' || key === 'decoders' || value === undefined) return [];
      return Array.isArray(value) ? value.map((v) => [key, String(v)]) : [[key, String(value)]];
    }),
  }));

/** Built-in multiline parsers Tributary implements, and Fluent Bit's that it does not. */
export const BUILTIN_MULTILINE = BUILTIN_MULTILINE_PARSERS;
export const UNSUPPORTED_BUILTIN_MULTILINE = ['ruby'] as const;

export function findPlugin(kind: PluginDef['kind'], name: string): PluginDef | undefined {
  const n = name.toLowerCase();
  return PLUGINS.find((p) => p.kind === kind && p.name === n);
}

// Queue options: one table of defaults, validated once at open so a bad config fails at start, not on the
// first append. README.md's options table mirrors this file.

import { isValidCursorName } from './cursor-file.ts';
import { HEADER_BYTES, MAX_PAYLOAD_BYTES } from './format.ts';

export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface QueueLogger {
  warn(message: string, details?: Readonly<Record<string, unknown>>): void;
}

export interface QueueOptions {
  /** Directory holding segments, cursor files and the lock file. Created if missing. */
  readonly dir: string;
  /** Every consumer that reads this queue. Segments are deleted only once all of them have committed past. */
  readonly cursors: readonly string[];
  readonly segmentBytes?: number;
  readonly maxBytes?: number;
  readonly maxRecordBytes?: number;
  readonly fsync?: FsyncPolicy;
  readonly fsyncIntervalMs?: number;
  /** Where a cursor with no cursor file starts: the oldest retained record, or the current tail. */
  readonly newCursorStart?: 'oldest' | 'tail';
  /** What to do with a cursor file that cannot be parsed or points at nothing: start at the oldest record, or fail. */
  readonly onCorruptCursor?: 'oldest' | 'error';
  /** What to do with a corrupt record that is not a torn tail: fail with CorruptRecordError, or skip it and count it. */
  readonly onCorruptRecord?: 'error' | 'skip';
  readonly logger?: QueueLogger;
}

export interface ResolvedOptions {
  readonly dir: string;
  readonly cursors: readonly string[];
  readonly segmentBytes: number;
  readonly maxBytes: number;
  readonly maxRecordBytes: number;
  readonly fsync: FsyncPolicy;
  readonly fsyncIntervalMs: number;
  readonly newCursorStart: 'oldest' | 'tail';
  readonly onCorruptCursor: 'oldest' | 'error';
  readonly onCorruptRecord: 'error' | 'skip';
  readonly logger: QueueLogger;
}

const MiB = 1024 * 1024;

export const DEFAULTS = {
  segmentBytes: 64 * MiB,
  maxBytes: 1024 * MiB,
  maxRecordBytes: 16 * MiB,
  fsync: 'always',
  fsyncIntervalMs: 100,
  newCursorStart: 'oldest',
  onCorruptCursor: 'oldest',
  onCorruptRecord: 'error',
} as const;

const consoleLogger: QueueLogger = {
  warn(message, details) {
    if (details === undefined) console.warn(`[queue] ${message}`);
    else console.warn(`[queue] ${message}`, details);
  },
};

function positiveInt(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`queue option ${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

function oneOf<T extends string>(name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new RangeError(`queue option ${name} must be one of ${allowed.join(', ')}, got ${String(value)}`);
  }
  return value;
}

export function resolveOptions(o: QueueOptions): ResolvedOptions {
  if (typeof o.dir !== 'string' || o.dir.length === 0) throw new TypeError('queue option dir is required');
  if (!Array.isArray(o.cursors) || o.cursors.length === 0) {
    throw new TypeError('queue option cursors must list at least one consumer');
  }
  const seen = new Set<string>();
  for (const name of o.cursors) {
    if (!isValidCursorName(name)) {
      throw new RangeError(
        `queue cursor name ${JSON.stringify(name)} is invalid: use 1-100 of A-Z a-z 0-9 _ . - (not starting with . _ -)`,
      );
    }
    if (seen.has(name)) throw new RangeError(`queue cursor name ${JSON.stringify(name)} is listed twice`);
    seen.add(name);
  }
  const segmentBytes = positiveInt('segmentBytes', o.segmentBytes ?? DEFAULTS.segmentBytes, 4096);
  const maxRecordBytes = positiveInt(
    'maxRecordBytes',
    o.maxRecordBytes ?? DEFAULTS.maxRecordBytes,
    1,
    MAX_PAYLOAD_BYTES,
  );
  // Space is reclaimed a whole segment at a time, so below two segments (plus one record) the writer could
  // wait for a deletion that can never happen.
  const minMax = 2 * segmentBytes + maxRecordBytes + HEADER_BYTES;
  const maxBytes = o.maxBytes ?? Math.max(DEFAULTS.maxBytes, minMax);
  if (!Number.isSafeInteger(maxBytes) || maxBytes < minMax) {
    throw new RangeError(
      `queue option maxBytes must be at least 2 * segmentBytes + maxRecordBytes + ${HEADER_BYTES} = ${minMax}, got ${String(maxBytes)}`,
    );
  }
  return {
    dir: o.dir,
    cursors: [...o.cursors],
    segmentBytes,
    maxBytes,
    maxRecordBytes,
    fsync: oneOf('fsync', o.fsync ?? DEFAULTS.fsync, ['always', 'interval', 'never']),
    fsyncIntervalMs: positiveInt('fsyncIntervalMs', o.fsyncIntervalMs ?? DEFAULTS.fsyncIntervalMs, 1, 60_000),
    newCursorStart: oneOf('newCursorStart', o.newCursorStart ?? DEFAULTS.newCursorStart, ['oldest', 'tail']),
    onCorruptCursor: oneOf('onCorruptCursor', o.onCorruptCursor ?? DEFAULTS.onCorruptCursor, [
      'oldest',
      'error',
    ]),
    onCorruptRecord: oneOf('onCorruptRecord', o.onCorruptRecord ?? DEFAULTS.onCorruptRecord, [
      'error',
      'skip',
    ]),
    logger: o.logger ?? consoleLogger,
  };
}

// Public surface of the durable on-disk queue. See README.md.
export { DiskQueue } from './queue.ts';
export type { QueueEvents, QueueStats } from './queue.ts';
export { Cursor } from './cursor.ts';
export type { BatchesOptions, CursorStats, ReadLimits } from './cursor.ts';
export type { FsyncPolicy, QueueLogger, QueueOptions, ResolvedOptions } from './options.ts';
export { DEFAULTS } from './options.ts';
export type { Position, QueueRecord } from './types.ts';
export type { RecordPayload } from './format.ts';
export {
  CorruptRecordError,
  CursorFileError,
  QueueClosedError,
  QueueError,
  QueueFailedError,
  QueueFullError,
  QueueLockedError,
  RecordTooLargeError,
} from './errors.ts';

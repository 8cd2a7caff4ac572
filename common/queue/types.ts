import type { Pointer } from './cursor-file.ts';
import type { ResolvedOptions } from './options.ts';

/**
 * Where a record lives. Callers treat it as a token: pass it back to `Cursor.commit()`; compare records by
 * `seq`, which starts at 0 and grows by one per record for the life of the queue directory.
 */
export interface Position {
  readonly seq: number;
  /** Base sequence number of the segment file holding the record. */
  readonly segment: number;
  /** Byte offset of the record's header in that segment. */
  readonly offset: number;
  /** Byte offset just past the record, where the next record in the segment starts. */
  readonly end: number;
}

export interface QueueRecord {
  readonly position: Position;
  /** A view into a buffer owned by the caller from now on; the queue never reuses it. */
  readonly payload: Buffer;
}

/** In-memory view of one segment file. */
export interface Segment {
  readonly base: number;
  readonly path: string;
  /** Bytes reserved by appends so far, written or not. Final once a later segment exists. */
  size: number;
  /** Bytes durable under the fsync policy; readers never look past this. */
  durableSize: number;
}

/** What a Cursor needs from its queue; keeps the cursor's logic separate from the writer's. */
export interface CursorHost {
  readonly options: ResolvedOptions;
  isClosed(): boolean;
  /** Sequence number of the next record to become durable, i.e. one past the last readable record. */
  durableNextSeq(): number;
  segments(): readonly Segment[];
  /** Called after a cursor's commit reached disk; resolves once fully consumed segments are deleted. */
  commitDurable(): Promise<void>;
  /** Registers a callback for the next durable append (or queue close, with an error). Returns an unsubscribe. */
  onData(listener: (err?: Error) => void): () => void;
}

export type { Pointer };

// A named reader of the queue. It has two positions: `committed` (durable, survives restarts, decides what
// may be deleted) and `read` (what has been handed out). read() moves the second, commit() the first,
// rewind() puts the second back on the first so a failed export is retried.

import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { writeCursorFile } from './cursor-file.ts';
import { CorruptRecordError, QueueClosedError, QueueError } from './errors.ts';
import { decodeRecord, findNextValidRecord, HEADER_BYTES, readFully } from './format.ts';
import type { CursorHost, Pointer, Position, QueueRecord, Segment } from './types.ts';

export interface ReadLimits {
  /** At most this many records per read. Default 1000. */
  readonly maxRecords?: number;
  /** Stop before the payload bytes pass this, except that one record is always returned. Default 4 MiB. */
  readonly maxBytes?: number;
}

export interface BatchesOptions extends ReadLimits {
  /** Ends the iteration (without an error) when aborted. */
  readonly signal?: AbortSignal;
}

export interface CursorStats {
  /** Sequence number of the first record not yet committed. */
  readonly committedSeq: number;
  /** Sequence number of the next record read() will return. */
  readonly readSeq: number;
  /** Durable records after the committed position. */
  readonly lagRecords: number;
  /** Bytes on disk (headers included) after the committed position. */
  readonly lagBytes: number;
  /** Corrupt regions stepped over with onCorruptRecord 'skip', and the records and bytes they held. */
  readonly corruptRegionsSkipped: number;
  readonly corruptRecordsSkipped: number;
  readonly corruptBytesSkipped: number;
}

const DEFAULT_MAX_RECORDS = 1000;
const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
/** Small reads cost a syscall each for little data; never read less than this when more is available. */
const MIN_READ_BYTES = 64 * 1024;

/**
 * Finds the segment a pointer refers to. A pointer at the very end of a finished segment is moved to the
 * start of the next one, which is also how a pointer into an already deleted segment stays usable.
 */
export function locate(
  segments: readonly Segment[],
  p: Pointer,
): { index: number; offset: number } | undefined {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const seg = segments[mid];
    if (seg === undefined) break;
    if (seg.base === p.segment) {
      if (p.offset < seg.size) return { index: mid, offset: p.offset };
      if (p.offset > seg.size) return undefined;
      const next = segments[mid + 1];
      if (next === undefined) return { index: mid, offset: p.offset };
      return next.base === p.seq ? { index: mid + 1, offset: 0 } : undefined;
    }
    if (seg.base < p.segment) lo = mid + 1;
    else hi = mid - 1;
  }
  const at = segments.findIndex((s) => s.base === p.seq);
  return at === -1 ? undefined : { index: at, offset: 0 };
}

// A function, not an inline test, because TypeScript narrows `signal.aborted` across awaits.
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

interface CommitWaiter {
  readonly seq: number;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export class Cursor {
  readonly name: string;
  readonly #host: CursorHost;
  #readNext: Pointer;
  #committed: Pointer;
  #durable: Pointer;
  /** One past the highest sequence number ever handed out; commits beyond it are refused. */
  #handedOut: number;
  /** Bumped by rewind() and commit() jumps so an in-flight read() does not move the read position back. */
  #generation = 0;
  #reading = false;
  #file: { base: number; fh: FileHandle } | undefined;
  #waiters: CommitWaiter[] = [];
  #writing: Promise<void> | undefined;
  #regionsSkipped = 0;
  #recordsSkipped = 0;
  #bytesSkipped = 0;

  /** @internal Created by DiskQueue.open(); get cursors with `queue.cursor(name)`. */
  constructor(host: CursorHost, name: string, start: Pointer) {
    this.#host = host;
    this.name = name;
    this.#readNext = start;
    this.#committed = start;
    this.#durable = start;
    this.#handedOut = start.seq;
  }

  /**
   * Returns the next records after everything already handed out, or an empty array if there are none
   * right now (use waitForData() or batches() to wait). Only durable records are ever returned.
   * Calls must not overlap.
   */
  async read(limits: ReadLimits = {}): Promise<QueueRecord[]> {
    if (this.#host.isClosed()) throw new QueueClosedError();
    const maxRecords = limits.maxRecords ?? DEFAULT_MAX_RECORDS;
    const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
    if (!Number.isSafeInteger(maxRecords) || maxRecords < 1) throw new RangeError('maxRecords must be >= 1');
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new RangeError('maxBytes must be >= 1');
    if (this.#reading)
      throw new QueueError(`cursor ${this.name}: read() called while another read() is pending`);
    this.#reading = true;
    const generation = this.#generation;
    try {
      const { records, next } = await this.#readFrom(this.#readNext, maxRecords, maxBytes);
      if (generation === this.#generation) this.#readNext = next;
      if (next.seq > this.#handedOut) this.#handedOut = next.seq;
      return records;
    } finally {
      this.#reading = false;
    }
  }

  /**
   * Marks everything up to and including `position` as delivered and resolves once that is on disk.
   * Committing an older position than the current one is a no-op; committing a record that was never
   * handed out is an error. Overlapping commits share one cursor-file write.
   */
  commit(position: Position): Promise<void> {
    if (this.#host.isClosed()) return Promise.reject(new QueueClosedError());
    const { seq, segment, offset, end } = position;
    for (const v of [seq, segment, offset, end]) {
      if (!Number.isSafeInteger(v) || v < 0)
        return Promise.reject(new TypeError('commit(): not a queue Position'));
    }
    if (end <= offset || segment > seq)
      return Promise.reject(new TypeError('commit(): not a queue Position'));
    if (seq >= this.#handedOut) {
      return Promise.reject(
        new RangeError(
          `cursor ${this.name}: cannot commit seq ${seq}, it has not been read (next unread is ${this.#handedOut})`,
        ),
      );
    }
    const next: Pointer = { seq: seq + 1, segment, offset: end };
    if (next.seq > this.#committed.seq) {
      this.#committed = next;
      if (this.#readNext.seq < next.seq) {
        this.#readNext = next;
        this.#generation++;
      }
    }
    if (this.#durable.seq >= next.seq) return Promise.resolve();
    const promise = new Promise<void>((resolve, reject) => {
      this.#waiters.push({ seq: next.seq, resolve, reject });
    });
    this.#writing ??= this.#writeLoop();
    return promise;
  }

  /** Moves the read position back to the committed one: the next read() returns the uncommitted records again. */
  rewind(): void {
    this.#readNext = this.#committed;
    this.#generation++;
  }

  /**
   * Resolves as soon as read() has something to return. Rejects with the signal's reason on abort and with
   * QueueClosedError when the queue closes. Costs nothing while waiting: it is woken by the writer.
   */
  waitForData(signal?: AbortSignal): Promise<void> {
    if (this.#host.isClosed()) return Promise.reject(new QueueClosedError());
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
    if (this.#host.durableNextSeq() > this.#readNext.seq) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        off();
        reject(signal?.reason as Error);
      };
      const off = this.#host.onData((err) => {
        signal?.removeEventListener('abort', onAbort);
        if (err === undefined) resolve();
        else reject(err);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Yields batches of records as they become durable, waiting in between. Records are not committed by
   * iterating: call commit() after the destination acknowledged. Ends when `signal` aborts or the queue closes.
   */
  async *batches(options: BatchesOptions = {}): AsyncGenerator<QueueRecord[], undefined, undefined> {
    const { signal } = options;
    for (;;) {
      if (isAborted(signal) || this.#host.isClosed()) return;
      const records = await this.read(options);
      if (records.length > 0) {
        yield records;
        continue;
      }
      try {
        await this.waitForData(signal);
      } catch (err) {
        if (isAborted(signal) || err instanceof QueueClosedError) return;
        throw err;
      }
    }
  }

  stats(): CursorStats {
    const durableNext = this.#host.durableNextSeq();
    const segments = this.#host.segments();
    let lagBytes = 0;
    const loc = locate(segments, this.#durable);
    if (loc !== undefined) {
      for (let i = loc.index; i < segments.length; i++) lagBytes += segments[i]?.durableSize ?? 0;
      lagBytes -= loc.offset;
    }
    return {
      committedSeq: this.#committed.seq,
      readSeq: this.#readNext.seq,
      lagRecords: Math.max(0, durableNext - this.#durable.seq),
      lagBytes: Math.max(0, lagBytes),
      corruptRegionsSkipped: this.#regionsSkipped,
      corruptRecordsSkipped: this.#recordsSkipped,
      corruptBytesSkipped: this.#bytesSkipped,
    };
  }

  /** @internal The durable committed sequence number; segments wholly below the minimum over cursors go. */
  durableCommittedSeq(): number {
    return this.#durable.seq;
  }

  /** @internal Persists a position chosen at open (fallbacks), before anything can be read or deleted. */
  async persistInitial(): Promise<void> {
    await writeCursorFile(this.#host.options.dir, this.name, this.#durable);
  }

  /** @internal Waits for pending commit writes and releases the read file handle. */
  async close(): Promise<void> {
    await this.#writing;
    const file = this.#file;
    this.#file = undefined;
    await file?.fh.close();
  }

  // Writes the latest committed position until the file has caught up. Commits that arrive during a write
  // are folded into the next one, so a burst of commits costs one or two fsyncs, not one each.
  async #writeLoop(): Promise<void> {
    while (this.#durable.seq < this.#committed.seq) {
      const target = this.#committed;
      try {
        await writeCursorFile(this.#host.options.dir, this.name, target);
      } catch (err) {
        const waiters = this.#waiters;
        this.#waiters = [];
        for (const w of waiters) w.reject(err);
        break;
      }
      this.#durable = target;
      // Resolving after the deletion it allows makes "commit resolved" mean "space is freed" for callers
      // that wait on it to append again; unlink is cheap next to the cursor file's fsync.
      await this.#host.commitDurable();
      const still: CommitWaiter[] = [];
      for (const w of this.#waiters) {
        if (w.seq <= target.seq) w.resolve();
        else still.push(w);
      }
      this.#waiters = still;
    }
    // Cleared with no await since the loop condition was checked, so a later commit() starts a new loop.
    this.#writing = undefined;
  }

  async #handle(seg: Segment): Promise<FileHandle> {
    if (this.#file?.base === seg.base) return this.#file.fh;
    const old = this.#file;
    this.#file = undefined;
    await old?.fh.close();
    const fh = await open(seg.path, 'r');
    this.#file = { base: seg.base, fh };
    return fh;
  }

  async #readFrom(
    start: Pointer,
    maxRecords: number,
    maxBytes: number,
  ): Promise<{ records: QueueRecord[]; next: Pointer }> {
    let ptr = start;
    for (;;) {
      const segments = this.#host.segments();
      const loc = locate(segments, ptr);
      const seg = loc === undefined ? undefined : segments[loc.index];
      if (loc === undefined || seg === undefined) {
        throw new QueueError(
          `cursor ${this.name}: seq ${ptr.seq} (segment ${ptr.segment}, offset ${ptr.offset}) is not in any segment on disk`,
        );
      }
      ptr = { seq: ptr.seq, segment: seg.base, offset: loc.offset };
      const available = seg.durableSize - ptr.offset;
      if (available <= 0) return { records: [], next: ptr };

      const fh = await this.#handle(seg);
      const want = Math.min(available, Math.max(maxBytes + HEADER_BYTES, MIN_READ_BYTES));
      let buf = await readFully(fh, want, ptr.offset);
      let bufStart = ptr.offset;
      const records: QueueRecord[] = [];
      let corrupt: { offset: number; reason: string } | undefined;
      let at = 0;
      let seq = ptr.seq;
      let bytes = 0;
      if (buf.length < want)
        corrupt = { offset: bufStart + buf.length, reason: 'segment file is shorter than expected' };
      while (corrupt === undefined && records.length < maxRecords && at < buf.length) {
        const d = decodeRecord(buf, at, buf.length);
        if (d.kind === 'incomplete') {
          const fileAt = bufStart + at;
          if (fileAt + d.needed > seg.durableSize) {
            corrupt = { offset: fileAt, reason: 'record extends past the end of the written data' };
            break;
          }
          if (records.length > 0) break;
          buf = await readFully(fh, d.needed, fileAt);
          bufStart = fileAt;
          at = 0;
          if (buf.length < d.needed)
            corrupt = { offset: fileAt, reason: 'segment file is shorter than expected' };
          continue;
        }
        if (d.kind === 'corrupt') {
          corrupt = { offset: bufStart + at, reason: d.reason };
          break;
        }
        if (d.seq !== seq) {
          corrupt = { offset: bufStart + at, reason: `sequence number ${d.seq}, expected ${seq}` };
          break;
        }
        const length = d.end - d.payloadStart;
        if (records.length > 0 && bytes + length > maxBytes) break;
        records.push({
          position: { seq, segment: seg.base, offset: bufStart + at, end: bufStart + d.end },
          payload: buf.subarray(d.payloadStart, d.end),
        });
        bytes += length;
        seq++;
        at = d.end;
      }
      // Records before a corrupt one are returned first; the next read() starts at the corruption.
      if (corrupt === undefined || records.length > 0) {
        return { records, next: { seq, segment: seg.base, offset: bufStart + at } };
      }
      ptr = await this.#skipCorruption(fh, seg, corrupt, seq);
    }
  }

  async #skipCorruption(
    fh: FileHandle,
    seg: Segment,
    corrupt: { offset: number; reason: string },
    expectedSeq: number,
  ): Promise<Pointer> {
    if (this.#host.options.onCorruptRecord === 'error') {
      throw new CorruptRecordError(
        seg.path,
        corrupt.offset,
        corrupt.reason,
        `cursor ${this.name} cannot read past it; reopen with onCorruptRecord: 'skip' to skip to the next valid record`,
      );
    }
    const found = await findNextValidRecord(fh, corrupt.offset + 1, seg.durableSize, expectedSeq);
    // Looked up after the await: deletions shift the segment list, so an index taken earlier may be stale.
    const next = this.#host.segments().find((s) => s.base > seg.base);
    let resume: Pointer;
    let resumeOffset: number;
    if (found !== undefined) {
      resume = { seq: found.seq, segment: seg.base, offset: found.offset };
      resumeOffset = found.offset;
    } else if (next !== undefined && seg.durableSize === seg.size && next.base >= expectedSeq) {
      resume = { seq: next.base, segment: next.base, offset: 0 };
      resumeOffset = seg.size;
    } else {
      throw new CorruptRecordError(seg.path, corrupt.offset, corrupt.reason, 'no valid record follows it');
    }
    const records = resume.seq - expectedSeq;
    const bytes = resumeOffset - corrupt.offset;
    this.#regionsSkipped++;
    this.#recordsSkipped += records;
    this.#bytesSkipped += bytes;
    this.#host.options.logger.warn(`cursor ${this.name} skipped a corrupt region`, {
      file: basename(seg.path),
      offset: corrupt.offset,
      reason: corrupt.reason,
      bytesSkipped: bytes,
      recordsSkipped: records,
      resumeSeq: resume.seq,
    });
    return resume;
  }
}

// The durable queue: one writer appending to segment files with group commit, any number of named cursors
// reading at their own pace. See README.md for the format, guarantees and recovery rules.

import { EventEmitter } from 'node:events';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Cursor, locate } from './cursor.ts';
import type { CursorStats } from './cursor.ts';
import { CURSOR_SUFFIX, fsyncDirectory, readCursorFile } from './cursor-file.ts';
import {
  CorruptRecordError,
  CursorFileError,
  QueueClosedError,
  QueueFailedError,
  QueueFullError,
  RecordTooLargeError,
} from './errors.ts';
import {
  decodeRecord,
  findNextValidRecord,
  HEADER_BYTES,
  parseSegmentFileName,
  readFully,
  scanSegment,
  payloadLength,
  segmentFileName,
  writeHeader,
  type RecordPayload,
} from './format.ts';
import { acquireLock } from './lock.ts';
import type { DirectoryLock } from './lock.ts';
import { resolveOptions } from './options.ts';
import type { QueueOptions, ResolvedOptions } from './options.ts';
import type { CursorHost, Pointer, Position, Segment } from './types.ts';

export interface QueueStats {
  /** Sum of segment file sizes, including appends not yet written. */
  readonly bytesOnDisk: number;
  readonly maxBytes: number;
  readonly full: boolean;
  readonly segments: number;
  /** Durable records retained on disk (some may already be committed by every cursor). */
  readonly records: number;
  /** Sequence number of the oldest retained record. */
  readonly firstSeq: number;
  /** Sequence number the next durable record will get. */
  readonly nextSeq: number;
  /** Segment fsyncs since open; appends per fsync shows how well group commit is batching. */
  readonly fsyncs: number;
  readonly cursors: Readonly<Record<string, CursorStats>>;
}

export interface QueueEvents {
  /** Space was freed after an append was refused with QueueFullError (or the queue opened full). */
  drain: [];
}

interface PendingAppend {
  readonly segment: Segment;
  readonly buffers: Uint8Array[];
  readonly bytes: number;
  readonly positions: Position[];
  readonly resolve: (positions: Position[]) => void;
  readonly reject: (err: unknown) => void;
}

/** Writev accepts at most IOV_MAX (1024 on Linux) buffers per call and may write less than asked. */
const IOV_MAX = 1024;

async function writevAll(fh: FileHandle, buffers: Uint8Array[], position: number): Promise<void> {
  let i = 0;
  let skip = 0; // bytes of buffers[i] already written
  let pos = position;
  while (i < buffers.length) {
    const slice = buffers.slice(i, i + IOV_MAX);
    const first = slice[0];
    if (first !== undefined && skip > 0) slice[0] = first.subarray(skip);
    const { bytesWritten } = await fh.writev(slice, pos);
    pos += bytesWritten;
    let left = bytesWritten + skip;
    skip = 0;
    while (i < buffers.length) {
      const len = buffers[i]?.length ?? 0;
      if (left < len) {
        skip = left;
        break;
      }
      left -= len;
      i++;
    }
  }
}

export class DiskQueue extends EventEmitter<QueueEvents> {
  readonly options: ResolvedOptions;
  readonly #lock: DirectoryLock;
  readonly #segments: Segment[];
  readonly #cursors = new Map<string, Cursor>();
  #active: { segment: Segment; fh: FileHandle; written: number };
  /** Sequence number the next append gets. */
  #nextSeq: number;
  /** One past the last durable (readable, acknowledged) record. */
  #durableNextSeq: number;
  #bytesOnDisk: number;
  #full = false;
  #pending: PendingAppend[] = [];
  /** Written but not yet fsynced; resolved by the next fsync. */
  #unsynced: PendingAppend[] = [];
  /** Taken off #pending by the writer and possibly not yet written; kept so a failure can reject them. */
  #inFlight: PendingAppend[] = [];
  #flushing: Promise<void> | undefined;
  #lastSyncAt = 0;
  #fsyncs = 0;
  #wake: (() => void) | undefined;
  #failure: unknown;
  #closing = false;
  #closed: Promise<void> | undefined;
  #dataListeners = new Set<(err?: Error) => void>();
  #deleting = Promise.resolve();

  private constructor(
    options: ResolvedOptions,
    lock: DirectoryLock,
    segments: Segment[],
    active: FileHandle,
    nextSeq: number,
  ) {
    super();
    this.options = options;
    this.#lock = lock;
    this.#segments = segments;
    const last = segments[segments.length - 1];
    if (last === undefined) throw new Error('queue opened without a segment');
    this.#active = { segment: last, fh: active, written: last.size };
    this.#nextSeq = nextSeq;
    this.#durableNextSeq = nextSeq;
    this.#bytesOnDisk = segments.reduce((sum, s) => sum + s.size, 0);
  }

  /**
   * Opens (creating if needed) the queue in `options.dir`: takes the lock, recovers the last segment and
   * loads every declared cursor. Rejects with QueueLockedError, CorruptRecordError or CursorFileError.
   */
  static async open(options: QueueOptions): Promise<DiskQueue> {
    const o = resolveOptions(options);
    await mkdir(o.dir, { recursive: true });
    const lock = await acquireLock(o.dir);
    let fh: FileHandle | undefined;
    try {
      const names = await readdir(o.dir);
      for (const n of names) {
        if (n.endsWith(`${CURSOR_SUFFIX}.tmp`)) await unlink(join(o.dir, n));
      }
      const segments: Segment[] = [];
      const bases = names
        .map(parseSegmentFileName)
        .filter((b) => b !== undefined)
        .sort((a, b) => a - b);
      for (const base of bases) {
        const path = join(o.dir, segmentFileName(base));
        const { size } = await stat(path);
        segments.push({ base, path, size, durableSize: size });
      }
      if (segments.length === 0) {
        const path = join(o.dir, segmentFileName(0));
        await (await open(path, 'wx')).close();
        await fsyncDirectory(o.dir);
        segments.push({ base: 0, path, size: 0, durableSize: 0 });
      }
      const last = segments[segments.length - 1] as Segment;
      fh = await open(last.path, 'r+');
      const nextSeq = await DiskQueue.#recoverTail(o, fh, last);
      const queue = new DiskQueue(o, lock, segments, fh, nextSeq);
      await queue.#loadCursors(names);
      await queue.#deleteConsumed();
      if (queue.#bytesOnDisk >= o.maxBytes) queue.#full = true;
      return queue;
    } catch (err) {
      await fh?.close();
      await lock.release();
      throw err;
    }
  }

  // Validates the last segment. Only its tail can hold a torn write: every older segment was fsynced before
  // the writer moved on. A bad record followed by nothing valid is that torn, never-acknowledged write and is
  // cut off; a bad record followed by valid ones is real corruption and is reported (or skipped on request).
  static async #recoverTail(o: ResolvedOptions, fh: FileHandle, last: Segment): Promise<number> {
    let start = 0;
    let seq = last.base;
    for (;;) {
      const scan = await scanSegment(fh, last.size, start, seq);
      if (scan.error === undefined) {
        last.size = scan.end;
        last.durableSize = scan.end;
        return scan.nextSeq;
      }
      const bad = scan.error;
      const next = await findNextValidRecord(fh, bad.offset + 1, last.size, scan.nextSeq);
      if (next === undefined) {
        o.logger.warn('truncating a torn write at the end of the queue (it was never acknowledged)', {
          file: basename(last.path),
          offset: bad.offset,
          bytesRemoved: last.size - bad.offset,
          reason: bad.reason,
        });
        await fh.truncate(bad.offset);
        await fh.datasync();
        last.size = bad.offset;
        last.durableSize = bad.offset;
        return scan.nextSeq;
      }
      if (o.onCorruptRecord === 'error') {
        throw new CorruptRecordError(
          last.path,
          bad.offset,
          bad.reason,
          `valid records follow at offset ${next.offset}, so this is not a torn write; ` +
            `reopen with onCorruptRecord: 'skip' to skip ${next.seq - scan.nextSeq} record(s) and ${next.offset - bad.offset} bytes`,
        );
      }
      o.logger.warn('corrupt region in the last segment will be skipped by readers', {
        file: basename(last.path),
        offset: bad.offset,
        reason: bad.reason,
        resumeOffset: next.offset,
      });
      start = next.offset;
      seq = next.seq;
    }
  }

  #oldestPointer(): Pointer {
    const first = this.#segments[0] as Segment;
    return { seq: first.base, segment: first.base, offset: 0 };
  }

  #tailPointer(): Pointer {
    const last = this.#active.segment;
    return { seq: this.#nextSeq, segment: last.base, offset: last.size };
  }

  // Checks that a stored pointer lands on a record boundary carrying the sequence number it claims, so a
  // stale or hand-edited cursor file cannot make a reader start in the middle of a record.
  async #pointerProblem(p: Pointer): Promise<string | undefined> {
    const first = this.#segments[0] as Segment;
    if (p.seq < first.base) return `seq ${p.seq} was already deleted (oldest retained is ${first.base})`;
    if (p.seq > this.#nextSeq) return `seq ${p.seq} is past the end of the queue (${this.#nextSeq})`;
    const loc = locate(this.#segments, p);
    const seg = loc === undefined ? undefined : this.#segments[loc.index];
    if (loc === undefined || seg === undefined)
      return `segment ${p.segment} offset ${p.offset} does not exist`;
    if (loc.offset === seg.size) {
      return p.seq === this.#nextSeq
        ? undefined
        : `offset ${p.offset} is the end of the queue but seq is ${p.seq}`;
    }
    const fh = await open(seg.path, 'r');
    try {
      const head = await readFully(fh, HEADER_BYTES, loc.offset);
      const d = decodeRecord(head, 0, head.length);
      // 'incomplete' is expected here: only the header was read, so the checksum is not checked.
      if (d.kind === 'corrupt') return `no record at offset ${loc.offset} (${d.reason})`;
      const seq = head.length === HEADER_BYTES ? head.readUInt32LE(12) * 2 ** 32 + head.readUInt32LE(8) : -1;
      return seq === p.seq ? undefined : `record at offset ${loc.offset} has seq ${seq}, not ${p.seq}`;
    } finally {
      await fh.close();
    }
  }

  async #loadCursors(names: readonly string[]): Promise<void> {
    const o = this.options;
    const host = this.#host();
    const empty = this.#nextSeq === (this.#segments[0] as Segment).base;
    for (const name of o.cursors) {
      const stored = await readCursorFile(o.dir, name);
      let start: Pointer;
      let fallback = true;
      if (stored.kind === 'missing') {
        start = o.newCursorStart === 'tail' ? this.#tailPointer() : this.#oldestPointer();
        if (!empty) {
          o.logger.warn(`cursor ${name} is new; starting at the ${o.newCursorStart} record`, {
            seq: start.seq,
          });
        }
      } else {
        const problem =
          stored.kind === 'corrupt' ? stored.reason : await this.#pointerProblem(stored.pointer);
        if (problem === undefined && stored.kind === 'ok') {
          start = stored.pointer;
          fallback = false;
        } else {
          const file = join(o.dir, `${name}${CURSOR_SUFFIX}`);
          if (o.onCorruptCursor === 'error') throw new CursorFileError(file, problem ?? 'unknown');
          // At-least-once: resending what is still on disk beats losing it; duplicates are absorbed downstream.
          start = this.#oldestPointer();
          o.logger.warn(`cursor ${name} is unusable; restarting it at the oldest retained record`, {
            file,
            reason: problem,
            seq: start.seq,
          });
        }
      }
      const cursor = new Cursor(host, name, start);
      // A fallback position is written at once: otherwise a crash before the first commit would pick a
      // different start next time (with 'tail', a later tail, silently skipping what arrived in between).
      if (fallback) await cursor.persistInitial();
      this.#cursors.set(name, cursor);
    }
    for (const n of names) {
      if (!n.endsWith(CURSOR_SUFFIX)) continue;
      const name = n.slice(0, -CURSOR_SUFFIX.length);
      if (!this.#cursors.has(name)) {
        o.logger.warn(
          `cursor file ${n} is not a declared cursor; it is ignored and does not hold data back`,
          {
            file: join(o.dir, n),
          },
        );
      }
    }
  }

  #host(): CursorHost {
    return {
      options: this.options,
      isClosed: () => this.#closing,
      durableNextSeq: () => this.#durableNextSeq,
      segments: () => this.#segments,
      commitDurable: () => {
        this.#deleting = this.#deleting.then(() => this.#deleteConsumed());
        return this.#deleting;
      },
      onData: (listener) => {
        this.#dataListeners.add(listener);
        return () => this.#dataListeners.delete(listener);
      },
    };
  }

  /** The cursor declared at open under `name`. */
  cursor(name: string): Cursor {
    const c = this.#cursors.get(name);
    if (c === undefined) {
      throw new RangeError(
        `queue cursor ${JSON.stringify(name)} was not declared at open (declared: ${this.options.cursors.join(', ')})`,
      );
    }
    return c;
  }

  /** Appends one record; resolves with its position once durable under the fsync policy. */
  async append(payload: RecordPayload): Promise<Position> {
    const [position] = await this.appendMany([payload]);
    return position as Position;
  }

  /**
   * Appends several records with one write and one fsync; all or none are accepted. Resolves once all are
   * durable. Payloads are written from the caller's buffers without a copy: do not modify them until the
   * promise settles. Rejects with QueueFullError, RecordTooLargeError, QueueClosedError or QueueFailedError.
   */
  appendMany(payloads: readonly RecordPayload[]): Promise<Position[]> {
    if (this.#closing) return Promise.reject(new QueueClosedError());
    if (this.#failure !== undefined) return Promise.reject(new QueueFailedError(this.#failure));
    if (payloads.length === 0) return Promise.resolve([]);
    let bytes = 0;
    for (const p of payloads) {
      const length = payloadLength(p);
      if (length > this.options.maxRecordBytes) {
        return Promise.reject(new RecordTooLargeError(length, this.options.maxRecordBytes));
      }
      bytes += HEADER_BYTES + length;
    }
    if (this.#bytesOnDisk + bytes > this.options.maxBytes) {
      this.#full = true;
      return Promise.reject(new QueueFullError(bytes, this.#bytesOnDisk, this.options.maxBytes));
    }
    // Positions are fixed now, synchronously, so appends keep their call order on disk. A batch never
    // straddles two segments; one larger than segmentBytes gets a segment to itself.
    let segment = this.#segments[this.#segments.length - 1] as Segment;
    if (segment.size > 0 && segment.size + bytes > this.options.segmentBytes) {
      segment = {
        base: this.#nextSeq,
        path: join(this.options.dir, segmentFileName(this.#nextSeq)),
        size: 0,
        durableSize: 0,
      };
      this.#segments.push(segment);
    }
    const headers = Buffer.allocUnsafe(HEADER_BYTES * payloads.length);
    const buffers: Uint8Array[] = [];
    const positions: Position[] = [];
    let h = 0;
    for (const p of payloads) {
      writeHeader(headers, h, this.#nextSeq, p);
      const header = headers.subarray(h, h + HEADER_BYTES);
      h += HEADER_BYTES;
      const end = segment.size + HEADER_BYTES + payloadLength(p);
      positions.push({ seq: this.#nextSeq, segment: segment.base, offset: segment.size, end });
      buffers.push(header);
      if (p instanceof Uint8Array) buffers.push(p);
      else buffers.push(...p);
      segment.size = end;
      this.#nextSeq++;
    }
    this.#bytesOnDisk += bytes;
    const { promise, resolve, reject } = Promise.withResolvers<Position[]>();
    this.#pending.push({ segment, buffers, bytes, positions, resolve, reject });
    this.#flushing ??= this.#flushLoop();
    return promise;
  }

  /** True after an append was refused for lack of space, until a `'drain'` event. */
  isFull(): boolean {
    return this.#full;
  }

  stats(): QueueStats {
    const cursors: Record<string, CursorStats> = {};
    for (const [name, c] of this.#cursors) cursors[name] = c.stats();
    const firstSeq = (this.#segments[0] as Segment).base;
    return {
      bytesOnDisk: this.#bytesOnDisk,
      maxBytes: this.options.maxBytes,
      full: this.#full,
      segments: this.#segments.length,
      records: this.#durableNextSeq - firstSeq,
      firstSeq,
      nextSeq: this.#durableNextSeq,
      fsyncs: this.#fsyncs,
      cursors,
    };
  }

  // Group commit: whatever queued up while the previous write+fsync ran goes out as one writev and one
  // fsync. Under load that batches many appends per fsync without any timer.
  async #flushLoop(): Promise<void> {
    const { fsync, fsyncIntervalMs } = this.options;
    try {
      while (this.#pending.length > 0 || this.#unsynced.length > 0) {
        if (this.#pending.length > 0) {
          const batch = this.#pending;
          this.#pending = [];
          this.#inFlight = batch;
          await this.#write(batch);
          this.#inFlight = [];
        }
        if (this.#unsynced.length === 0) continue;
        if (fsync !== 'never') {
          const wait =
            fsync === 'interval' && !this.#closing ? this.#lastSyncAt + fsyncIntervalMs - Date.now() : 0;
          if (wait > 0) {
            if (this.#pending.length === 0) await this.#sleep(wait);
            continue;
          }
          await this.#active.fh.datasync();
          this.#fsyncs++;
          this.#lastSyncAt = Date.now();
        }
        this.#settle();
      }
    } catch (err) {
      this.#fail(err);
    }
    this.#flushing = undefined;
  }

  async #write(batch: PendingAppend[]): Promise<void> {
    let i = 0;
    while (i < batch.length) {
      const segment = (batch[i] as PendingAppend).segment;
      if (segment !== this.#active.segment) await this.#roll(segment);
      const buffers: Uint8Array[] = [];
      let bytes = 0;
      let j = i;
      for (; j < batch.length; j++) {
        const a = batch[j] as PendingAppend;
        if (a.segment !== segment) break;
        for (const b of a.buffers) buffers.push(b);
        bytes += a.bytes;
      }
      await writevAll(this.#active.fh, buffers, this.#active.written);
      this.#active.written += bytes;
      for (let k = i; k < j; k++) this.#unsynced.push(batch[k] as PendingAppend);
      i = j;
    }
  }

  // The old segment is made durable before the first byte goes to the new one, which is what lets recovery
  // assume only the last segment can have a torn tail. The directory is fsynced so the new file's name
  // survives a crash along with the records acknowledged in it.
  async #roll(segment: Segment): Promise<void> {
    if (this.#unsynced.length > 0) {
      if (this.options.fsync !== 'never') {
        await this.#active.fh.datasync();
        this.#fsyncs++;
      }
      this.#settle();
    }
    await this.#active.fh.close();
    const fh = await open(segment.path, 'wx');
    this.#active = { segment, fh, written: 0 };
    await fsyncDirectory(this.options.dir);
  }

  #settle(): void {
    const done = this.#unsynced;
    this.#unsynced = [];
    for (const a of done) {
      const last = a.positions[a.positions.length - 1] as Position;
      a.segment.durableSize = last.end;
      this.#durableNextSeq = last.seq + 1;
      a.resolve(a.positions);
    }
    if (done.length > 0 && this.#dataListeners.size > 0) {
      const listeners = [...this.#dataListeners];
      this.#dataListeners.clear();
      for (const l of listeners) l();
    }
  }

  #fail(err: unknown): void {
    this.#failure = err;
    const failed = new QueueFailedError(err);
    this.options.logger.warn('queue write failed; appends are refused until it is reopened', {
      error: err instanceof Error ? err.message : String(err),
    });
    // Settled appends ignore the extra reject; the rest learn that they were not stored.
    for (const a of [...this.#inFlight, ...this.#unsynced, ...this.#pending]) a.reject(failed);
    this.#inFlight = [];
    this.#unsynced = [];
    this.#pending = [];
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  async #deleteConsumed(): Promise<void> {
    let min = Infinity;
    for (const c of this.#cursors.values()) min = Math.min(min, c.durableCommittedSeq());
    let freed = false;
    for (;;) {
      const next = this.#segments[1];
      const first = this.#segments[0];
      if (first === undefined || next === undefined || next.base > min) break;
      this.#segments.shift();
      this.#bytesOnDisk -= first.size;
      freed = true;
      try {
        await unlink(first.path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          this.options.logger.warn('could not delete a consumed segment', {
            file: first.path,
            error: String(err),
          });
        }
      }
    }
    if (freed && this.#full && this.#bytesOnDisk < this.options.maxBytes) {
      this.#full = false;
      this.emit('drain');
    }
  }

  /** Flushes and fsyncs pending appends, waits for pending commits, closes files and releases the lock. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#closing = true;
    this.#wake?.();
    try {
      await this.#flushing;
      if (this.#failure === undefined) await this.#active.fh.datasync();
    } finally {
      await this.#active.fh.close().catch(() => undefined);
      for (const c of this.#cursors.values()) await c.close();
      await this.#deleting;
      const closed = new QueueClosedError();
      for (const l of this.#dataListeners) l(closed);
      this.#dataListeners.clear();
      await this.#lock.release();
    }
  }
}

// Line splitting: the hot path of the tail input.
//
// Bytes are read into a Buffer; lines are found with Buffer#indexOf (memchr) and described by
// integer positions, so a batch of a few hundred lines costs one Buffer, three small typed arrays and
// no per-line object or copy. Decoding to a string is left to the consumer (`LineBatch#text`), so a
// parser that works on bytes, or a filter that drops the line, never pays for UTF-8 decoding.
//
// Each read buffer is handed out with the batch and never written again (the next read gets a fresh
// buffer, with the held partial line copied to its start), so a consumer may keep a batch, or
// sub-arrays of it, for as long as it likes.

/** The line is a fragment of a line longer than Buffer_Max_Size; the next line continues it. */
export const LINE_PARTIAL = 1;
/** The line had no newline: emitted because the file was closed, rotated away or truncated. */
export const LINE_NO_NEWLINE = 2;

const NO_GAPS: readonly number[] = Object.freeze([]);

/** File-level facts shared by every line of a batch. */
export interface BatchSource {
  /** Stable id of the file (identity + truncation generation); event ids derive from it. */
  readonly fileId: string;
  /** The path the file had when the batch was read (after rotation: its new name, if known). */
  readonly path: string;
  readonly tag: string;
}

/**
 * Complete lines read from one file, in file order. `startOffset..endOffset` covers every byte the
 * batch consumed, including bytes that produced no line (skipped empty or long lines, NUL padding):
 * those are listed in `gaps` and need no ack.
 */
export class LineBatch {
  readonly source: BatchSource;
  readonly data: Buffer;
  readonly count: number;
  /** File offset of data[0]. */
  readonly base: number;
  readonly startOffset: number;
  readonly endOffset: number;
  /** data index where line i starts. */
  readonly starts: Uint32Array;
  /** data index where line i's content ends (newline and a preceding \r excluded). */
  readonly ends: Uint32Array;
  /** data index just after line i's newline: offsetEnd - base. */
  readonly nexts: Uint32Array;
  /** Per-line LINE_* flags, or undefined when no line has any (the common case). */
  readonly flags: Uint8Array | undefined;
  /** File-offset pairs [from, to) of consumed bytes that are in no line. */
  readonly gaps: readonly number[];

  constructor(
    source: BatchSource,
    data: Buffer,
    base: number,
    startOffset: number,
    endOffset: number,
    count: number,
    starts: Uint32Array,
    ends: Uint32Array,
    nexts: Uint32Array,
    flags: Uint8Array | undefined,
    gaps: readonly number[],
  ) {
    this.source = source;
    this.data = data;
    this.base = base;
    this.startOffset = startOffset;
    this.endOffset = endOffset;
    this.count = count;
    this.starts = starts;
    this.ends = ends;
    this.nexts = nexts;
    this.flags = flags;
    this.gaps = gaps;
  }

  /** The same lines attributed to another source (used when a file's id is fixed late). */
  withSource(source: BatchSource): LineBatch {
    return new LineBatch(
      source,
      this.data,
      this.base,
      this.startOffset,
      this.endOffset,
      this.count,
      this.starts,
      this.ends,
      this.nexts,
      this.flags,
      this.gaps,
    );
  }

  /** Line i decoded as UTF-8 (invalid sequences become U+FFFD, as Buffer#toString does). */
  text(i: number): string {
    return this.data.toString('utf8', this.starts[i], this.ends[i]);
  }

  /** Line i's bytes, without copying. */
  bytes(i: number): Buffer {
    return this.data.subarray(this.starts[i], this.ends[i]);
  }

  /** File offset of line i's first byte: with the fileId, the event id. */
  offsetStart(i: number): number {
    return this.base + (this.starts[i] ?? 0);
  }

  /** File offset just after line i's newline (where reading resumes after this line). */
  offsetEnd(i: number): number {
    return this.base + (this.nexts[i] ?? 0);
  }

  lineFlags(i: number): number {
    return this.flags === undefined ? 0 : (this.flags[i] ?? 0);
  }
}

export interface SplitterOptions {
  /** Buffer_Chunk_Size: first buffer size, and the step by which a buffer grows. */
  readonly chunkSize: number;
  /** Buffer_Max_Size: the largest a buffer (and so a line) may get. */
  readonly maxSize: number;
  /** Largest read buffer while catching up on a backlog; at least chunkSize. Bigger reads mean fewer syscalls. */
  readonly readSize: number;
  readonly skipLongLines: boolean;
  readonly skipEmptyLines: boolean;
}

export interface LongLineInfo {
  readonly offsetStart: number;
  readonly action: 'split' | 'skip';
}

/**
 * Per-file line splitter. Usage: read into `buffer()` at `writeIndex()` at most `writable()` bytes
 * from file offset `nextOffset()`, then call `push(n)`.
 */
export class LineSplitter {
  private readonly opts: SplitterOptions;
  private buf: Buffer;
  /** Valid bytes in buf. */
  private len = 0;
  /** File offset of buf[0]. */
  private base: number;
  /** Index in buf where the held (incomplete) line starts. Always 0 after a push. */
  private lineStart = 0;
  /** Index from which to look for the next newline (the held part was already searched). */
  private scanFrom = 0;
  /** Discarding a long line until its newline (Skip_Long_Lines on). */
  private skipping = false;
  private skipFrom = 0;
  /** Inside a long line that is being emitted in fragments (Skip_Long_Lines off). */
  private midLine = false;
  private capStarts: Uint32Array = new Uint32Array(512);
  private capEnds: Uint32Array = new Uint32Array(512);
  private capNexts: Uint32Array = new Uint32Array(512);
  onLongLine: ((info: LongLineInfo) => void) | undefined;

  constructor(opts: SplitterOptions, startOffset: number) {
    this.opts = opts;
    this.base = startOffset;
    this.buf = Buffer.allocUnsafe(opts.chunkSize);
  }

  /** File offset of the next byte to read. */
  nextOffset(): number {
    return this.base + this.len;
  }

  /** File offset of the first byte not yet in a batch (the held partial line starts here). */
  consumedOffset(): number {
    return this.base + (this.skipping ? this.skipFrom : this.lineStart);
  }

  /** Bytes held back waiting for a newline. */
  held(): number {
    return this.len - this.lineStart;
  }

  buffer(): Buffer {
    return this.buf;
  }
  writeIndex(): number {
    return this.len;
  }
  writable(): number {
    return this.buf.length - this.len;
  }

  /** Forget everything and continue at `offset` (after a truncation). */
  reset(offset: number): void {
    this.base = offset;
    this.len = 0;
    this.lineStart = 0;
    this.scanFrom = 0;
    this.skipping = false;
    this.midLine = false;
    this.buf = Buffer.allocUnsafe(this.opts.chunkSize);
  }

  /**
   * `n` bytes were read into buffer() at writeIndex(). Returns the complete lines they finished
   * (or a batch with only gaps), or undefined when everything is still held.
   */
  push(n: number, source: BatchSource): LineBatch | undefined {
    const filled = n === this.buf.length - this.len;
    this.len += n;
    const batch = this.split(source, false);
    this.prepareNext(filled);
    return batch;
  }

  /**
   * Emits the held partial line, if any, as a line flagged LINE_NO_NEWLINE (the file is being
   * closed or was truncated: no newline will come for it).
   */
  flush(source: BatchSource): LineBatch | undefined {
    const batch = this.split(source, true);
    this.prepareNext(false);
    return batch;
  }

  private split(source: BatchSource, final: boolean): LineBatch | undefined {
    const buf = this.buf;
    const len = this.len;
    const view = len === buf.length ? buf : buf.subarray(0, len);
    const skipEmpty = this.opts.skipEmptyLines;
    const maxSize = this.opts.maxSize;
    const startOffset = this.consumedOffset();
    let gaps: number[] | undefined;
    let count = 0;
    let partial: number[] | undefined;
    let noNewline = false;
    let pos = this.lineStart;
    let search = this.scanFrom;

    if (this.skipping) {
      const nl = view.indexOf(10, search);
      if (nl === -1) {
        // Still inside the skipped line: all of it is a gap; nothing needs to be held.
        gaps = [this.base + this.skipFrom, this.base + len];
        this.skipFrom = len;
        this.lineStart = len;
        this.scanFrom = len;
        return this.make(source, startOffset, this.base + len, 0, undefined, gaps);
      }
      gaps = [this.base + this.skipFrom, this.base + nl + 1];
      this.skipping = false;
      pos = nl + 1;
      search = pos;
    }

    for (;;) {
      // NUL padding at a line start is what a writer without O_APPEND leaves after copytruncate
      // (a sparse hole up to its old offset); Fluent Bit skips it too. One byte compare per line.
      if (pos < len && buf[pos] === 0 && !this.midLine) {
        const from = pos;
        while (pos < len && buf[pos] === 0) pos++;
        (gaps ??= []).push(this.base + from, this.base + pos);
        if (search < pos) search = pos;
      }
      const nl = view.indexOf(10, search);
      if (nl === -1) break;
      let end = nl;
      if (end > pos && buf[end - 1] === 13) end--;
      if (end - pos > maxSize) {
        // Found whole in a big read buffer, but longer than Buffer_Max_Size all the same.
        if (this.opts.skipLongLines) {
          this.onLongLine?.({ offsetStart: this.base + pos, action: 'skip' });
          (gaps ??= []).push(this.base + pos, this.base + nl + 1);
          pos = nl + 1;
          search = pos;
          this.midLine = false;
          continue;
        }
        if (!this.midLine) this.onLongLine?.({ offsetStart: this.base + pos, action: 'split' });
        while (end - pos > maxSize) {
          (partial ??= []).push(count);
          this.add(count++, pos, pos + maxSize, pos + maxSize);
          pos += maxSize;
        }
      }
      this.midLine = false;
      if (end === pos && skipEmpty) {
        (gaps ??= []).push(this.base + pos, this.base + nl + 1);
      } else {
        this.add(count++, pos, end, nl + 1);
      }
      pos = nl + 1;
      search = pos;
    }

    if (final && pos < len && !this.skipping) {
      // The held partial line goes out without its newline.
      let end = len;
      if (buf[end - 1] === 13) end--;
      this.add(count++, pos, end, len);
      noNewline = true;
      pos = len;
      this.midLine = false;
    } else if (len - pos >= maxSize) {
      // The held line reached Buffer_Max_Size without a newline: it cannot be held any longer.
      if (this.opts.skipLongLines) {
        this.onLongLine?.({ offsetStart: this.base + pos, action: 'skip' });
        (gaps ??= []).push(this.base + pos, this.base + len);
        this.skipping = true;
        this.skipFrom = len;
        pos = len;
      } else {
        if (!this.midLine) this.onLongLine?.({ offsetStart: this.base + pos, action: 'split' });
        while (len - pos >= maxSize) {
          (partial ??= []).push(count);
          this.add(count++, pos, pos + maxSize, pos + maxSize);
          pos += maxSize;
        }
        this.midLine = true;
      }
    }

    this.lineStart = pos;
    // Everything from `pos` to `len` was searched without finding a newline.
    this.scanFrom = len;
    if (count === 0 && gaps === undefined) return undefined;
    let flags: Uint8Array | undefined;
    if (partial !== undefined || noNewline) {
      flags = new Uint8Array(count);
      if (partial !== undefined) for (const i of partial) flags[i] = LINE_PARTIAL;
      if (noNewline) flags[count - 1] = LINE_NO_NEWLINE;
    }
    return this.make(source, startOffset, this.base + pos, count, flags, gaps);
  }

  private add(i: number, start: number, end: number, next: number): void {
    if (i === this.capStarts.length) {
      this.capStarts = grow(this.capStarts);
      this.capEnds = grow(this.capEnds);
      this.capNexts = grow(this.capNexts);
    }
    this.capStarts[i] = start;
    this.capEnds[i] = end;
    this.capNexts[i] = next;
  }

  private make(
    source: BatchSource,
    startOffset: number,
    endOffset: number,
    count: number,
    flags: Uint8Array | undefined,
    gaps: number[] | undefined,
  ): LineBatch {
    return new LineBatch(
      source,
      this.buf,
      this.base,
      startOffset,
      endOffset,
      count,
      this.capStarts.slice(0, count),
      this.capEnds.slice(0, count),
      this.capNexts.slice(0, count),
      flags,
      gaps ?? NO_GAPS,
    );
  }

  /**
   * Batches handed out reference the current buffer, but only bytes before `len`, so appending
   * after `len` is safe and saves a buffer per small read when following a live file. When the
   * buffer is nearly full, the held partial line moves to the start of a fresh one. Its size adapts:
   * a read that filled the buffer means a backlog, so the next buffer doubles (up to readSize, fewer
   * syscalls); a short read means we caught up, so it drops back to Buffer_Chunk_Size (idle files
   * hold little memory).
   */
  private prepareNext(lastReadFilled: boolean): void {
    const held = this.len - this.lineStart;
    const room = this.buf.length - this.len;
    if (room >= this.opts.chunkSize / 4) return;
    const { chunkSize, readSize, maxSize } = this.opts;
    let size = lastReadFilled ? Math.min(this.buf.length * 2, Math.max(readSize, chunkSize)) : chunkSize;
    // Room for the held line plus a chunk; it never needs more than Buffer_Max_Size (the held line
    // is always shorter than that, see split()).
    if (size < held + chunkSize) size = Math.max(size, Math.min(held + chunkSize, maxSize));
    if (size <= held) size = held + chunkSize;
    const next = Buffer.allocUnsafe(size);
    if (held > 0) this.buf.copy(next, 0, this.lineStart, this.len);
    this.base += this.lineStart;
    this.scanFrom = this.scanFrom >= this.lineStart ? this.scanFrom - this.lineStart : 0;
    if (this.skipping) this.skipFrom = Math.max(0, this.skipFrom - this.lineStart);
    this.lineStart = 0;
    this.len = held;
    this.buf = next;
  }
}

function grow(a: Uint32Array): Uint32Array {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}

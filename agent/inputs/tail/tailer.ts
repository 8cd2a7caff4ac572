// The tail input: discovers files, follows each through rotation, truncation and deletion, hands
// complete lines downstream in batches, and records offsets only once downstream has acknowledged
// them. See README.md for the behaviour and where it differs from Fluent Bit.
//
// Per file: active (its path still names it) -> rotated (renamed away; still read) or deleted
// (unlinked; still read while open) -> closed after Rotate_Wait without new bytes. A closed file is
// remembered (in memory and in the DB) while a scan still finds it or acks are outstanding, so a
// rotated file that still matches `Path` is not read again from the head.
import type { BigIntStats, FSWatcher } from 'node:fs';
import { close as closeCb, fstat as fstatCb, open as openCb, read as readCb, readlink, watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../../../common/log/logger.ts';
import { silentLogger } from '../../../common/log/logger.ts';
import { CommitTracker } from './commit-tracker.ts';
import { composeTag } from './config.ts';
import type { TailConfig } from './config.ts';
import { PathMatcher } from './discovery.ts';
import {
  FINGERPRINT_MAX,
  fingerprintOf,
  formatFileId,
  hashPrefix,
  identityOf,
  inodeKey,
  preadAsync,
  sameFile,
  sameInode,
} from './identity.ts';
import type { FileIdentity, Fingerprint } from './identity.ts';
import { OffsetsDb } from './offsets-db.ts';
import type { OffsetRow } from './offsets-db.ts';
import { LineSplitter } from './reader.ts';
import type { BatchSource, LineBatch, LongLineInfo } from './reader.ts';

export type TailFileState = 'active' | 'rotated' | 'deleted' | 'closed';

export interface TailEvent {
  readonly type: 'open' | 'rotate' | 'truncate' | 'delete' | 'close' | 'long_line' | 'forget';
  readonly path: string;
  readonly fileId: string | undefined;
  readonly offset?: number;
  readonly detail?: string;
}

export interface TailInputOptions {
  readonly config: TailConfig;
  /** Receives every batch of complete lines, synchronously; may call pause(). */
  readonly onBatch: (batch: LineBatch) => void;
  /** File lifecycle notifications (metrics, tests). */
  readonly onEvent?: (event: TailEvent) => void;
  readonly logger?: Logger;
  /** How often open files are stat'ed for growth, rotation and truncation. Default 250 ms. */
  readonly pollIntervalMs?: number;
  /** How often acknowledged offsets are written to the DB (one transaction). Default 1000 ms. */
  readonly dbFlushIntervalMs?: number;
  /** Largest read while catching up on a backlog. Default 256 KiB (Buffer_Chunk_Size when idle). */
  readonly readSize?: number;
  /** Use fs.watch as a hint for quicker pick-up (polling always runs too). Default true. */
  readonly watch?: boolean;
}

export interface TailMetrics {
  filesOpened: number;
  filesClosed: number;
  filesRotated: number;
  filesTruncated: number;
  filesDeleted: number;
  lines: number;
  bytesRead: number;
  longLinesSkipped: number;
  longLinesSplit: number;
  /** Commits for a fileId the input does not know (already forgotten, or never emitted). */
  commitsUnknown: number;
  consumerErrors: number;
}

export interface TailFileStatus {
  readonly path: string;
  readonly fileId: string | undefined;
  readonly state: TailFileState;
  /** Next byte to read. */
  readonly readOffset: number;
  /** Every byte before this has been handed downstream (or skipped). */
  readonly emittedOffset: number;
  /** Every byte before this has been acknowledged (what the DB gets). */
  readonly committedOffset: number;
}

interface Retired {
  readonly tracker: CommitTracker;
  readonly emittedEnd: number;
}

class TailedFile {
  path: string;
  readonly tag: string;
  readonly identity: FileIdentity;
  fd: number;
  rowId: number;
  gen: number;
  fp: Fingerprint | undefined;
  fileId: string | undefined;
  source: BatchSource;
  splitter: LineSplitter;
  tracker: CommitTracker;
  emittedEnd: number;
  state: TailFileState = 'active';
  /** ms timestamp of the last new byte (or of the rotation/deletion), for Rotate_Wait. */
  lastGrowth = Date.now();
  lastSize = -1;
  /** Closed and not found by the last scan (or deleted): may be forgotten once fully acked. */
  unseen = false;
  busy = false;
  /** kick() came while the pump was running. */
  rekick = false;
  pump: Promise<void> | undefined;
  dirty = false;

  constructor(
    path: string,
    tag: string,
    identity: FileIdentity,
    fd: number,
    rowId: number,
    gen: number,
    splitter: LineSplitter,
    start: number,
  ) {
    this.path = path;
    this.tag = tag;
    this.identity = identity;
    this.fd = fd;
    this.rowId = rowId;
    this.gen = gen;
    this.splitter = splitter;
    this.tracker = new CommitTracker(start);
    this.emittedEnd = start;
    this.fp = undefined;
    this.fileId = undefined;
    this.source = { fileId: '', path, tag };
  }
}

export class TailInput {
  readonly config: TailConfig;
  readonly metrics: TailMetrics = {
    filesOpened: 0,
    filesClosed: 0,
    filesRotated: 0,
    filesTruncated: 0,
    filesDeleted: 0,
    lines: 0,
    bytesRead: 0,
    longLinesSkipped: 0,
    longLinesSplit: 0,
    commitsUnknown: 0,
    consumerErrors: 0,
  };
  private readonly opts: TailInputOptions;
  private readonly log: Logger;
  private readonly matcher: PathMatcher;
  private readonly pollMs: number;
  private readonly readSize: number;
  private db: OffsetsDb | undefined;
  /** By inode key (dev:ino): every file open or remembered. */
  private readonly byInode = new Map<string, TailedFile>();
  private readonly byFileId = new Map<string, TailedFile>();
  /** Earlier truncation generations with acks outstanding (accounting only; no DB row). */
  private readonly retired = new Map<string, Retired>();
  private readonly opening = new Set<string>();
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly timers: NodeJS.Timeout[] = [];
  private paused = false;
  private started = false;
  private stopped = false;
  private inflight = 0;
  private scanning: Promise<void> | undefined;
  private rescan = false;
  private ticking = false;
  private initialScanDone = false;

  constructor(opts: TailInputOptions) {
    this.opts = opts;
    this.config = opts.config;
    this.log = opts.logger ?? silentLogger;
    this.matcher = new PathMatcher(this.config.paths, this.config.excludePaths);
    this.pollMs = opts.pollIntervalMs ?? 250;
    this.readSize = Math.max(opts.readSize ?? 256 * 1024, this.config.bufferChunkSize);
  }

  // ---- public surface ------------------------------------------------------------------------

  async start(): Promise<void> {
    if (this.started) throw new Error('tail input already started');
    this.started = true;
    const c = this.config;
    this.db = new OffsetsDb(c.db ?? ':memory:', {
      sync: c.dbSync,
      locking: c.dbLocking,
      journalMode: c.dbJournalMode,
    });
    await this.recoverRotated();
    await this.scan();
    this.initialScanDone = true;
    this.timers.push(setInterval(() => void this.tick(), this.pollMs));
    this.timers.push(setInterval(() => this.requestScan(), c.refreshIntervalMs));
    this.timers.push(setInterval(() => this.flushOffsets(), this.opts.dbFlushIntervalMs ?? 1000));
    for (const t of this.timers) t.unref();
    if (this.opts.watch !== false) for (const d of this.matcher.baseDirs()) this.watchDir(d);
  }

  /** Stops reading, writes acknowledged offsets, closes files and the DB. Held partial lines are
   * not emitted: they were not acknowledged, so the next start reads them again. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    await this.scanning;
    await Promise.all([...this.byInode.values()].map((f) => f.pump));
    this.flushOffsets();
    for (const f of this.byInode.values()) this.closeFd(f);
    this.db?.close();
  }

  /** Stop reading (downstream is full). Files keep their data; nothing is dropped. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.kickAll();
  }

  isPaused(): boolean {
    return this.paused || this.overLimit();
  }

  /** Bytes handed downstream and not yet acknowledged (what Mem_Buf_Limit bounds). */
  inflightBytes(): number {
    return this.inflight;
  }

  /**
   * Downstream has durably delivered the bytes [from, to) of `fileId` (a line: offsetStart(i) to
   * offsetEnd(i); a batch: startOffset to endOffset; a multiline record: its first line's start to
   * its last line's end). Acks may come in any order; the DB gets the end of the acknowledged prefix.
   */
  commit(fileId: string, from: number, to: number): void {
    const f = this.byFileId.get(fileId);
    if (f !== undefined) {
      const before = f.tracker.committed;
      if (f.tracker.ack(from, to)) {
        this.released(f.tracker.committed - before);
        f.dirty = true;
      }
      return;
    }
    const r = this.retired.get(fileId);
    if (r === undefined) {
      this.metrics.commitsUnknown++;
      return;
    }
    const before = r.tracker.committed;
    if (r.tracker.ack(from, to)) this.released(r.tracker.committed - before);
    if (r.tracker.committed >= r.emittedEnd) this.retired.delete(fileId);
  }

  commitBatch(batch: LineBatch): void {
    this.commit(batch.source.fileId, batch.startOffset, batch.endOffset);
  }

  commitLine(batch: LineBatch, i: number): void {
    this.commit(batch.source.fileId, batch.offsetStart(i), batch.offsetEnd(i));
  }

  /** Writes acknowledged offsets now (also done every dbFlushIntervalMs and at stop). */
  flushOffsets(): void {
    const db = this.db;
    if (db === undefined || !this.started) return;
    const updates: [number, number][] = [];
    for (const f of this.byInode.values()) {
      if (f.dirty) {
        updates.push([f.rowId, f.tracker.committed]);
        f.dirty = false;
      }
    }
    if (updates.length > 0) db.setOffsets(updates);
    this.purge();
  }

  files(): TailFileStatus[] {
    return [...this.byInode.values()].map((f) => ({
      path: f.path,
      fileId: f.fileId,
      state: f.state,
      readOffset: f.splitter.nextOffset(),
      emittedOffset: f.emittedEnd,
      committedOffset: f.tracker.committed,
    }));
  }

  /** Rescans `Path` now (also done every Refresh_Interval and on fs.watch hints). */
  scanNow(): Promise<void> {
    this.rescan = true;
    return this.scan();
  }

  // ---- discovery -----------------------------------------------------------------------------

  private requestScan(): void {
    if (this.stopped) return;
    void this.scan();
  }

  private scan(): Promise<void> {
    if (this.scanning !== undefined) {
      this.rescan = true;
      return this.scanning;
    }
    const run = async (): Promise<void> => {
      do {
        this.rescan = false;
        const paths = await this.matcher.scan();
        const seen = new Set<string>();
        for (const p of paths) {
          if (this.stopped) return;
          const key = await this.openPath(p, !this.initialScanDone);
          if (key !== undefined) seen.add(key);
        }
        this.forgetUnseen(seen);
      } while (this.rescan && !this.stopped);
    };
    this.scanning = run()
      .catch((err: unknown) => this.log.error('tail scan failed', { error: String(err) }))
      .finally(() => {
        this.scanning = undefined;
      });
    return this.scanning;
  }

  /**
   * Opens `path` unless its inode is already followed. Returns the inode key when the path names a
   * regular file. `initial`: found by the first scan (Read_from_Head applies).
   */
  private async openPath(path: string, initial: boolean): Promise<string | undefined> {
    if (this.opening.has(path)) return undefined;
    this.opening.add(path);
    let fd = -1;
    try {
      let st: BigIntStats;
      try {
        st = await stat(path, { bigint: true });
      } catch {
        return undefined;
      }
      if (!st.isFile()) return undefined;
      const key = inodeKey(identityOf(st));
      const known = this.byInode.get(key);
      if (known !== undefined && sameFile(known.identity, identityOf(st))) {
        if (known.state === 'closed' && st.size > BigInt(known.splitter.nextOffset())) {
          // A remembered (rotated, closed) file grew again and still matches: follow it again.
          await this.reopen(known, path);
        }
        return key;
      }
      fd = await openRead(path);
      // Identity from the open descriptor, not the path: the path may have been rotated since.
      const fst = await fstatBig(fd);
      const identity = identityOf(fst);
      const size = Number(fst.size);
      const k2 = inodeKey(identity);
      const again = this.byInode.get(k2);
      if (again !== undefined && again.state !== 'closed' && sameFile(again.identity, identity)) {
        closeFd(fd);
        return k2;
      }
      if (again !== undefined) this.drop(again, 'inode reused');
      const head = await preadAsync(fd, FINGERPRINT_MAX, 0);
      const f = this.adopt(path, identity, size, head, initial, fd);
      fd = -1;
      this.byInode.set(k2, f);
      if (f.fileId !== undefined) this.byFileId.set(f.fileId, f);
      this.metrics.filesOpened++;
      this.emit({ type: 'open', path, fileId: f.fileId, offset: f.splitter.nextOffset() });
      this.log.info('tail: following file', { path, offset: f.splitter.nextOffset(), fileId: f.fileId });
      if (this.opts.watch !== false) this.watchDir(dirname(path));
      this.kick(f);
      return k2;
    } catch (err) {
      this.log.warn('tail: cannot open file', { path, error: String(err) });
      return undefined;
    } finally {
      if (fd >= 0) closeFd(fd);
      this.opening.delete(path);
    }
  }

  /** Decides where to start in a newly opened file, from the DB or the Read_from_Head rules. */
  private adopt(
    path: string,
    identity: FileIdentity,
    size: number,
    head: Buffer,
    initial: boolean,
    fd: number,
  ): TailedFile {
    const db = this.mustDb();
    const c = this.config;
    const rows = db.byInode(identity.dev, identity.ino);
    const row = rows.find((r) => r.dev !== null) ?? rows.find((r) => r.dev === null && r.name === path);
    for (const r of rows) if (r !== row && r.dev !== null) db.delete(r.id);
    let start: number;
    let gen = 0;
    let fp: Fingerprint | undefined;
    let rowId: number;
    if (row !== undefined && this.rowMatches(row, identity, size, head)) {
      start = row.offset;
      gen = row.gen;
      fp = row.fp !== null ? { hash: row.fp, length: row.fpLen, complete: true } : fingerprintOf(head);
      rowId = row.id;
      if (row.dev === null || row.fp === null || row.rotated) {
        // A Fluent Bit row (adopted: it gets our columns) or one written before the first line.
        db.setIdentity(row.id, this.newRow(path, identity, start, fp, gen));
      }
    } else {
      if (row !== undefined) {
        // Same inode, different content: truncated or replaced while we were not running. Its
        // content is new to us, so it is read from the head; the generation keeps ids apart.
        start = 0;
        gen = row.gen + 1;
        fp = fingerprintOf(head);
        rowId = row.id;
        db.setIdentity(row.id, this.newRow(path, identity, start, fp, gen));
        this.log.warn('tail: file changed while not followed; reading it from the head', { path });
      } else {
        const fromHead = initial ? c.readFromHead : c.readNewlyDiscoveredFromHead;
        start = fromHead ? 0 : size;
        fp = fingerprintOf(head) ?? (start > 0 ? fingerprintOf(head, true) : undefined);
        rowId = db.insert(this.newRow(path, identity, start, fp, gen));
      }
    }
    const splitter = new LineSplitter(
      {
        chunkSize: c.bufferChunkSize,
        maxSize: c.bufferMaxSize,
        readSize: this.readSize,
        skipLongLines: c.skipLongLines,
        skipEmptyLines: c.skipEmptyLines,
      },
      start,
    );
    const f = new TailedFile(path, composeTag(c.tag, path), identity, fd, rowId, gen, splitter, start);
    splitter.onLongLine = (info) => this.longLine(f, info);
    if (fp !== undefined) this.setFingerprint(f, fp, false);
    return f;
  }

  private rowMatches(row: OffsetRow, identity: FileIdentity, size: number, head: Buffer): boolean {
    if (row.offset > size) return false;
    if (row.dev === null) return true; // Fluent Bit row: inode and name matched.
    const birth = row.birth ?? 0n;
    if (birth !== 0n && identity.birth !== 0n && birth !== identity.birth) return false;
    if (row.fp === null) return true;
    return row.fpLen <= head.length && hashPrefix(head.subarray(0, row.fpLen)) === row.fp;
  }

  private newRow(
    path: string,
    identity: FileIdentity,
    offset: number,
    fp: Fingerprint | undefined,
    gen: number,
  ) {
    return {
      name: path,
      offset,
      dev: identity.dev,
      ino: identity.ino,
      birth: identity.birth,
      fp: fp?.hash ?? null,
      fpLen: fp?.length ?? 0,
      gen,
    };
  }

  /**
   * After a crash during rotation the rotated file may hold lines that were read but never
   * acknowledged. Fluent Bit forgets rotated files at restart (loss); the DB here keeps their new
   * name, so they are reopened and finished.
   */
  private async recoverRotated(): Promise<void> {
    for (const row of this.mustDb().all()) {
      if (!row.rotated || row.dev === null) continue;
      try {
        const st = await stat(row.name, { bigint: true });
        if (!st.isFile() || st.dev !== row.dev || st.ino !== row.ino || Number(st.size) <= row.offset)
          continue;
        await this.openPath(row.name, false);
        const f = this.byInode.get(inodeKey(identityOf(st)));
        if (f !== undefined && !this.matcher.matches(row.name)) {
          f.state = 'rotated';
          f.lastGrowth = Date.now();
        }
      } catch {
        // Gone: nothing left to recover; the row is purged by the first scan.
      }
    }
  }

  /** Forget closed files no scan finds any more (and whose acks are complete), and their rows. */
  private forgetUnseen(seen: Set<string>): void {
    for (const [key, f] of this.byInode) f.unseen = f.state === 'closed' && !seen.has(key);
    this.purge();
    // Rows for inodes we do not follow at all (stale from an earlier run): Fluent Bit deletes them at
    // start too. Only after the first scan and recovery, so nothing in use is removed.
    const db = this.mustDb();
    for (const row of db.all()) {
      const key = `${row.dev ?? '?'}:${row.ino}`;
      if (!this.byInode.has(key)) db.delete(row.id);
    }
  }

  private purge(): void {
    for (const [key, f] of this.byInode) {
      if (f.state !== 'closed' || !f.unseen) continue;
      if (f.tracker.committed < f.emittedEnd) continue; // acks outstanding: keep the row
      this.byInode.delete(key);
      if (f.fileId !== undefined) this.byFileId.delete(f.fileId);
      this.mustDb().delete(f.rowId);
      this.emit({ type: 'forget', path: f.path, fileId: f.fileId });
    }
  }

  private drop(f: TailedFile, why: string): void {
    this.closeFd(f);
    this.byInode.delete(inodeKey(f.identity));
    if (f.fileId !== undefined) {
      this.byFileId.delete(f.fileId);
      if (f.tracker.committed < f.emittedEnd) {
        this.retired.set(f.fileId, { tracker: f.tracker, emittedEnd: f.emittedEnd });
      }
    }
    this.log.debug('tail: forgetting file', { path: f.path, why });
  }

  private async reopen(f: TailedFile, path: string): Promise<void> {
    const fd = await openRead(path);
    const fst = await fstatBig(fd);
    if (!sameFile(identityOf(fst), f.identity)) {
      closeFd(fd);
      return;
    }
    f.fd = fd;
    f.path = path;
    f.source = { fileId: f.fileId ?? '', path, tag: f.tag };
    f.state = this.matcher.matches(path) ? 'active' : 'rotated';
    f.lastGrowth = Date.now();
    this.kick(f);
  }

  // ---- reading -------------------------------------------------------------------------------

  private overLimit(): boolean {
    const limit = this.config.memBufLimit;
    return limit > 0 && this.inflight >= limit;
  }

  private canRead(): boolean {
    return !this.stopped && !this.paused && !this.overLimit();
  }

  private released(bytes: number): void {
    const wasOver = this.overLimit();
    this.inflight -= bytes;
    if (wasOver && !this.overLimit() && !this.paused) this.kickAll();
  }

  private kickAll(): void {
    for (const f of this.byInode.values()) this.kick(f);
  }

  private kick(f: TailedFile): void {
    if (f.fd < 0 || !this.canRead()) return;
    if (f.busy) {
      // The running pump may already have decided to stop (paused a moment ago): make sure it
      // looks again when it ends, instead of waiting for the next poll tick.
      f.rekick = true;
      return;
    }
    f.busy = true;
    f.pump = this.pump(f).finally(() => {
      f.busy = false;
      if (f.rekick) {
        f.rekick = false;
        this.kick(f);
      }
    });
  }

  private async pump(f: TailedFile): Promise<void> {
    try {
      while (this.canRead() && f.fd >= 0) {
        const s = f.splitter;
        const n = await readAt(f.fd, s.buffer(), s.writeIndex(), s.writable(), s.nextOffset());
        if (n === 0 || this.stopped) break;
        f.lastGrowth = Date.now();
        this.metrics.bytesRead += n;
        if (f.fileId === undefined) await this.establish(f, false);
        const batch = s.push(n, f.source);
        if (batch !== undefined) await this.deliver(f, batch);
      }
    } catch (err) {
      this.log.warn('tail: read failed', { path: f.path, error: String(err) });
    }
  }

  /** The fingerprint (so the fileId) is fixed before the first line of a file goes out. */
  private async establish(f: TailedFile, final: boolean): Promise<void> {
    const head = await preadAsync(f.fd, FINGERPRINT_MAX, 0);
    const fp = fingerprintOf(head, final);
    if (fp !== undefined) this.setFingerprint(f, fp, true);
  }

  private setFingerprint(f: TailedFile, fp: Fingerprint, persist: boolean): void {
    f.fp = fp;
    f.fileId = formatFileId(f.identity, fp, f.gen);
    f.source = { fileId: f.fileId, path: f.path, tag: f.tag };
    this.byFileId.set(f.fileId, f);
    if (persist) {
      this.mustDb().setIdentity(f.rowId, this.newRow(f.path, f.identity, f.tracker.committed, fp, f.gen));
    }
  }

  private async deliver(f: TailedFile, batch: LineBatch): Promise<void> {
    let b = batch;
    if (b.count > 0 && f.fileId === undefined) {
      // Only when a line is cut before any newline exists (Buffer_Max_Size below 256 bytes) or at
      // close: fix the fingerprint on what is there.
      await this.establish(f, true);
      b = b.withSource(f.source);
    }
    this.inflight += b.endOffset - b.startOffset;
    f.emittedEnd = b.endOffset;
    const before = f.tracker.committed;
    const gaps = b.gaps;
    let moved = false;
    for (let i = 0; i < gaps.length; i += 2) {
      if (f.tracker.ack(gaps[i] ?? 0, gaps[i + 1] ?? 0)) moved = true;
    }
    if (moved) {
      this.released(f.tracker.committed - before);
      f.dirty = true;
    }
    if (b.count === 0) return;
    this.metrics.lines += b.count;
    try {
      this.opts.onBatch(b);
    } catch (err) {
      // A consumer bug must not stop the file; the lines stay unacknowledged (re-read next start).
      this.metrics.consumerErrors++;
      this.log.error('tail: batch consumer threw', { path: f.path, error: String(err) });
    }
  }

  private longLine(f: TailedFile, info: LongLineInfo): void {
    if (info.action === 'skip') this.metrics.longLinesSkipped++;
    else this.metrics.longLinesSplit++;
    const detail =
      info.action === 'skip'
        ? `line longer than Buffer_Max_Size (${this.config.bufferMaxSize} bytes) skipped (Skip_Long_Lines on)`
        : `line longer than Buffer_Max_Size (${this.config.bufferMaxSize} bytes) emitted in fragments`;
    this.log.warn(`tail: ${detail}`, { path: f.path, offset: info.offsetStart });
    this.emit({ type: 'long_line', path: f.path, fileId: f.fileId, offset: info.offsetStart, detail });
  }

  // ---- following: growth, rotation, truncation, deletion ----------------------------------------

  private async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      for (const f of [...this.byInode.values()]) {
        if (f.fd < 0 || f.busy || this.stopped) continue;
        f.busy = true;
        try {
          await this.check(f);
        } catch (err) {
          this.log.warn('tail: check failed', { path: f.path, error: String(err) });
        } finally {
          f.busy = false;
        }
        // Only files with bytes beyond our offset: an idle file costs two stats per poll, no read.
        if (f.lastSize > f.splitter.nextOffset()) this.kick(f);
      }
    } finally {
      this.ticking = false;
    }
  }

  private async check(f: TailedFile): Promise<void> {
    const st = await fstatBig(f.fd);
    const size = Number(st.size);
    const readOffset = f.splitter.nextOffset();
    if (size < readOffset) {
      await this.truncated(f, `size ${size} < offset ${readOffset}`);
    } else if (f.fp !== undefined && size !== f.lastSize && size >= f.fp.length) {
      // Truncated and written past our offset again between two looks (copytruncate under load):
      // the size alone cannot tell, the head can.
      const head = await preadAsync(f.fd, f.fp.length, 0);
      if (hashPrefix(head) !== f.fp.hash) await this.truncated(f, 'first line changed');
    }
    f.lastSize = size;

    if (st.nlink === 0n && f.state !== 'deleted') {
      f.state = 'deleted';
      f.lastGrowth = Date.now();
      this.metrics.filesDeleted++;
      this.log.info('tail: file deleted; finishing it', { path: f.path });
      this.emit({ type: 'delete', path: f.path, fileId: f.fileId });
      // Deleted and created again under the same name: pick the new one up now.
      if (this.matcher.matches(f.path)) void this.openPath(f.path, false);
    } else if (f.state === 'active') {
      await this.checkRotation(f);
    }

    if (f.state === 'rotated' || f.state === 'deleted') {
      const idle = Date.now() - f.lastGrowth;
      if (size <= f.splitter.nextOffset() && idle >= this.config.rotateWaitMs) await this.finish(f);
    }
  }

  private async checkRotation(f: TailedFile): Promise<void> {
    let now: BigIntStats | undefined;
    try {
      now = await stat(f.path, { bigint: true });
    } catch {
      now = undefined;
    }
    if (now !== undefined && sameInode(identityOf(now), f.identity)) return;
    // The path no longer names this file: renamed away (rotation) and maybe replaced.
    f.state = 'rotated';
    f.lastGrowth = Date.now();
    const newName = await fdPath(f.fd);
    const old = f.path;
    if (newName !== undefined) {
      f.path = newName;
      f.source = { fileId: f.fileId ?? '', path: newName, tag: f.tag };
      this.mustDb().markRotated(f.rowId, newName);
    }
    this.metrics.filesRotated++;
    this.log.info('tail: file rotated; finishing it', { path: old, newPath: newName ?? '?' });
    this.emit({ type: 'rotate', path: old, fileId: f.fileId, detail: newName ?? '' });
    // The new file at the old path is picked up now, from its head (it appeared after start).
    if (now !== undefined && this.matcher.matches(old)) void this.openPath(old, false);
  }

  private async truncated(f: TailedFile, why: string): Promise<void> {
    this.metrics.filesTruncated++;
    this.log.warn('tail: file truncated (copytruncate?); reading it again from the head', {
      path: f.path,
      offset: f.splitter.nextOffset(),
      why,
    });
    this.emit({ type: 'truncate', path: f.path, fileId: f.fileId, offset: f.splitter.nextOffset() });
    // The held partial line was in the file before the truncation (and in the copy): send it.
    const rest = f.splitter.flush(f.source);
    if (rest !== undefined) await this.deliver(f, rest);
    if (f.fileId !== undefined) {
      this.byFileId.delete(f.fileId);
      if (f.tracker.committed < f.emittedEnd) {
        this.retired.set(f.fileId, { tracker: f.tracker, emittedEnd: f.emittedEnd });
      }
    }
    // Bytes handed out but unacked stay counted in `inflight` via the retired tracker.
    f.gen++;
    f.fp = undefined;
    f.fileId = undefined;
    f.source = { fileId: '', path: f.path, tag: f.tag };
    f.splitter.reset(0);
    f.tracker = new CommitTracker(0);
    f.emittedEnd = 0;
    f.lastSize = -1;
    const head = await preadAsync(f.fd, FINGERPRINT_MAX, 0);
    const fp = fingerprintOf(head);
    this.mustDb().setIdentity(f.rowId, this.newRow(f.path, f.identity, 0, fp, f.gen));
    if (fp !== undefined) this.setFingerprint(f, fp, false);
  }

  /** Rotated or deleted, read to EOF and quiet for Rotate_Wait: emit the held partial line, close. */
  private async finish(f: TailedFile): Promise<void> {
    const rest = f.splitter.flush(f.source);
    if (rest !== undefined) await this.deliver(f, rest);
    this.closeFd(f);
    // A deleted file will not be seen again; a rotated one is kept while scans still find it.
    f.unseen = f.state === 'deleted';
    f.state = 'closed';
    this.metrics.filesClosed++;
    this.log.info('tail: file closed', { path: f.path, offset: f.splitter.nextOffset() });
    this.emit({ type: 'close', path: f.path, fileId: f.fileId, offset: f.splitter.nextOffset() });
    this.purge();
  }

  private closeFd(f: TailedFile): void {
    if (f.fd >= 0) closeFd(f.fd);
    f.fd = -1;
  }

  // ---- fs.watch hints ------------------------------------------------------------------------

  private watchDir(dir: string): void {
    if (this.watchers.has(dir) || this.stopped) return;
    try {
      const w = watch(dir, { persistent: false }, (event, name) => this.hint(dir, event, name));
      w.on('error', () => {
        w.close();
        this.watchers.delete(dir);
      });
      this.watchers.set(dir, w);
    } catch {
      // Not watchable (missing, no inotify): polling covers it.
    }
  }

  private hint(dir: string, event: string, name: string | null): void {
    if (this.stopped) return;
    const path = name === null ? undefined : join(dir, name);
    let known = false;
    for (const f of this.byInode.values()) {
      if (f.path === path) {
        known = true;
        this.kick(f);
      }
    }
    // Created, renamed or deleted: look now rather than at the next poll / Refresh_Interval.
    if (path === undefined || event === 'rename' || (!known && this.matcher.matches(path))) {
      void this.tick();
      this.requestScan();
    }
  }

  private emit(e: TailEvent): void {
    this.opts.onEvent?.(e);
  }

  private mustDb(): OffsetsDb {
    if (this.db === undefined) throw new Error('tail input not started');
    return this.db;
  }
}

function readAt(fd: number, buf: Buffer, at: number, len: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    readCb(fd, buf, at, len, position, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

// Raw descriptors through the callback API, not FileHandle: a FileHandle that is garbage collected
// closes its descriptor, and ours live in plain numbers for the whole life of a file.
function fstatBig(fd: number): Promise<BigIntStats> {
  return new Promise((resolve, reject) => {
    fstatCb(fd, { bigint: true }, (err, st) => (err ? reject(err) : resolve(st)));
  });
}

function openRead(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    openCb(path, 'r', (err, fd) => (err ? reject(err) : resolve(fd)));
  });
}

/** The current name of an open file (Linux /proc), to record where a rotated file went. */
function fdPath(fd: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    readlink(`/proc/self/fd/${fd}`, (err, target) => {
      if (err || target.endsWith(' (deleted)')) resolve(undefined);
      else resolve(target);
    });
  });
}

function closeFd(fd: number): void {
  closeCb(fd, () => undefined);
}

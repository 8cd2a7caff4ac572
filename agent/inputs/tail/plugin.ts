// The tail input as an engine plugin: each LineBatch (one file, many lines) becomes one chunk.
// Lines go through `Parser` or `multiline.parser`; every event gets an `event.id` from the file's
// identity and the line's offset (so a re-read after a crash gives the same ids and the collector's
// idempotent writes absorb it); and the batch's bytes are committed to the DB only once every
// output has delivered the chunk.
import { availableParallelism } from 'node:os';
import { getBool, getList, getString } from '../../config/access.ts';
import type { InputInstance } from '../../config/types.ts';
import { EncodedChunk } from '../../engine/encoded-chunk.ts';
import { EVENT_ID_KEY } from '../../engine/types.ts';
import type {
  Chunk,
  InputFactory,
  InputHost,
  InputPlugin,
  LogEvent,
  PluginContext,
} from '../../engine/types.ts';
import type { MultilineFactory, MultilineParser, Parser, ParseResult } from '../../parsers/index.ts';
import { multilineFromConfig, parserFromConfig, parserSpecFromConfig } from '../../parsers/from-config.ts';
import { tailConfigFromValues } from './config.ts';
import type { TailConfig } from './config.ts';
import { lineEventId } from './identity.ts';
import { ParsePool } from './parse-pool.ts';
import { buildLineEvents, type LineView, type RecordKeys } from './record-builder.ts';
import type { LineBatch } from './reader.ts';
import { TailInput } from './tailer.ts';

/** Per-file multiline state: the parser instance and which bytes its emitted records cover. */
interface MultilineFile {
  readonly parser: MultilineParser;
  fileId: string;
  tag: string;
  path: string;
  /** Every byte before this belongs to an emitted record (or a gap). */
  emittedTo: number;
  /** Records emitted since emittedTo last moved (their ids' suffix). */
  ordinal: number;
  /** End of the last line pushed. */
  lastEnd: number;
  /** Settles once every chunk emitted so far for this file is delivered and committed. */
  delivered: Promise<void>;
}

class TailPlugin implements InputPlugin {
  private readonly tail: TailInput;
  private readonly config: TailConfig;
  private readonly host: InputHost;
  private readonly parser: Parser | undefined;
  private readonly multiline: MultilineFactory | undefined;
  private readonly mlFiles = new Map<string, MultilineFile>();
  private readonly keys: RecordKeys;
  /** Parse workers; undefined with multiline, without a parser, or with `Threaded off`. */
  private readonly pool: ParsePool | undefined;
  /** Paused by the engine (Mem_Buf_Limit), as opposed to by a full parse pool. */
  private paused = false;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(instance: InputInstance, ctx: PluginContext, host: InputHost) {
    this.host = host;
    // The engine bounds memory for every input alike (Mem_Buf_Limit), so the tail core does not.
    this.config = { ...tailConfigFromValues(instance.values, instance.tag), memBufLimit: 0 };
    this.keys = { key: this.config.key, pathKey: this.config.pathKey, offsetKey: this.config.offsetKey };
    const parserName = getString(instance.values, 'parser');
    this.parser = parserName === undefined ? undefined : parserFromConfig(ctx.config, parserName);
    const ml = getList(instance.values, 'multiline.parser');
    this.multiline = ml === undefined || ml.length === 0 ? undefined : multilineFromConfig(ctx.config, ml);
    // `Threaded On` (Fluent Bit's key; off by default there and here) parses in worker threads.
    // Measured on 2 cores it buys little (see test/bench/README.md), so it stays opt-in.
    const threaded = getBool(instance.values, 'threaded') === true;
    if (parserName !== undefined && this.multiline === undefined && threaded && availableParallelism() > 1) {
      this.pool = new ParsePool(
        Math.min(4, availableParallelism()),
        { keys: this.keys, parser: parserSpecFromConfig(ctx.config, parserName) },
        ctx.logger,
      );
      this.pool.onAvailable = () => {
        if (!this.paused) this.tail.resume();
      };
    }
    this.tail = new TailInput({
      config: this.config,
      logger: ctx.logger,
      onBatch: (batch) => (this.multiline === undefined ? this.onLines(batch) : this.onMultiline(batch)),
      onEvent: (event) => {
        if ((event.type === 'close' || event.type === 'forget') && event.fileId !== undefined) {
          this.flushFile(event.fileId);
          this.mlFiles.delete(event.fileId);
        }
      },
    });
  }

  async start(): Promise<void> {
    await this.tail.start();
    if (this.multiline !== undefined) {
      const every = Math.max(50, Math.min(1000, this.multiline.flushTimeoutMs / 2));
      this.flushTimer = setInterval(() => this.flushExpired(), every);
      this.flushTimer.unref();
    }
  }

  pause(): void {
    this.paused = true;
    this.tail.pause();
  }

  resume(): void {
    this.paused = false;
    if (this.pool?.isFull() !== true) this.tail.resume();
  }

  async stop(): Promise<void> {
    clearInterval(this.flushTimer);
    await this.tail.stop();
    await this.pool?.close();
  }

  private onLines(batch: LineBatch): void {
    if (batch.count === 0) {
      this.tail.commitBatch(batch);
      return;
    }
    const lines: LineView = {
      data: batch.data,
      starts: batch.starts,
      ends: batch.ends,
      count: batch.count,
      base: batch.base,
      fileId: batch.source.fileId,
      path: batch.source.path,
    };
    const bytes = batch.endOffset - batch.startOffset;
    const tag = batch.source.tag;
    const onDelivered = (): void => this.tail.commitBatch(batch);
    const pool = this.pool;
    if (pool === undefined || pool.isBroken()) {
      const events = buildLineEvents(this.keys, this.parser, lines, Date.now());
      this.host.ingest({ tag, events, bytes }, { onDelivered });
      return;
    }
    pool.submit(lines, Date.now(), (encoded) => {
      const chunk: Chunk =
        encoded === undefined
          ? { tag, events: buildLineEvents(this.keys, this.parser, lines, Date.now()), bytes }
          : new EncodedChunk(tag, encoded, bytes);
      this.host.ingest(chunk, { onDelivered });
    });
    if (pool.isFull()) this.tail.pause();
  }

  private onMultiline(batch: LineBatch): void {
    const fileId = batch.source.fileId;
    let f = this.mlFiles.get(fileId);
    if (f === undefined) {
      f = {
        parser: (this.multiline as MultilineFactory).create(),
        fileId,
        tag: batch.source.tag,
        path: batch.source.path,
        emittedTo: batch.startOffset,
        ordinal: 0,
        lastEnd: batch.startOffset,
        delivered: Promise.resolve(),
      };
      this.mlFiles.set(fileId, f);
    }
    f.path = batch.source.path;
    const events: LogEvent[] = [];
    const now = nowTime();
    const parser = f.parser;
    for (let i = 0; i < batch.count; i++) {
      parser.mark = batch.offsetStart(i);
      this.collect(f, parser.push(batch.text(i), now), events, now);
      f.lastEnd = batch.offsetEnd(i);
    }
    this.emit(f, events, parser.pendingMark ?? batch.endOffset);
  }

  /**
   * Event ids of multiline records: the file id, where the bytes not yet emitted start, and the
   * record's ordinal among those emitted together. Re-reading after a restart starts at the same
   * committed offset and joins the same lines, so it gives the same ids.
   */
  private collect(f: MultilineFile, results: readonly ParseResult[], out: LogEvent[], now: NowTime): void {
    for (const r of results) {
      const record = r.record;
      if (this.config.pathKey !== undefined) record[this.config.pathKey] = f.path;
      if (record[EVENT_ID_KEY] === undefined) {
        record[EVENT_ID_KEY] = `${lineEventId(f.fileId, f.emittedTo)}.${f.ordinal++}`;
      }
      out.push({ sec: r.time?.seconds ?? now.sec, nsec: r.time?.nanoseconds ?? now.nsec, record });
    }
  }

  /**
   * Hands records to the engine with the byte range they close. Records of interleaved streams
   * (docker/cri stdout and stderr) complete out of file order, so a range is committed only after
   * this chunk and every earlier one of the file were delivered: a later record's delivery never
   * commits the lines of an earlier one still in flight.
   */
  private emit(f: MultilineFile, events: LogEvent[], boundary: number): void {
    const from = f.emittedTo;
    const to = Math.max(from, boundary);
    if (to > from) {
      f.emittedTo = to;
      f.ordinal = 0;
    }
    if (events.length === 0 && to === from) return;
    const fileId = f.fileId;
    const delivered =
      events.length === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) =>
            this.host.ingest({ tag: f.tag, events, bytes: to - from }, { onDelivered: resolve }),
          );
    f.delivered = Promise.all([f.delivered, delivered]).then(() => {
      if (to > from) this.tail.commit(fileId, from, to);
    });
  }

  private flushExpired(): void {
    const now = Date.now();
    for (const f of this.mlFiles.values()) {
      if (f.parser.pendingSince === undefined) continue;
      const results = f.parser.flushExpired(now);
      if (results.length === 0) continue;
      const events: LogEvent[] = [];
      this.collect(f, results, events, nowTime());
      this.emit(f, events, f.parser.pendingMark ?? f.lastEnd);
    }
  }

  private flushFile(fileId: string): void {
    const f = this.mlFiles.get(fileId);
    if (f === undefined) return;
    const events: LogEvent[] = [];
    this.collect(f, f.parser.flush(), events, nowTime());
    this.emit(f, events, f.lastEnd);
  }
}

interface NowTime {
  sec: number;
  nsec: number;
  seconds: number;
  nanoseconds: number;
}

function nowTime(): NowTime {
  const ms = Date.now();
  const sec = Math.floor(ms / 1000);
  const nsec = (ms - sec * 1000) * 1_000_000;
  return { sec, nsec, seconds: sec, nanoseconds: nsec };
}

export const createTailInput: InputFactory = (instance, ctx, host) => new TailPlugin(instance, ctx, host);

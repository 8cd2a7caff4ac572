// `storage.type filesystem` for one input: its chunks live in a common/queue DiskQueue under
// `storage.path/<input>`, one cursor per output, so they survive restarts and are replayed, and a
// chunk is deleted only once every output it was routed to has delivered it. A stored chunk is
// `u16 routes length | routes (output names, '\n'-separated) | PackedForward frame`: the Forward
// codec is already fuzzed and handles EventTime, so the disk format needs no codec of its own.
import { decodeFrame, encodePackedForward, EventTime } from '../../common/forward/index.ts';
import type { EntryInput } from '../../common/forward/index.ts';
import { DiskQueue } from '../../common/queue/index.ts';
import type { FsyncPolicy, QueueLogger } from '../../common/queue/index.ts';
import { EncodedChunk } from './encoded-chunk.ts';
import type { Chunk, LogEvent } from './types.ts';

export interface ChunkStoreOptions {
  readonly dir: string;
  /** Every output instance that may read this input's chunks. */
  readonly outputs: readonly string[];
  readonly fsync: FsyncPolicy;
  readonly maxBytes: number | undefined;
  readonly logger: QueueLogger;
}

/** Hands a stored chunk to an output; resolves when the output ended it (delivered or dropped). */
export type StoredChunkHandler = (output: string, chunk: Chunk, seq: number) => Promise<void>;

const READ_LIMITS = { maxRecords: 64, maxBytes: 4 * 1024 * 1024 } as const;

/** Cursor names allow fewer characters than instance names (`es.0` is fine, an Alias may not be). */
export function cursorName(output: string): string {
  return output.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100);
}

export function toEntries(events: readonly LogEvent[]): EntryInput[] {
  const out = new Array<EntryInput>(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as LogEvent;
    out[i] = { time: new EventTime(e.sec, e.nsec), record: e.record };
  }
  return out;
}

export function encodeStoredChunk(chunk: Chunk, routes: readonly string[]): Buffer[] {
  const routeBytes = Buffer.from(routes.join('\n'));
  const head = Buffer.allocUnsafe(2);
  head.writeUInt16BE(routeBytes.length);
  const stream = chunk.encoded?.stream ?? toEntries(chunk.events);
  return [head, routeBytes, encodePackedForward(chunk.tag, stream)];
}

export function decodeStoredChunk(payload: Buffer): { routes: string[]; chunk: Chunk } {
  if (payload.length < 2) throw new Error('stored chunk shorter than its header');
  const routesLength = payload.readUInt16BE(0);
  if (2 + routesLength > payload.length) throw new Error('stored chunk truncated in its routes');
  const routes = payload.toString('utf8', 2, 2 + routesLength).split('\n');
  const frame = decodeFrame(payload.subarray(2 + routesLength));
  const encoded = { stream: frame.eventStream(), count: frame.entryCount };
  return { routes, chunk: new EncodedChunk(frame.tag, encoded, frame.byteLength) };
}

export class ChunkStore {
  readonly queue: DiskQueue;
  private readonly outputs: readonly string[];
  private readonly aborter = new AbortController();
  private readers: Promise<void>[] = [];

  private constructor(queue: DiskQueue, outputs: readonly string[]) {
    this.queue = queue;
    this.outputs = outputs;
  }

  static async open(options: ChunkStoreOptions): Promise<ChunkStore> {
    const queue = await DiskQueue.open({
      dir: options.dir,
      cursors: options.outputs.map(cursorName),
      fsync: options.fsync,
      ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
      // A chunk that cannot be read back is skipped and counted rather than blocking the input forever.
      onCorruptRecord: 'skip',
      logger: options.logger,
    });
    return new ChunkStore(queue, options.outputs);
  }

  /** Durably stores a chunk; resolves with its sequence number. Rejects with QueueFullError when full. */
  async append(chunk: Chunk, routes: readonly string[]): Promise<number> {
    const position = await this.queue.append(encodeStoredChunk(chunk, routes));
    return position.seq;
  }

  /**
   * One reader per output, in order: a batch is committed only after the output ended every chunk
   * in it. A chunk that passed its CRC but does not decode (a bug, not a disk fault) is reported and
   * skipped, so one bad chunk never blocks an output.
   */
  startReaders(handle: StoredChunkHandler, onError: (output: string, error: Error) => void): void {
    const aborted = new Promise<void>((resolve) =>
      this.aborter.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    this.readers = this.outputs.map((output) =>
      this.read(output, handle, onError, aborted).catch((e: unknown) => onError(output, e as Error)),
    );
  }

  private async read(
    output: string,
    handle: StoredChunkHandler,
    onError: (output: string, error: Error) => void,
    aborted: Promise<void>,
  ): Promise<void> {
    const cursor = this.queue.cursor(cursorName(output));
    const signal = this.aborter.signal;
    for await (const records of cursor.batches({ ...READ_LIMITS, signal })) {
      const pending: Promise<void>[] = [];
      for (const record of records) {
        let decoded;
        try {
          decoded = decodeStoredChunk(record.payload);
        } catch (error) {
          onError(
            output,
            new Error(`stored chunk ${record.position.seq} skipped: ${(error as Error).message}`),
          );
          continue;
        }
        if (decoded.routes.includes(output)) pending.push(handle(output, decoded.chunk, record.position.seq));
      }
      // At shutdown chunks still retrying are left un-ended: stop waiting, commit nothing.
      await Promise.race([Promise.all(pending), aborted]);
      if (signal.aborted) return;
      const last = records[records.length - 1];
      if (last !== undefined) await cursor.commit(last.position);
    }
  }

  async close(): Promise<void> {
    this.aborter.abort();
    await Promise.all(this.readers);
    await this.queue.close();
  }
}

// Chunk → one Forward frame, as Fluent Bit's out_forward sends it: PackedForward
// `[tag, bin(entries), {size, chunk?, compressed?}]`, times as EventTime (or integers).
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { MsgpackWriter, encodePackedForward, newChunkId } from '../../../common/forward/index.ts';
import type { ForwardOptions } from '../../../common/forward/index.ts';
import { eventCount } from '../../engine/types.ts';
import type { Chunk, LogEvent } from '../../engine/types.ts';
import type { ForwardSettings } from './types.ts';

const gzipAsync = promisify(gzip);

const MAX_U32 = 0xffffffff;
const INITIAL_BYTES = 64 * 1024;
// A scratch buffer grown by one huge chunk is not kept for the small ones after it.
const KEEP_BYTES = 8 * 1024 * 1024;

export type EncodeSettings = Pick<
  ForwardSettings,
  'timeAsInteger' | 'sendOptions' | 'requireAck' | 'compress' | 'tag'
>;

export interface EncodedChunk {
  readonly frame: Buffer;
  /** The ack id the frame carries, when acks are on. */
  readonly chunkId: string | undefined;
}

/**
 * Encodes chunks for one worker. The entries are written straight into a scratch buffer that is
 * reused from chunk to chunk, then copied once into the frame; so one encoder must not encode two
 * chunks at the same time (a worker flushes one chunk at a time).
 */
export class ForwardEncoder {
  private out = new MsgpackWriter(INITIAL_BYTES);

  async encode(chunk: Chunk, settings: EncodeSettings): Promise<EncodedChunk> {
    // A chunk encoded by an input worker is already the entries Forward sends (EventTime times).
    const stream =
      chunk.encoded !== undefined && !settings.timeAsInteger
        ? chunk.encoded.stream
        : this.eventStream(chunk.events, settings.timeAsInteger);
    try {
      const withOptions = settings.sendOptions || settings.requireAck || settings.compress;
      const chunkId = settings.requireAck ? newChunkId() : undefined;
      const options: ForwardOptions = {};
      if (withOptions) options.size = eventCount(chunk);
      if (chunkId !== undefined) options.chunk = chunkId;
      if (settings.compress) options.compressed = 'gzip';
      // Compressed on the thread pool: a multi-megabyte chunk would otherwise stall the event loop.
      const payload = settings.compress ? await gzipAsync(stream) : stream;
      return { frame: encodePackedForward(settings.tag ?? chunk.tag, payload, options), chunkId };
    } finally {
      if (this.out.buf.length > KEEP_BYTES) this.out = new MsgpackWriter(INITIAL_BYTES);
    }
  }

  /** MessagePackEventStream of the events: a view of the scratch buffer, valid until the next call. */
  eventStream(events: readonly LogEvent[], timeAsInteger: boolean): Buffer {
    const out = this.out;
    out.pos = 0;
    for (const event of events) {
      out.ensure(15);
      const buf = out.buf;
      let p = out.pos;
      buf[p++] = 0x92;
      // Out-of-range times cannot be sent as EventTime; clamping keeps the chunk deliverable.
      const sec = event.sec >= 0 ? (event.sec <= MAX_U32 ? Math.floor(event.sec) : MAX_U32) : 0;
      if (timeAsInteger) {
        if (sec < 0x80) {
          buf[p++] = sec;
        } else {
          buf[p++] = 0xce;
          buf.writeUInt32BE(sec, p);
          p += 4;
        }
      } else {
        const nsec = event.nsec >= 0 && event.nsec < 1e9 ? Math.floor(event.nsec) : 0;
        buf[p++] = 0xd7;
        buf[p++] = 0x00;
        buf.writeUInt32BE(sec, p);
        buf.writeUInt32BE(nsec, p + 4);
        p += 8;
      }
      out.pos = p;
      out.value(event.record);
    }
    return out.buf.subarray(0, out.pos);
  }
}

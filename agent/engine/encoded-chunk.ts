// A chunk that arrives as msgpack (Forward entries made in a worker thread). Outputs that send
// msgpack use the bytes; only a filter or an output that needs objects (stdout, es) pays for
// decoding, once.
import { parseEventStream } from '../../common/forward/index.ts';
import type { Chunk, EncodedEvents, LogEvent } from './types.ts';

export class EncodedChunk implements Chunk {
  readonly tag: string;
  readonly bytes: number;
  readonly encoded: EncodedEvents;
  private decoded: LogEvent[] | undefined;

  constructor(tag: string, encoded: EncodedEvents, bytes: number) {
    this.tag = tag;
    this.encoded = encoded;
    this.bytes = bytes;
  }

  get events(): readonly LogEvent[] {
    if (this.decoded === undefined) {
      const frame = parseEventStream(this.tag, this.encoded.stream);
      const entries = frame.decodeEntries();
      const events = new Array<LogEvent>(entries.length);
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i] as (typeof entries)[number];
        events[i] = { sec: e.time.seconds, nsec: e.time.nanoseconds, record: e.record };
      }
      this.decoded = events;
    }
    return this.decoded;
  }
}

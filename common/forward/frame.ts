import type { EntryIndex, ForwardEntry } from './entry.ts';
import { decodeIndexedEntry } from './entry.ts';
import { ForwardProtocolError } from './errors.ts';
import { parseForward } from './forward.ts';
import type { DecodeLimits } from './limits.ts';
import { resolveLimits } from './limits.ts';
import type { ParsedEntries } from './message.ts';
import { parseMessage } from './message.ts';
import { MsgpackReader } from './msgpack-reader.ts';
import { resetEventTimes, skippedEventTimes } from './msgpack-scan.ts';
import type { ForwardOptions } from './options.ts';
import type { PackedEnvelope } from './packed-forward.ts';
import { inflate, inflateSync, parsePackedEnvelope, scanEventStream } from './packed-forward.ts';

export type ForwardMode = 'Message' | 'Forward' | 'PackedForward' | 'CompressedPackedForward';

interface FrameInit {
  mode: ForwardMode;
  tag: string;
  options: ForwardOptions;
  byteLength: number;
  buf: Uint8Array;
  index: EntryIndex;
  hasEventTime: boolean;
  sizeMismatch?: boolean;
}

/**
 * A validated frame. Validation is complete when you hold one: every entry has a valid time and a map
 * record within limits, so `decodeEntry` cannot fail. Nothing is materialised until asked for:
 *
 * - `decodeEntries()` / `decodeEntry(i)`: plain objects (msgpackr).
 * - `rawEntry(i)` / `rawEntries()`: the msgpack bytes of each `[time, record]` entry, zero-copy except in
 *   Message mode (which has no entry array on the wire).
 * - `eventStream()`: all entries as one MessagePackEventStream, zero-copy except in Message mode.
 *
 * Returned bytes are views of the frame's (or the inflated payload's) memory, which is never reused, so
 * they may be kept, e.g. written to a durable queue and decoded later with `parseEventStream`.
 */
export class ForwardFrame {
  readonly mode: ForwardMode;
  readonly tag: string;
  readonly options: ForwardOptions;
  readonly entryCount: number;
  /** Size of the frame on the wire. */
  readonly byteLength: number;
  /** The sender's `size` option disagreed with the entries actually present (tolerated, counted). */
  readonly sizeMismatch: boolean;
  private readonly buf: Uint8Array;
  private readonly index: EntryIndex;
  private readonly hasEventTime: boolean;

  constructor(init: FrameInit) {
    this.mode = init.mode;
    this.tag = init.tag;
    this.options = init.options;
    this.entryCount = init.index.count;
    this.byteLength = init.byteLength;
    this.sizeMismatch = init.sizeMismatch ?? false;
    this.buf = init.buf;
    this.index = init.index;
    this.hasEventTime = init.hasEventTime;
  }

  /** The ack id, when the sender asked for an ack. */
  get chunk(): string | undefined {
    return this.options.chunk;
  }

  decodeEntry(i: number): ForwardEntry {
    this.check(i);
    return decodeIndexedEntry(this.tag, this.buf, this.index, i, this.hasEventTime);
  }

  decodeEntries(): ForwardEntry[] {
    const out = new Array<ForwardEntry>(this.entryCount);
    for (let i = 0; i < this.entryCount; i++) {
      out[i] = decodeIndexedEntry(this.tag, this.buf, this.index, i, this.hasEventTime);
    }
    return out;
  }

  /** Msgpack bytes of entry `i` as `[time, record]` (time possibly `[time, metadata]`). */
  rawEntry(i: number): Uint8Array {
    this.check(i);
    const start = this.index.entryStart(i);
    const timeStart = this.index.timeStart(i);
    const end = this.index.recordEnd(i);
    if (start !== timeStart) return this.buf.subarray(start, end);
    const out = Buffer.allocUnsafe(1 + end - timeStart);
    out[0] = 0x92;
    out.set(this.buf.subarray(timeStart, end), 1);
    return out;
  }

  rawEntries(): Uint8Array[] {
    const out = new Array<Uint8Array>(this.entryCount);
    for (let i = 0; i < this.entryCount; i++) out[i] = this.rawEntry(i);
    return out;
  }

  /** All entries, concatenated: exactly what a PackedForward frame would carry. */
  eventStream(): Uint8Array {
    if (this.entryCount === 0) return new Uint8Array(0);
    if (this.mode === 'Message') return this.rawEntry(0);
    return this.buf.subarray(this.index.entryStart(0), this.index.recordEnd(this.entryCount - 1));
  }

  private check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.entryCount) {
      throw new RangeError(`entry index ${i} out of range 0..${this.entryCount - 1}`);
    }
  }
}

type Envelope =
  | { kind: 'entries'; mode: 'Message' | 'Forward'; tag: string; parsed: ParsedEntries }
  | { kind: 'packed'; tag: string; packed: PackedEnvelope };

function readEnvelope(bytes: Uint8Array, limits: DecodeLimits): Envelope {
  const r = new MsgpackReader(bytes);
  const arity = r.readArrayHeader();
  if (arity === undefined)
    throw new ForwardProtocolError('malformed', `frame must be an array, got ${r.describe()}`);
  if (arity < 2 || arity > 4) {
    throw new ForwardProtocolError('malformed', `frame must be an array of 2 to 4 elements, got ${arity}`);
  }
  const tag = r.readString();
  if (tag === undefined)
    throw new ForwardProtocolError('malformed', `tag must be a string, got ${r.describe()}`);
  if (tag.length === 0) throw new ForwardProtocolError('malformed', 'tag must not be empty');

  let envelope: Envelope;
  if (r.isStringOrBinary()) {
    envelope = { kind: 'packed', tag, packed: parsePackedEnvelope(r, arity) };
  } else if (r.isArray() && isEntriesArray(r)) {
    envelope = { kind: 'entries', mode: 'Forward', tag, parsed: parseForward(r, arity, limits) };
  } else if (r.isArray() || isPlainTimeToken(r.peek())) {
    envelope = { kind: 'entries', mode: 'Message', tag, parsed: parseMessage(r, arity, limits) };
  } else {
    throw new ForwardProtocolError(
      'malformed',
      `second element must be a time (Message), an entries array (Forward) or bin/str (PackedForward), got ${r.describe()}`,
    );
  }
  if (!r.atEnd)
    throw new ForwardProtocolError('malformed', `${r.end - r.pos} bytes after the end of the frame`);
  return envelope;
}

/** `[[time, record], ...]` (or `[]`) rather than Message mode's `[time, metadata]`. */
function isEntriesArray(r: MsgpackReader): boolean {
  const at = r.pos;
  const n = r.readArrayHeader();
  const entries = n === 0 || r.isArray();
  r.pos = at;
  return entries;
}

function isPlainTimeToken(b: number): boolean {
  return b <= 0x7f || b >= 0xe0 || (b >= 0xca && b <= 0xd3) || b === 0xd7 || (b >= 0xc7 && b <= 0xc9);
}

function finish(
  envelope: Envelope,
  bytes: Uint8Array,
  limits: DecodeLimits,
  inflated: Uint8Array | undefined,
): ForwardFrame {
  let mode: ForwardMode;
  let buf: Uint8Array;
  let index: EntryIndex;
  let options: ForwardOptions;
  if (envelope.kind === 'entries') {
    mode = envelope.mode;
    buf = bytes;
    index = envelope.parsed.index;
    options = envelope.parsed.options;
    if (options.compressed === 'gzip') {
      throw new ForwardProtocolError(
        'bad_option',
        `option compressed is only valid for PackedForward, got ${mode} mode`,
      );
    }
  } else {
    options = envelope.packed.options;
    mode = inflated === undefined ? 'PackedForward' : 'CompressedPackedForward';
    buf = inflated ?? envelope.packed.payload;
    index = scanEventStream(buf, limits, `${mode} entry`);
  }
  // Not fatal: fluent-logger (Node) sends the payload's byte length as `size`, and Fluentd's own
  // in_forward ignores the option. The entries were counted by the scan, which is what we trust.
  const sizeMismatch = options.size !== undefined && options.size !== index.count;
  return new ForwardFrame({
    sizeMismatch,
    mode,
    tag: envelope.tag,
    options,
    byteLength: bytes.length,
    buf,
    index,
    hasEventTime: skippedEventTimes() > 0,
  });
}

function needsInflate(envelope: Envelope): envelope is Envelope & { kind: 'packed' } {
  return envelope.kind === 'packed' && envelope.packed.options.compressed === 'gzip';
}

/**
 * Validates one complete frame (any of the four modes). Throws ForwardProtocolError, naming what is wrong,
 * for anything else. Compressed payloads are inflated synchronously; servers use `decodeFrameAsync`.
 */
export function decodeFrame(bytes: Uint8Array, limits?: Partial<DecodeLimits>): ForwardFrame {
  const resolved = resolveLimits(limits);
  resetEventTimes();
  const envelope = readEnvelope(bytes, resolved);
  const inflated = needsInflate(envelope) ? inflateSync(envelope.packed.payload, resolved) : undefined;
  return finish(envelope, bytes, resolved, inflated);
}

/** `decodeFrame`, with gzip inflation off the event loop. */
export async function decodeFrameAsync(
  bytes: Uint8Array,
  limits?: Partial<DecodeLimits>,
): Promise<ForwardFrame> {
  const resolved = resolveLimits(limits);
  resetEventTimes();
  const envelope = readEnvelope(bytes, resolved);
  if (!needsInflate(envelope)) return finish(envelope, bytes, resolved, undefined);
  const inflated = await inflate(envelope.packed.payload, resolved);
  // The EventTime counter is shared and other frames may have been decoded while inflating; only the
  // entries scanned from here on matter for a packed frame.
  resetEventTimes();
  return finish(envelope, bytes, resolved, inflated);
}

/**
 * Validates a stored MessagePackEventStream (e.g. `frame.eventStream()` or raw entries concatenated) and
 * returns it as a PackedForward frame, to decode later what was queued raw.
 */
export function parseEventStream(
  tag: string,
  stream: Uint8Array,
  limits?: Partial<DecodeLimits>,
): ForwardFrame {
  const resolved = resolveLimits(limits);
  resetEventTimes();
  const index = scanEventStream(stream, resolved);
  return new ForwardFrame({
    mode: 'PackedForward',
    tag,
    options: {},
    byteLength: stream.length,
    buf: stream,
    index,
    hasEventTime: skippedEventTimes() > 0,
  });
}

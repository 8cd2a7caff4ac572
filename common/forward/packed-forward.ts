import { promisify } from 'node:util';
import { gunzip, gunzipSync, gzipSync } from 'node:zlib';
import type { EntryInput } from './entry.ts';
import { EntryIndex, scanEntry, writeEntry } from './entry.ts';
import { ForwardProtocolError } from './errors.ts';
import type { DecodeLimits } from './limits.ts';
import { MsgpackReader } from './msgpack-reader.ts';
import { MsgpackWriter } from './msgpack-writer.ts';
import type { ForwardOptions } from './options.ts';
import { optionCount, readOptions, writeOptions } from './options.ts';

const gunzipAsync = promisify(gunzip);

export interface PackedEnvelope {
  payload: Uint8Array;
  options: ForwardOptions;
}

/**
 * PackedForward: `[tag, bin|str, option?]`, the second element being a MessagePackEventStream (entries
 * concatenated). The reader is positioned at the payload; only the envelope is read here, so the caller
 * can decompress (synchronously or not) before the entries are scanned.
 */
export function parsePackedEnvelope(r: MsgpackReader, arity: number): PackedEnvelope {
  if (arity !== 2 && arity !== 3) {
    throw new ForwardProtocolError(
      'malformed',
      `PackedForward frame must have 2 or 3 elements, got ${arity}`,
    );
  }
  const payload = r.readBytes();
  if (payload === undefined) {
    throw new ForwardProtocolError(
      'malformed',
      `PackedForward entries must be bin or str, got ${r.describe()}`,
    );
  }
  const options = arity === 3 ? readOptions(r) : {};
  return { payload, options };
}

/** Validates a MessagePackEventStream and indexes its entries. */
export function scanEventStream(
  stream: Uint8Array,
  limits: DecodeLimits,
  where = 'PackedForward entry',
): EntryIndex {
  const r = new MsgpackReader(stream);
  // A guess only: entries are rarely smaller than 32 bytes; the index grows if they are.
  const index = new EntryIndex(Math.min(1024, (stream.length >>> 5) + 1));
  for (let i = 0; !r.atEnd; i++) scanEntry(r, index, limits, where, i);
  return index;
}

function zlibError(error: unknown, limits: DecodeLimits): ForwardProtocolError {
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_BUFFER_TOO_LARGE') {
    return new ForwardProtocolError(
      'decompressed_too_large',
      `CompressedPackedForward payload inflates past maxDecompressedBytes (${limits.maxDecompressedBytes})`,
    );
  }
  return new ForwardProtocolError(
    'bad_compression',
    `CompressedPackedForward payload is not valid gzip: ${(error as Error).message}`,
  );
}

/** Inflates a gzip payload (one or several concatenated members), bounded by `maxDecompressedBytes`. */
export function inflateSync(payload: Uint8Array, limits: DecodeLimits): Buffer {
  try {
    return gunzipSync(payload, { maxOutputLength: limits.maxDecompressedBytes });
  } catch (error) {
    throw zlibError(error, limits);
  }
}

/** Same as `inflateSync` on the libuv thread pool, so a large payload does not stall other connections. */
export async function inflate(payload: Uint8Array, limits: DecodeLimits): Promise<Buffer> {
  try {
    return await gunzipAsync(payload, { maxOutputLength: limits.maxDecompressedBytes });
  } catch (error) {
    throw zlibError(error, limits);
  }
}

/** MessagePackEventStream bytes: the entries concatenated. */
export function encodeEventStream(entries: readonly EntryInput[]): Buffer {
  const w = new MsgpackWriter(1024);
  for (const entry of entries) writeEntry(w, entry);
  return w.finish();
}

function packed(tag: string, stream: Uint8Array, options: ForwardOptions): Buffer {
  const w = new MsgpackWriter(stream.length + 64);
  const withOptions = optionCount(options) > 0;
  w.arrayHeader(withOptions ? 3 : 2).string(tag);
  w.binary(stream);
  if (withOptions) writeOptions(w, options);
  return w.finish();
}

/** Encodes `[tag, bin(stream), option?]`; `entries` may be an already encoded event stream. */
export function encodePackedForward(
  tag: string,
  entries: readonly EntryInput[] | Uint8Array,
  options: ForwardOptions = {},
): Buffer {
  const stream = entries instanceof Uint8Array ? entries : encodeEventStream(entries);
  return packed(tag, stream, options);
}

/** Encodes `[tag, bin(gzip(stream)), {compressed: 'gzip', ...}]`. */
export function encodeCompressedPackedForward(
  tag: string,
  entries: readonly EntryInput[] | Uint8Array,
  options: ForwardOptions = {},
): Buffer {
  const stream = entries instanceof Uint8Array ? entries : encodeEventStream(entries);
  return packed(tag, gzipSync(stream), { ...options, compressed: 'gzip' });
}

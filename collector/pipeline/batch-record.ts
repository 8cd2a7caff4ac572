// What the collector writes into its durable queue: one record per received batch, kept as raw as it
// arrived (Forward entries as msgpack, spans as the JSON body), so the ack path never decodes records.
// Exporters decode after the queue, each from its own cursor.
//
// Layout (big-endian):
//   logs:  u8 kind=1 | u16 tagBytes | tag | u8 chunkBytes | chunk | u32 entryCount | MessagePackEventStream
//   spans: u8 kind=2 | u32 spanCount | JSON array body

export const KIND_LOGS = 1;
export const KIND_SPANS = 2;

export interface LogBatch {
  kind: typeof KIND_LOGS;
  tag: string;
  /** The Forward `chunk` option (the sender's id for this batch), when it sent one. */
  chunk: string | undefined;
  entryCount: number;
  /** Concatenated msgpack `[time, record]` entries: a PackedForward payload. */
  entries: Buffer;
}

export interface SpanBatch {
  kind: typeof KIND_SPANS;
  spanCount: number;
  /** The Zipkin v2 JSON array exactly as received (decompressed). */
  json: Buffer;
}

export type Batch = LogBatch | SpanBatch;

export class BatchRecordError extends Error {
  override name = 'BatchRecordError';
}

const MAX_TAG_BYTES = 0xffff;
const MAX_CHUNK_BYTES = 0xff;

/**
 * The part of a log batch record before its entries. The receiver appends `[header, entries]` as one
 * queue record in parts, so a frame's entries reach the disk without being copied.
 */
export function logBatchHeader(tag: string, chunk: string | undefined, entryCount: number): Buffer {
  const tagBytes = Buffer.byteLength(tag);
  const chunkBytes = chunk === undefined ? 0 : Buffer.byteLength(chunk);
  if (tagBytes > MAX_TAG_BYTES)
    throw new BatchRecordError(`tag of ${tagBytes} bytes is longer than ${MAX_TAG_BYTES}`);
  if (chunkBytes > MAX_CHUNK_BYTES) {
    throw new BatchRecordError(`chunk id of ${chunkBytes} bytes is longer than ${MAX_CHUNK_BYTES}`);
  }
  const out = Buffer.allocUnsafe(1 + 2 + tagBytes + 1 + chunkBytes + 4);
  let at = out.writeUInt8(KIND_LOGS, 0);
  at = out.writeUInt16BE(tagBytes, at);
  at += out.write(tag, at, 'utf8');
  at = out.writeUInt8(chunkBytes, at);
  if (chunk !== undefined) at += out.write(chunk, at, 'utf8');
  out.writeUInt32BE(entryCount, at);
  return out;
}

/** The whole log batch record in one buffer (tests, tools). */
export function encodeLogBatch(
  tag: string,
  chunk: string | undefined,
  entryCount: number,
  entries: Uint8Array,
): Buffer {
  return Buffer.concat([logBatchHeader(tag, chunk, entryCount), entries]);
}

export function encodeSpanBatch(spanCount: number, json: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + json.length);
  out.writeUInt8(KIND_SPANS, 0);
  out.writeUInt32BE(spanCount, 1);
  out.set(json, 5);
  return out;
}

function need(payload: Buffer, at: number, bytes: number, what: string): void {
  if (at + bytes > payload.length)
    throw new BatchRecordError(`queue record truncated in ${what} (${payload.length} bytes)`);
}

/** Decodes a queue payload; the returned buffers are views of it (no copy). */
export function decodeBatch(payload: Buffer): Batch {
  need(payload, 0, 1, 'kind');
  const kind = payload[0];
  if (kind === KIND_SPANS) {
    need(payload, 1, 4, 'span count');
    return { kind: KIND_SPANS, spanCount: payload.readUInt32BE(1), json: payload.subarray(5) };
  }
  if (kind !== KIND_LOGS) throw new BatchRecordError(`unknown queue record kind ${String(kind)}`);
  let at = 1;
  need(payload, at, 2, 'tag length');
  const tagBytes = payload.readUInt16BE(at);
  at += 2;
  need(payload, at, tagBytes, 'tag');
  const tag = payload.toString('utf8', at, at + tagBytes);
  at += tagBytes;
  need(payload, at, 1, 'chunk length');
  const chunkBytes = payload.readUInt8(at);
  at += 1;
  need(payload, at, chunkBytes, 'chunk');
  const chunk = chunkBytes === 0 ? undefined : payload.toString('utf8', at, at + chunkBytes);
  at += chunkBytes;
  need(payload, at, 4, 'entry count');
  const entryCount = payload.readUInt32BE(at);
  at += 4;
  return { kind: KIND_LOGS, tag, chunk, entryCount, entries: payload.subarray(at) };
}

/**
 * Sizes of Kafka record batches (message format v2, KIP-98), computed the way the broker
 * measures them, so that a message over `max.message.bytes` is rejected before it is sent
 * instead of failing a whole produce request.
 */

/** Bytes of a v2 record batch without its records: offset 8, length 4, epoch 4, magic 1, crc 4,
 * attributes 2, lastOffsetDelta 4, first/max timestamp 16, producer id 8, epoch 2, base sequence 4,
 * record count 4. The broker compares this plus the records with `max.message.bytes`. */
export const RECORD_BATCH_OVERHEAD = 61;

/** Slack per record in a multi-record batch: its timestamp and offset deltas outgrow one byte. */
export const RECORD_DELTA_SLACK = 4;

export interface SizedMessage {
  readonly key: string | null;
  readonly value: Buffer | string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Bytes of a zigzag varint holding `n`. */
export function varintBytes(n: number): number {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  let bytes = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    bytes++;
  }
  return bytes;
}

function byteLength(v: Buffer | string): number {
  return typeof v === 'string' ? Buffer.byteLength(v) : v.byteLength;
}

/** Bytes of one record as it sits in a batch whose first record it is (deltas 0). */
export function recordBytes(m: SizedMessage): number {
  const key = m.key === null ? -1 : Buffer.byteLength(m.key);
  const value = byteLength(m.value);
  let body = 1 /* attributes */ + 1 /* timestampDelta 0 */ + 1; /* offsetDelta 0 */
  body += varintBytes(key) + Math.max(key, 0);
  body += varintBytes(value) + value;
  const headers = m.headers === undefined ? [] : Object.entries(m.headers);
  body += varintBytes(headers.length);
  for (const [k, v] of headers) {
    const kb = Buffer.byteLength(k);
    const vb = Buffer.byteLength(v);
    body += varintBytes(kb) + kb + varintBytes(vb) + vb;
  }
  return varintBytes(body) + body;
}

/** Bytes of a batch holding only `m`: what the broker checks for a message sent on its own. */
export function singleRecordBatchBytes(m: SizedMessage): number {
  return RECORD_BATCH_OVERHEAD + recordBytes(m);
}

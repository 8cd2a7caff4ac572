import { hash } from 'node:crypto';

/**
 * Where a log event sat in what the receiver got: a Forward chunk id (the `chunk` option,
 * which Fluent Bit and fluentd keep when they resend the chunk) and the entry's index in it.
 */
export interface EventOrigin {
  readonly chunk: string;
  readonly index: number;
}

/** Elasticsearch refuses `_id`s longer than 512 bytes. */
export const MAX_EVENT_ID_BYTES = 512;

/** The id when a record brings one it can keep: a non-empty string of at most 512 bytes. */
export function usableEventId(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length === 0) return undefined;
  if (v.length * 3 > MAX_EVENT_ID_BYTES && Buffer.byteLength(v) > MAX_EVENT_ID_BYTES) return undefined;
  return v;
}

function bigintSafe(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

function serialise(record: unknown): string {
  try {
    return JSON.stringify(record) ?? String(record);
  } catch {
    // msgpack int64 values decode as BigInt, which JSON.stringify refuses.
    try {
      return JSON.stringify(record, bigintSafe) ?? String(record);
    } catch {
      return String(record);
    }
  }
}

/**
 * A deterministic `event.id` for an event that arrived without one.
 *
 * It must be the same every time the same event is processed again — the agent resending
 * a chunk whose ack was lost, the collector replaying its disk queue after a crash — so
 * that the exporter's `create` with this `_id` turns those repeats into absorbed 409s.
 * A random id made on receipt would not survive either repeat. Hence:
 * - with an `origin` (chunk id + index, both stable across resends): a hash of tag, chunk id
 *   and index; cheap, and distinct entries never collide even when identical;
 * - without: a hash of tag, time and the record's JSON (key order as received, which a
 *   resend keeps). The cost: two byte-identical records with the same tag and the same
 *   timestamp are taken as one event. With nanosecond event times that needs two identical
 *   lines in the same nanosecond; senders with second-resolution times (fluent-logger without
 *   EventTime) should send chunk ids or event ids.
 * 128 bits of SHA-256 in base64url (22 characters).
 */
export function deriveEventId(
  tag: string,
  seconds: number,
  nanoseconds: number,
  record: unknown,
  origin?: EventOrigin,
): string {
  const input =
    origin === undefined
      ? `r\0${tag}\0${seconds}\0${nanoseconds}\0${serialise(record)}`
      : `c\0${tag}\0${origin.chunk}\0${origin.index}`;
  return hash('sha256', input, 'base64url').slice(0, 22);
}

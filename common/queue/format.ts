// On-disk record format and the scans built on it. See README.md, "On-disk format".
//
//   offset size
//   0      2    magic "TQ"
//   2      1    format version (1)
//   3      1    flags (0; reserved)
//   4      4    payload length, u32 LE
//   8      8    sequence number, u64 LE (kept below 2^53 so it fits a JS number)
//   16     4    CRC32 of bytes 0..15 and the payload, u32 LE
//   20     n    payload
//
// The CRC covers the header too, so a flipped bit in the length or sequence number is caught, not only
// one in the payload. The sequence number makes each record self-describing, which lets a reader check
// that a cursor really points at the record it expects and lets corruption skipping count lost records.

import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

export const HEADER_BYTES = 20;
export const FORMAT_VERSION = 1;
const MAGIC_0 = 0x54; // 'T'
const MAGIC_1 = 0x51; // 'Q'
const MAGIC_AND_VERSION = Buffer.from([MAGIC_0, MAGIC_1, FORMAT_VERSION]);
const TWO_32 = 2 ** 32;

/**
 * Hard ceiling for a payload length read from disk, independent of the configured maxRecordBytes, so that
 * lowering maxRecordBytes never turns existing records into "corrupt" ones.
 */
export const MAX_PAYLOAD_BYTES = 2 ** 30;

export const SEGMENT_SUFFIX = '.seg';
const SEGMENT_NAME = /^(\d{20})\.seg$/;

export function segmentFileName(base: number): string {
  return `${String(base).padStart(20, '0')}${SEGMENT_SUFFIX}`;
}

export function parseSegmentFileName(name: string): number | undefined {
  const m = SEGMENT_NAME.exec(name);
  if (m?.[1] === undefined) return undefined;
  const base = Number(m[1]);
  return Number.isSafeInteger(base) ? base : undefined;
}

/**
 * A record's payload: one buffer, or several written back to back as one record (so a caller can put a
 * small header before a large body it already holds without copying the body).
 */
export type RecordPayload = Uint8Array | readonly Uint8Array[];

export function payloadLength(payload: RecordPayload): number {
  if (payload instanceof Uint8Array) return payload.length;
  let length = 0;
  for (const part of payload) length += part.length;
  return length;
}

/** Writes the header for `payload` at `target[at..at+20)`. */
export function writeHeader(target: Buffer, at: number, seq: number, payload: RecordPayload): void {
  target[at] = MAGIC_0;
  target[at + 1] = MAGIC_1;
  target[at + 2] = FORMAT_VERSION;
  target[at + 3] = 0;
  target.writeUInt32LE(payloadLength(payload), at + 4);
  target.writeUInt32LE(seq >>> 0, at + 8);
  target.writeUInt32LE(Math.floor(seq / TWO_32), at + 12);
  let crc = crc32(target.subarray(at, at + 16));
  if (payload instanceof Uint8Array) crc = crc32(payload, crc);
  else for (const part of payload) crc = crc32(part, crc);
  target.writeUInt32LE(crc, at + 16);
}

export type Decoded =
  | { readonly kind: 'record'; readonly seq: number; readonly payloadStart: number; readonly end: number }
  /** `needed` is the byte count from `at` required to decode (header only, or the whole record). */
  | { readonly kind: 'incomplete'; readonly needed: number }
  | { readonly kind: 'corrupt'; readonly reason: string };

/** Decodes the record starting at `buf[at]`, looking at no byte at or past `limit`. */
export function decodeRecord(buf: Buffer, at: number, limit: number): Decoded {
  if (limit - at < HEADER_BYTES) return { kind: 'incomplete', needed: HEADER_BYTES };
  if (buf[at] !== MAGIC_0 || buf[at + 1] !== MAGIC_1) return { kind: 'corrupt', reason: 'bad magic' };
  if (buf[at + 2] !== FORMAT_VERSION) {
    return { kind: 'corrupt', reason: `unsupported format version ${String(buf[at + 2])}` };
  }
  const length = buf.readUInt32LE(at + 4);
  if (length > MAX_PAYLOAD_BYTES) return { kind: 'corrupt', reason: `implausible payload length ${length}` };
  const seq = buf.readUInt32LE(at + 12) * TWO_32 + buf.readUInt32LE(at + 8);
  if (!Number.isSafeInteger(seq)) return { kind: 'corrupt', reason: 'sequence number out of range' };
  const end = at + HEADER_BYTES + length;
  if (end > limit) return { kind: 'incomplete', needed: HEADER_BYTES + length };
  const stored = buf.readUInt32LE(at + 16);
  const actual = crc32(buf.subarray(at + HEADER_BYTES, end), crc32(buf.subarray(at, at + 16)));
  if (stored !== actual) return { kind: 'corrupt', reason: 'checksum mismatch' };
  return { kind: 'record', seq, payloadStart: at + HEADER_BYTES, end };
}

/** Reads exactly `length` bytes at `position`, or fewer only if the file ends first. */
export async function readFully(fh: FileHandle, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await fh.read(buf, filled, length - filled, position + filled);
    if (bytesRead === 0) return buf.subarray(0, filled);
    filled += bytesRead;
  }
  return buf;
}

export interface ScanResult {
  /** Offset just past the last valid record found. */
  readonly end: number;
  /** Sequence number the next record would carry. */
  readonly nextSeq: number;
  /** Present when the scan stopped on a record it could not validate. */
  readonly error?: { readonly offset: number; readonly reason: string };
}

const SCAN_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Validates records from `start` to `size` sequentially, reading big chunks rather than one syscall per
 * record. Stops at the first invalid, truncated or out-of-sequence record.
 */
export async function scanSegment(
  fh: FileHandle,
  size: number,
  start: number,
  startSeq: number,
): Promise<ScanResult> {
  let offset = start;
  let seq = startSeq;
  while (offset < size) {
    let chunk = await readFully(fh, Math.min(SCAN_CHUNK_BYTES, size - offset), offset);
    let at = 0;
    let progressed = false;
    while (at < chunk.length) {
      const d = decodeRecord(chunk, at, chunk.length);
      if (d.kind === 'corrupt')
        return { end: offset + at, nextSeq: seq, error: { offset: offset + at, reason: d.reason } };
      if (d.kind === 'incomplete') {
        if (offset + at + d.needed > size) {
          return {
            end: offset + at,
            nextSeq: seq,
            error: { offset: offset + at, reason: 'record truncated' },
          };
        }
        if (at > 0) break; // re-read from this record's start with the next chunk
        const whole = await readFully(fh, d.needed, offset);
        if (whole.length < d.needed) {
          return { end: offset, nextSeq: seq, error: { offset, reason: 'record truncated' } };
        }
        chunk = whole;
        continue;
      }
      if (d.seq !== seq) {
        return {
          end: offset + at,
          nextSeq: seq,
          error: { offset: offset + at, reason: `sequence number ${d.seq}, expected ${seq}` },
        };
      }
      seq++;
      at = d.end;
      progressed = true;
    }
    if (!progressed) {
      return { end: offset, nextSeq: seq, error: { offset, reason: 'record truncated' } };
    }
    offset += at;
  }
  return { end: offset, nextSeq: seq };
}

/**
 * Looks for the first record in [from, end) that validates and carries a sequence number >= minSeq.
 * Used only on the corruption path, so it favours simplicity: the region is read into memory at once.
 */
export async function findNextValidRecord(
  fh: FileHandle,
  from: number,
  end: number,
  minSeq: number,
): Promise<{ offset: number; seq: number } | undefined> {
  if (from >= end) return undefined;
  const buf = await readFully(fh, end - from, from);
  let i = buf.indexOf(MAGIC_AND_VERSION);
  while (i !== -1) {
    const d = decodeRecord(buf, i, buf.length);
    if (d.kind === 'record' && d.seq >= minSeq) return { offset: from + i, seq: d.seq };
    i = buf.indexOf(MAGIC_AND_VERSION, i + 1);
  }
  return undefined;
}

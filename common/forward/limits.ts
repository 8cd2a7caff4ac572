import { DEFAULT_MAX_DEPTH } from './msgpack-scan.ts';

/** Size limits applied while decoding; each bounds memory a peer can make us hold. */
export interface DecodeLimits {
  /** Largest single record (the msgpack map), in bytes. */
  maxRecordBytes: number;
  /** Largest PackedForward payload after decompression, in bytes (zip-bomb guard). */
  maxDecompressedBytes: number;
}

export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;
export { DEFAULT_MAX_DEPTH };

export const DEFAULT_DECODE_LIMITS: DecodeLimits = Object.freeze({
  maxRecordBytes: DEFAULT_MAX_RECORD_BYTES,
  maxDecompressedBytes: DEFAULT_MAX_DECOMPRESSED_BYTES,
});

export function resolveLimits(limits: Partial<DecodeLimits> | undefined): DecodeLimits {
  if (limits === undefined) return DEFAULT_DECODE_LIMITS;
  return {
    maxRecordBytes: limits.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
    maxDecompressedBytes: limits.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES,
  };
}

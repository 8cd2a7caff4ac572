// Byte-level builders for tests: frames are assembled by hand here, independently of the encoders under test.
import { pack } from 'msgpackr';

export function mp(value: unknown): Buffer {
  return pack(value);
}

export function cat(...parts: (Uint8Array | number[])[]): Buffer {
  return Buffer.concat(parts.map((p) => (p instanceof Uint8Array ? p : Buffer.from(p))));
}

export function u32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

/** EventTime as fixext8. */
export function fixext8Time(seconds: number, nanos: number): Buffer {
  return cat([0xd7, 0x00], u32(seconds), u32(nanos));
}

/** EventTime as ext8 (the longer header some encoders use). */
export function ext8Time(seconds: number, nanos: number): Buffer {
  return cat([0xc7, 0x08, 0x00], u32(seconds), u32(nanos));
}

export function arrayHeader(n: number): number[] {
  return n < 16 ? [0x90 | n] : [0xdc, n >> 8, n & 0xff];
}

export function bin(bytes: Uint8Array): Buffer {
  const n = bytes.length;
  const header = n < 0x100 ? [0xc4, n] : n < 0x10000 ? [0xc5, n >> 8, n & 0xff] : [0xc6, ...u32(n)];
  return cat(header, bytes);
}

/** str header around arbitrary bytes (Fluentd's legacy PackedForward payload type). */
export function rawStr(bytes: Uint8Array): Buffer {
  const n = bytes.length;
  const header =
    n < 32 ? [0xa0 | n] : n < 0x100 ? [0xd9, n] : n < 0x10000 ? [0xda, n >> 8, n & 0xff] : [0xdb, ...u32(n)];
  return cat(header, bytes);
}

/** Deterministic PRNG (mulberry32) so fuzz failures reproduce. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `items[i]`, failing the test when absent (the lint rules forbid `!`). */
export function nth<T>(items: readonly T[], i: number): T {
  const item = items[i];
  if (item === undefined) throw new Error(`no item at index ${i} of ${items.length}`);
  return item;
}

import { z } from 'zod';
import { configTypeNames } from './schema-doc.ts';

export type ParseResult =
  { readonly ok: true; readonly value: number } | { readonly ok: false; readonly message: string };

/*
 * Sizes follow Fluent Bit's "Unit sizes" table exactly, because agent configs are copied
 * from Fluent Bit docs: no suffix = bytes; k, K, KB, kb = 1,000; m, M, MB, mb = 1,000,000;
 * g, G, GB, gb = 1,000,000,000 (decimal, *not* 1024). Like Fluent Bit the suffix letter is
 * case-insensitive and a fraction is allowed ("1.5M"), the result truncated to whole bytes.
 * Added, because "64MiB" is unambiguous and people write it: IEC suffixes Ki/KiB, Mi/MiB,
 * Gi/GiB, Ti/TiB = powers of 1024 (Fluent Bit has the same in flb_utils_size_to_binary_bytes).
 * Not taken from Fluent Bit: negative sizes and the string "false" (= 0) are rejected.
 */
const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  ki: 1024,
  kib: 1024,
  mi: 1024 ** 2,
  mib: 1024 ** 2,
  gi: 1024 ** 3,
  gib: 1024 ** 3,
  ti: 1024 ** 4,
  tib: 1024 ** 4,
};

const SIZE_RE = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([A-Za-z]*)$/;

export function parseSizeResult(input: unknown): ParseResult {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0)
      return { ok: false, message: `size must be ≥ 0 bytes, got ${input}` };
    if (input > Number.MAX_SAFE_INTEGER) return { ok: false, message: `size ${input} is too large` };
    return { ok: true, value: Math.floor(input) };
  }
  if (typeof input !== 'string') {
    return {
      ok: false,
      message: `expected a size like 32k, 5M, 64MiB or a number of bytes, got ${describe(input)}`,
    };
  }
  const m = SIZE_RE.exec(input.trim());
  const unit = m?.[2]?.toLowerCase();
  const mult = unit === undefined ? undefined : SIZE_UNITS[unit];
  if (m === null || mult === undefined || m[1] === undefined) {
    return {
      ok: false,
      message: `invalid size ${JSON.stringify(input)}: expected a number with an optional unit k/KB, M/MB, G/GB (×1000) or KiB, MiB, GiB, TiB (×1024), e.g. 32k, 5M, 64MiB`,
    };
  }
  const value = Math.floor(Number(m[1]) * mult);
  if (!Number.isSafeInteger(value))
    return { ok: false, message: `size ${JSON.stringify(input)} is too large` };
  return { ok: true, value };
}

/** Bytes in a size string or number; throws a `RangeError` with the reason. */
export function parseSize(input: string | number): number {
  const r = parseSizeResult(input);
  if (!r.ok) throw new RangeError(r.message);
  return r.value;
}

/*
 * Durations: a sequence of number+unit pairs, largest first as written ("1m30s"), units
 * ms, s, m, h, d. A bare number means seconds, as Fluent Bit's time keys (Flush,
 * Refresh_Interval) do. The value is in milliseconds and may be fractional ("1.5ms").
 */
const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const DURATION_PART_RE = /([0-9]+(?:\.[0-9]*)?|\.[0-9]+)([a-z]+)/gy;

export function parseDurationResult(input: unknown): ParseResult {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0)
      return { ok: false, message: `duration must be ≥ 0, got ${input}` };
    return { ok: true, value: input * 1000 };
  }
  if (typeof input !== 'string') {
    return { ok: false, message: `expected a duration like 250ms, 5s, 1m or 1h30m, got ${describe(input)}` };
  }
  const text = input.trim();
  const bad = (): ParseResult => ({
    ok: false,
    message: `invalid duration ${JSON.stringify(input)}: expected number+unit pairs with units ms, s, m, h, d (e.g. 250ms, 5s, 1m30s) or a number of seconds`,
  });
  if (/^[0-9]+(?:\.[0-9]*)?$/.test(text)) return { ok: true, value: Number(text) * 1000 };
  if (text === '' || text.length > 64) return bad();
  DURATION_PART_RE.lastIndex = 0;
  let total = 0;
  let pos = 0;
  for (let m = DURATION_PART_RE.exec(text); m !== null; m = DURATION_PART_RE.exec(text)) {
    const mult = DURATION_UNITS[m[2] ?? ''];
    if (mult === undefined) return bad();
    total += Number(m[1]) * mult;
    pos = DURATION_PART_RE.lastIndex;
  }
  if (pos !== text.length || !Number.isFinite(total)) return bad();
  return { ok: true, value: total };
}

/** Milliseconds in a duration string, or in a number of seconds; throws a `RangeError` with the reason. */
export function parseDuration(input: string | number): number {
  const r = parseDurationResult(input);
  if (!r.ok) throw new RangeError(r.message);
  return r.value;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a map' : typeof v;
}

/** zod schema for a size: accepts a string or number, outputs bytes. */
export function size(): z.ZodType<number, string | number> {
  const s = z.union([z.string(), z.number()]).transform((v, ctx) => {
    const r = parseSizeResult(v);
    if (r.ok) return r.value;
    ctx.addIssue({ code: 'custom', message: r.message, input: v });
    return z.NEVER;
  });
  configTypeNames.set(s, 'size');
  return s;
}

/** zod schema for a duration: accepts a string or a number of seconds, outputs milliseconds. */
export function duration(): z.ZodType<number, string | number> {
  const s = z.union([z.string(), z.number()]).transform((v, ctx) => {
    const r = parseDurationResult(v);
    if (r.ok) return r.value;
    ctx.addIssue({ code: 'custom', message: r.message, input: v });
    return z.NEVER;
  });
  configTypeNames.set(s, 'duration');
  return s;
}

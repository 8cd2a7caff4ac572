/*
 * `@timestamp` is mapped as `date_nanos`, whose range is 1970-01-01T00:00:00Z to
 * 2262-04-11T23:47:16.854775807Z; a time outside it would make Elasticsearch reject the
 * whole document, so such times count as invalid here.
 */
export const MAX_DATE_NANOS_SECONDS = 9_223_372_036;

let cachedSecond = -1;
let cachedPrefix = '';

/**
 * ISO-8601 with nine fractional digits (`2024-05-01T12:00:00.123456789Z`), or undefined
 * when the time is not a valid date_nanos instant. Events arrive in time order in batches,
 * so the `YYYY-MM-DDTHH:MM:SS` prefix is cached for the last second seen.
 */
export function formatEventTime(seconds: number, nanoseconds: number): string | undefined {
  if (typeof seconds !== 'number' || typeof nanoseconds !== 'number') return undefined;
  let s = seconds;
  let ns = nanoseconds;
  if (!Number.isInteger(s)) {
    // A float time (seconds.fraction) as older Fluentd/fluent-logger send it.
    if (!Number.isFinite(s) || ns !== 0) return undefined;
    const whole = Math.floor(s);
    ns = Math.round((s - whole) * 1e9);
    s = whole;
    if (ns >= 1e9) {
      s += 1;
      ns -= 1e9;
    }
  }
  if (!Number.isInteger(ns) || ns < 0 || ns >= 1e9 || s < 0 || s > MAX_DATE_NANOS_SECONDS) return undefined;
  if (s !== cachedSecond) {
    cachedPrefix = new Date(s * 1000).toISOString().slice(0, 19);
    cachedSecond = s;
  }
  return `${cachedPrefix}.${(1e9 + ns).toString().slice(1)}Z`;
}

/** `@timestamp` for a Zipkin timestamp in epoch microseconds. */
export function formatMicros(micros: number): string | undefined {
  if (!Number.isSafeInteger(micros) || micros < 0) return undefined;
  const s = Math.floor(micros / 1e6);
  return formatEventTime(s, (micros - s * 1e6) * 1000);
}

/** `@timestamp` for a time in epoch milliseconds (the fallback clock). */
export function formatMillis(ms: number): string {
  const s = Math.floor(ms / 1000);
  return formatEventTime(s, Math.round((ms - s * 1000) * 1e6)) ?? new Date(ms).toISOString();
}

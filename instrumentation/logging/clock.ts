// Event times with sub-millisecond precision for Forward's EventTime (seconds + nanoseconds).
// Date.now() has millisecond resolution; performance.now() has microseconds but is monotonic and
// drifts from the wall clock, so once a second it is pulled back to Date.now() when they differ by
// more than a millisecond (a smaller correction would only trade precision for noise).

/** Seconds and nanoseconds since the epoch, Forward's EventTime. */
export interface LogTime {
  readonly epoch: number;
  readonly nano: number;
}

export function createClock(): () => LogTime {
  let anchor = Date.now() - performance.now();
  let anchoredAt = performance.now();
  return () => {
    const now = performance.now();
    if (now - anchoredAt > 1000) {
      const drift = Date.now() - (anchor + now);
      if (drift > 1 || drift < -1) anchor += drift;
      anchoredAt = now;
    }
    const ms = anchor + now;
    const epoch = Math.floor(ms / 1000);
    const nano = Math.min(999_999_999, Math.max(0, Math.round((ms - epoch * 1000) * 1e6)));
    return { epoch, nano };
  };
}

let isoSecond = -1;
let isoPrefix = '';

/** RFC 3339 with nine fractional digits, as the collector writes `@timestamp`. */
export function isoTime(time: LogTime): string {
  if (time.epoch !== isoSecond) {
    isoSecond = time.epoch;
    isoPrefix = new Date(time.epoch * 1000).toISOString().slice(0, 19);
  }
  return `${isoPrefix}.${String(time.nano).padStart(9, '0')}Z`;
}

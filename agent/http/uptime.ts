// `/api/v1/uptime`, worded exactly as Fluent Bit's uptime.c words it: dashboards and runbooks
// grep for that sentence, including its double space and its "1 day" / "2 days" plurals.

export interface Uptime {
  uptime_sec: number;
  uptime_hr: string;
}

/** Fluent Bit adds the `s` only above 1, so 0 reads "0 day" and "0 second". */
function unit(n: number, word: string): string {
  return `${n} ${word}${n > 1 ? 's' : ''}`;
}

export function uptimeHuman(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  const secs = seconds % 60;
  return (
    'Fluent Bit has been running:  ' +
    `${unit(days, 'day')}, ${unit(hours, 'hour')}, ${unit(minutes, 'minute')} and ${unit(secs, 'second')}`
  );
}

/** Whole seconds since `startedAtMs` (never negative: a clock stepped back reads 0). */
export function uptimeSeconds(startedAtMs: number, nowMs: number): number {
  return Math.max(0, Math.floor((nowMs - startedAtMs) / 1000));
}

export function uptime(startedAtMs: number, nowMs: number): Uptime {
  const s = uptimeSeconds(startedAtMs, nowMs);
  return { uptime_sec: s, uptime_hr: uptimeHuman(s) };
}

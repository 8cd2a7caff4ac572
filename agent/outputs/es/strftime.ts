// C strftime over UTC, for the formats Fluent Bit's es output passes to gmtime_r + strftime:
// Logstash_DateFormat, Time_Key_Format and a `%` in Index. A format is compiled once into parts,
// so the per-record cost is a few number paddings. Unknown conversions are copied as written,
// as glibc does.

type Part = string | ((d: Date) => string);

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function pad(n: number, width: number, fill = '0'): string {
  return String(n).padStart(width, fill);
}

function dayOfYear(d: Date): number {
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

/** ISO 8601 week-based year and week number (`%G`, `%V`). */
function isoWeek(d: Date): { year: number; week: number } {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const dow = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - dow);
  const year = t.getUTCFullYear();
  return { year, week: Math.ceil(((t.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7) };
}

const hour12 = (d: Date): number => d.getUTCHours() % 12 || 12;

const CONVERSIONS: Readonly<Record<string, (d: Date) => string>> = {
  Y: (d) => String(d.getUTCFullYear()),
  C: (d) => pad(Math.floor(d.getUTCFullYear() / 100), 2),
  y: (d) => pad(d.getUTCFullYear() % 100, 2),
  m: (d) => pad(d.getUTCMonth() + 1, 2),
  d: (d) => pad(d.getUTCDate(), 2),
  e: (d) => pad(d.getUTCDate(), 2, ' '),
  H: (d) => pad(d.getUTCHours(), 2),
  k: (d) => pad(d.getUTCHours(), 2, ' '),
  I: (d) => pad(hour12(d), 2),
  l: (d) => pad(hour12(d), 2, ' '),
  M: (d) => pad(d.getUTCMinutes(), 2),
  S: (d) => pad(d.getUTCSeconds(), 2),
  j: (d) => pad(dayOfYear(d), 3),
  a: (d) => (DAYS[d.getUTCDay()] ?? '').slice(0, 3),
  A: (d) => DAYS[d.getUTCDay()] ?? '',
  b: (d) => (MONTHS[d.getUTCMonth()] ?? '').slice(0, 3),
  h: (d) => (MONTHS[d.getUTCMonth()] ?? '').slice(0, 3),
  B: (d) => MONTHS[d.getUTCMonth()] ?? '',
  p: (d) => (d.getUTCHours() < 12 ? 'AM' : 'PM'),
  u: (d) => String(d.getUTCDay() || 7),
  w: (d) => String(d.getUTCDay()),
  G: (d) => String(isoWeek(d).year),
  g: (d) => pad(isoWeek(d).year % 100, 2),
  V: (d) => pad(isoWeek(d).week, 2),
  s: (d) => String(Math.floor(d.getTime() / 1000)),
  z: () => '+0000',
  Z: () => 'UTC',
  F: (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`,
  T: (d) => `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`,
  R: (d) => `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}`,
  D: (d) => `${pad(d.getUTCMonth() + 1, 2)}/${pad(d.getUTCDate(), 2)}/${pad(d.getUTCFullYear() % 100, 2)}`,
  n: () => '\n',
  t: () => '\t',
  '%': () => '%',
};

export type Strftime = (epochSeconds: number) => string;

/** Compiles `format`; the result formats whole seconds since the epoch, in UTC. */
export function compileStrftime(format: string): Strftime {
  const parts: Part[] = [];
  let literal = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i] as string;
    const conv = c === '%' ? CONVERSIONS[format[i + 1] ?? ''] : undefined;
    if (conv === undefined) {
      literal += c;
      continue;
    }
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push(conv);
    i++;
  }
  if (literal !== '') parts.push(literal);
  if (parts.every((p) => typeof p === 'string')) {
    const constant = parts.join('');
    return () => constant;
  }
  return (epochSeconds) => {
    const d = new Date(epochSeconds * 1000);
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(d);
    return out;
  };
}

/**
 * Memoises the last second formatted: the records of a chunk mostly share their second (or
 * their day, for index names), so most calls are one comparison.
 */
export function cachedStrftime(format: string): Strftime {
  const f = compileStrftime(format);
  let lastSec = Number.NaN;
  let last = '';
  return (sec) => {
    if (sec !== lastSec) {
      last = f(sec);
      lastSec = sec;
    }
    return last;
  };
}

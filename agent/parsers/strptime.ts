// Time_Format: a strptime(3) subset compiled once per parser into a flat
// program of small integer ops, then run over the time string with
// charCodeAt — no Date objects, no regexes, no substrings on the hot path.
//
// Semantics follow Fluent Bit's flb_strptime (OpenBSD strptime) plus its %L
// extension, so existing Time_Format values behave the same:
// - numbers are read greedily up to the directive's maximum (%Y up to 4 digits,
//   %d up to 2, ...), so "%Y%m%d" works on "20240102";
// - whitespace in the format matches zero or more whitespace characters;
// - characters left over after the format are ignored (strptime returns a
//   pointer to them and Fluent Bit does not check it), which is why
//   "%Y-%m-%dT%H:%M:%S.%L" accepts "2024-01-02T03:04:05.123Z";
// - %L reads up to 9 fraction digits; we keep them as exact nanoseconds where
//   Fluent Bit goes through a double;
// - a format without a year (%Y, %y or %s) takes today's date and the current
//   year, as Fluent Bit does for old syslog lines;
// - without %z/%Z, Time_Offset (or the system time zone) applies.

import type { EventTime } from './types.ts';

// Op codes (a const table, not an enum: erasableSyntaxOnly).
const OP_LIT = 0;
const OP_WS = 1;
const OP_NUM = 2;
const OP_MDAY_E = 3;
const OP_MONTH_NAME = 4;
const OP_DAY_NAME = 5;
const OP_AMPM = 6;
const OP_EPOCH = 7;
const OP_FRAC = 8;
const OP_TZ_OFFSET = 9;
const OP_TZ_NAME = 10;
const OP_SKIP_DIGITS = 11;

// NUM targets.
const F_YEAR = 0;
const F_MON = 1;
const F_MDAY = 2;
const F_HOUR = 3;
const F_MIN = 4;
const F_SEC = 5;
const F_YDAY = 6;
const F_CENTURY = 7;
const F_RELYEAR = 8;
const F_IGNORE = 9;

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

// Fluent Bit's %Z table (flb_strptime.c), in its order: first prefix match not
// followed by an alphanumeric wins.
const H = 3600;
const TZ_NAMES: readonly (readonly [string, number])[] = [
  ['GMT', 0],
  ['UTC', 0],
  ['Z', 0],
  ['UT', 0],
  ['EST', -5 * H],
  ['EDT', -4 * H],
  ['CST', -6 * H],
  ['CDT', -5 * H],
  ['MST', -7 * H],
  ['MDT', -6 * H],
  ['PST', -8 * H],
  ['PDT', -7 * H],
  ['AKST', -9 * H],
  ['AKDT', -8 * H],
  ['HST', -10 * H],
  ['HADT', -9 * H],
  ['AST', -4 * H],
  ['ADT', -3 * H],
  ['NST', -3.5 * H],
  ['NDT', -2.5 * H],
  ['WET', 0],
  ['WEST', 1 * H],
  ['CET', 1 * H],
  ['CEST', 2 * H],
  ['EET', 2 * H],
  ['EEST', 3 * H],
  ['MSK', 3 * H],
  ['ART', -3 * H],
  ['BRT', -3 * H],
  ['BRST', -2 * H],
  ['CLT', -4 * H],
  ['CLST', -3 * H],
  ['AEST', 10 * H],
  ['AEDT', 11 * H],
  ['ACST', 9.5 * H],
  ['ACDT', 10.5 * H],
  ['AWST', 8 * H],
  ['NZST', 12 * H],
  ['NZDT', 13 * H],
  ['JST', 9 * H],
  ['KST', 9 * H],
  ['SGT', 8 * H],
  ['IST', 5.5 * H],
  ['GST', 4 * H],
  ['ICT', 7 * H],
  ['WIB', 7 * H],
  ['WITA', 8 * H],
  ['WIT', 9 * H],
  ['MYT', 8 * H],
  ['BDT', 6 * H],
  ['NPT', 5.75 * H],
  ['WAT', 1 * H],
  ['CAT', 2 * H],
  ['EAT', 3 * H],
  ['SAST', 2 * H],
  ...'ABCDEFGHIKLM'.split('').map((c, i): [string, number] => [c, (i + 1) * H]),
  ...'NOPQRSTUVWXY'.split('').map((c, i): [string, number] => [c, -(i + 1) * H]),
];
const RFC822_STD = ['EST', 'CST', 'MST', 'PST'];
const RFC822_DST = ['EDT', 'CDT', 'MDT', 'PDT'];

/** The directives compileTimeFormat accepts (documented in the README). */
export const SUPPORTED_DIRECTIVES = 'aAbBhcCdDeFgGHIjklLmMnprRsStTuUVwWxXyYzZ%';

export class TimeFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeFormatError';
  }
}

export interface TimeFormatOptions {
  /** Fixed UTC offset in seconds for times without a zone (Time_Offset). */
  offsetSeconds?: number | undefined;
  /** Interpret times without a zone in the system time zone (Time_System_Timezone). */
  systemTimezone?: boolean | undefined;
  /** Clock in ms, read only for formats without a year. */
  now?: (() => number) | undefined;
}

export interface TimeFormat {
  readonly source: string;
  /** The format names a zone (%z, %Z, or a literal Z after %S / %L), so Time_Offset is ignored. */
  readonly hasTimezone: boolean;
  readonly hasYear: boolean;
  /** undefined when the value does not match the format. */
  parse(value: string): EventTime | undefined;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1-12); out-of-range days roll over like timegm. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of daysFromCivil: [year, month 1-12, day]. */
export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/**
 * Time_Offset as Fluent Bit reads it (flb_parser_tzone_offset): "Z", or a sign
 * followed by hhmm or hh:mm. Returns seconds east of UTC.
 */
export function parseTimeOffset(value: string): number {
  const m = /^(?:Z|([+-])(\d\d):?(\d\d))$/.exec(value.trim());
  if (!m) throw new TimeFormatError(`invalid offset '${value}' (expected Z, +hhmm or +hh:mm)`);
  if (m[1] === undefined) return 0;
  const hours = Number(m[2]);
  const minutes = Number(m[3]);
  if (hours > 59 || minutes > 59) throw new TimeFormatError(`invalid offset '${value}'`);
  const seconds = hours * 3600 + minutes * 60;
  return m[1] === '-' ? -seconds : seconds;
}

function isSpace(c: number): boolean {
  // isspace() in the C locale: space, \t \n \v \f \r.
  return c === 32 || (c >= 9 && c <= 13);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Case-insensitive ASCII prefix match of a lower-case word at s[p]. */
function matchWordCI(s: string, p: number, word: string): boolean {
  if (p + word.length > s.length) return false;
  for (let i = 0; i < word.length; i++) {
    if ((s.charCodeAt(p + i) | 0x20) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** Compiles a Time_Format; throws TimeFormatError naming the bad directive. */
export function compileTimeFormat(format: string, options: TimeFormatOptions = {}): TimeFormat {
  const ops: number[] = [];
  let fracSeen = false;

  const emit = (op: number, a = 0, b = 0, c = 0): void => {
    ops.push(op, a, b, c);
  };

  const compile = (fmt: string): void => {
    let i = 0;
    while (i < fmt.length) {
      const ch = fmt.charCodeAt(i);
      if (isSpace(ch)) {
        // Consecutive whitespace in the format behaves as one.
        if (ops.length === 0 || ops[ops.length - 4] !== OP_WS) emit(OP_WS);
        i++;
        continue;
      }
      if (ch !== 37 /* % */) {
        emit(OP_LIT, ch);
        i++;
        continue;
      }
      i++;
      let d = fmt[i];
      // %E and %O modifiers: accepted and ignored, as in Fluent Bit (no alternative representations).
      while (d === 'E' || d === 'O') d = fmt[++i];
      i++;
      switch (d) {
        case '%':
          emit(OP_LIT, 37);
          break;
        case 'Y':
          emit(OP_NUM, F_YEAR, 0, 9999);
          break;
        case 'y':
          emit(OP_NUM, F_RELYEAR, 0, 99);
          break;
        case 'C':
          emit(OP_NUM, F_CENTURY, 0, 99);
          break;
        case 'm':
          emit(OP_NUM, F_MON, 1, 12);
          break;
        case 'd':
          emit(OP_NUM, F_MDAY, 1, 31);
          break;
        case 'e':
          emit(OP_MDAY_E);
          break;
        case 'H':
        case 'k':
          emit(OP_NUM, F_HOUR, 0, 23);
          break;
        case 'I':
        case 'l':
          emit(OP_NUM, F_HOUR, 1, 12);
          break;
        case 'M':
          emit(OP_NUM, F_MIN, 0, 59);
          break;
        case 'S':
          emit(OP_NUM, F_SEC, 0, 60);
          break;
        case 'j':
          emit(OP_NUM, F_YDAY, 1, 366);
          break;
        case 'U':
        case 'W':
        case 'V':
          emit(OP_NUM, F_IGNORE, 0, 53);
          break;
        case 'w':
          emit(OP_NUM, F_IGNORE, 0, 6);
          break;
        case 'u':
          emit(OP_NUM, F_IGNORE, 1, 7);
          break;
        case 'g':
          emit(OP_NUM, F_IGNORE, 0, 99);
          break;
        case 'G':
          emit(OP_SKIP_DIGITS);
          break;
        case 'b':
        case 'B':
        case 'h':
          emit(OP_MONTH_NAME);
          break;
        case 'a':
        case 'A':
          emit(OP_DAY_NAME);
          break;
        case 'p':
          emit(OP_AMPM);
          break;
        case 's':
          emit(OP_EPOCH);
          break;
        case 'L':
          // Fluent Bit only treats the first %L specially; a second one fails every line there.
          if (fracSeen) throw new TimeFormatError(`'%L' may appear only once in '${format}'`);
          fracSeen = true;
          emit(OP_FRAC);
          break;
        case 'z':
          emit(OP_TZ_OFFSET);
          break;
        case 'Z':
          emit(OP_TZ_NAME);
          break;
        case 'n':
        case 't':
          if (ops.length === 0 || ops[ops.length - 4] !== OP_WS) emit(OP_WS);
          break;
        // Composites, in the C locale.
        case 'D':
        case 'x':
          compile('%m/%d/%y');
          break;
        case 'F':
          compile('%Y-%m-%d');
          break;
        case 'R':
          compile('%H:%M');
          break;
        case 'r':
          compile('%I:%M:%S %p');
          break;
        case 'T':
        case 'X':
          compile('%H:%M:%S');
          break;
        case 'c':
          compile('%a %b %e %H:%M:%S %Y');
          break;
        default:
          throw new TimeFormatError(
            d === undefined
              ? `'${format}' ends with a lone '%'`
              : `unsupported directive '%${d}' in '${format}' (supported: ${SUPPORTED_DIRECTIVES.split('')
                  .map((x) => '%' + x)
                  .join(' ')})`,
          );
      }
    }
  };

  // Fluent Bit's tests are on the raw format string; we keep them so the same
  // formats get the same year and zone handling.
  const hasYear = format.includes('%Y') || format.includes('%y') || format.includes('%s');
  const hasTimezone =
    format.includes('%z') || format.includes('%Z') || format.includes('%SZ') || format.includes('%S.%LZ');

  // Fluent Bit parses year-less times as "<year> <value>" with "%Y <format>";
  // the separating space in the format also skips leading blanks in the value.
  if (!hasYear) emit(OP_WS);
  compile(format);

  const fixedOffset = options.offsetSeconds ?? 0;
  const systemTimezone = options.systemTimezone === true;
  const now = options.now ?? Date.now;

  // Generate a straight-line matcher for this format: V8 compiles it to a few
  // dozen machine instructions per directive, several times faster than
  // interpreting the op list. Only integers from the op list and fixed
  // templates go into the source; nothing from the format text itself.
  const code: string[] = [];
  const assign: Record<number, string> = {
    [F_YEAR]: 'year = v; relyear = -1;',
    [F_MON]: 'mon = v - 1; monSet = true;',
    [F_MDAY]: 'mday = v; mdaySet = true;',
    [F_HOUR]: 'hour = v;',
    [F_MIN]: 'min = v;',
    [F_SEC]: 'sec = v;',
    [F_YDAY]: 'yday = v - 1;',
    [F_CENTURY]: 'century = v * 100;',
    [F_RELYEAR]: 'relyear = v;',
    [F_IGNORE]: '',
  };
  const num = (field: number, lo: number, hi: number): string =>
    `c = s.charCodeAt(p); if (!(c >= 48 && c <= 57)) return undefined;
     v = 0; r = ${hi};
     do { v = v * 10 + (c - 48); p++; r = (r / 10) | 0; c = s.charCodeAt(p); } while (v * 10 <= ${hi} && r !== 0 && c >= 48 && c <= 57);
     if (v < ${lo} || v > ${hi}) return undefined; ${assign[field] ?? ''}`;
  for (let pc = 0; pc < ops.length; pc += 4) {
    const [op, a, b, c] = [ops[pc], ops[pc + 1], ops[pc + 2], ops[pc + 3]] as [
      number,
      number,
      number,
      number,
    ];
    switch (op) {
      case OP_LIT:
        code.push(`if (s.charCodeAt(p) !== ${a}) return undefined; p++;`);
        break;
      case OP_WS:
        code.push('c = s.charCodeAt(p); while (c === 32 || (c >= 9 && c <= 13)) c = s.charCodeAt(++p);');
        break;
      case OP_NUM:
        code.push(num(a, b, c));
        break;
      case OP_MDAY_E:
        code.push('c = s.charCodeAt(p); if (c === 32 || (c >= 9 && c <= 13)) p++;', num(F_MDAY, 1, 31));
        break;
      case OP_FRAC:
        code.push(`c = s.charCodeAt(p); if (!(c >= 48 && c <= 57)) return undefined;
          v = 0; r = 0;
          do { v = v * 10 + (c - 48); p++; r++; c = s.charCodeAt(p); } while (r < 9 && c >= 48 && c <= 57);
          ns = v * POW10[9 - r];`);
        break;
      case OP_MONTH_NAME:
        code.push('p = H.monthName(s, p, st); if (p < 0) return undefined; mon = st[0]; monSet = true;');
        break;
      case OP_DAY_NAME:
        code.push('p = H.dayName(s, p); if (p < 0) return undefined;');
        break;
      case OP_AMPM:
        code.push('p = H.ampm(s, p, st, hour); if (p < 0) return undefined; hour = st[0];');
        break;
      case OP_EPOCH:
        code.push(`p = H.epoch(s, p, st); if (p < 0) return undefined;
          year = st[0]; mon = st[1]; mday = st[2]; hour = st[3]; min = st[4]; sec = st[5];
          monSet = true; mdaySet = true; gmtoff = 0; relyear = -1; epochSet = true;`);
        break;
      case OP_TZ_OFFSET:
        code.push('p = H.tzOffset(s, p, st); if (p < 0) return undefined; gmtoff = st[0];');
        break;
      case OP_TZ_NAME:
        code.push('p = H.tzName(s, p, st); if (p < 0) return undefined; gmtoff = st[0];');
        break;
      case OP_SKIP_DIGITS:
        code.push(
          'if (p >= s.length) return undefined; do p++; while ((c = s.charCodeAt(p)) >= 48 && c <= 57);',
        );
        break;
    }
  }
  const src = `"use strict";
    const st = new Float64Array(8);
    return function parse(s) {
      let p = 0, c = 0, v = 0, r = 0;
      let year = 1900, mon = 0, mday = 0, hour = 0, min = 0, sec = 0;
      let yday = -1, century = -1, relyear = -1, monSet = false, mdaySet = false;
      let ns = 0, gmtoff = 0, epochSet = false;
      ${hasYear ? '' : 'const today = H.today(); year = today[0]; mon = today[1]; mday = today[2];'}
      ${code.join('\n')}
      return H.finish(year, mon, mday, hour, min, sec, yday, century, relyear, monSet, mdaySet, ns, gmtoff, epochSet);
    };`;

  const todayBuf = [0, 0, 0];
  const helpers = {
    monthName,
    dayName,
    ampm,
    epoch,
    tzOffset,
    tzName,
    today(): number[] {
      const d = new Date(now());
      todayBuf[0] = systemTimezone ? d.getFullYear() : d.getUTCFullYear();
      todayBuf[1] = systemTimezone ? d.getMonth() : d.getUTCMonth();
      todayBuf[2] = systemTimezone ? d.getDate() : d.getUTCDate();
      return todayBuf;
    },
    finish(
      year: number,
      mon: number,
      mday: number,
      hour: number,
      min: number,
      sec: number,
      yday: number,
      century: number,
      relyear: number,
      monSet: boolean,
      mdaySet: boolean,
      ns: number,
      gmtoff: number,
      epochSet: boolean,
    ): EventTime | undefined {
      if (relyear >= 0) {
        year = century >= 0 ? century + relyear : relyear <= 68 ? 2000 + relyear : 1900 + relyear;
      }
      if (yday >= 0 && !epochSet && !(monSet && mdaySet)) {
        // %j without a month/day: derive them, as strptime's "compute missing values".
        let days = yday;
        const leap = isLeap(year);
        if (!monSet) {
          mon = 0;
          while (mon < 12) {
            const ml = (MONTH_DAYS[mon] as number) + (mon === 1 && leap ? 1 : 0);
            if (days < ml) break;
            days -= ml;
            mon++;
          }
        }
        if (!mdaySet) mday = days + 1;
      }
      let seconds: number;
      if (!hasTimezone && systemTimezone && !epochSet) {
        const d = new Date(2000, mon, mday, hour, min, sec);
        d.setFullYear(year); // Date() would map years 0-99 to 1900-1999
        seconds = Math.floor(d.getTime() / 1000);
      } else {
        seconds = (daysFromCivil(year, mon + 1, 1) + mday - 1) * 86400 + hour * 3600 + min * 60 + sec;
        seconds -= hasTimezone ? gmtoff : fixedOffset;
      }
      if (!Number.isFinite(seconds)) return undefined;
      return { seconds, nanoseconds: ns };
    },
  };
  const factory = new Function('H', 'POW10', src) as (
    h: typeof helpers,
    pow10: readonly number[],
  ) => (s: string) => EventTime | undefined;
  const parse = factory(helpers, POW10);

  return { source: format, hasTimezone, hasYear, parse };
}

// Helpers for the rarer directives: each returns the new position or -1, and
// leaves its result in st[0..].

function monthName(s: string, p: number, st: Float64Array): number {
  for (let i = 0; i < 12; i++) {
    const full = MONTHS[i] as string;
    if (matchWordCI(s, p, full)) {
      st[0] = i;
      return p + full.length;
    }
    if (matchWordCI(s, p, full.slice(0, 3))) {
      st[0] = i;
      return p + 3;
    }
  }
  return -1;
}

function dayName(s: string, p: number): number {
  for (let i = 0; i < 7; i++) {
    const full = DAYS[i] as string;
    if (matchWordCI(s, p, full)) return p + full.length;
    if (matchWordCI(s, p, full.slice(0, 3))) return p + 3;
  }
  return -1;
}

function ampm(s: string, p: number, st: Float64Array, hour: number): number {
  // Applied to the hour read so far, as strptime does (so %I before %p).
  if (hour > 12) return -1;
  if (matchWordCI(s, p, 'am')) st[0] = hour === 12 ? 0 : hour;
  else if (matchWordCI(s, p, 'pm')) st[0] = hour < 12 ? hour + 12 : hour;
  else return -1;
  return p + 2;
}

function epoch(s: string, p: number, st: Float64Array): number {
  let c = s.charCodeAt(p);
  if (!isDigit(c)) return -1;
  let v = 0;
  let digits = 0;
  do {
    v = v * 10 + (c - 48);
    p++;
    digits++;
    c = s.charCodeAt(p);
  } while (digits < 18 && isDigit(c));
  // Spread into fields (gmtime) so directives after %s (%L, ...) compose as in strptime.
  const days = Math.floor(v / 86400);
  const rem = v - days * 86400;
  const ymd = civilFromDays(days);
  st[0] = ymd[0];
  st[1] = ymd[1] - 1;
  st[2] = ymd[2];
  st[3] = Math.floor(rem / 3600);
  st[4] = Math.floor((rem % 3600) / 60);
  st[5] = rem % 60;
  return p;
}

function tzOffset(s: string, p: number, st: Float64Array): number {
  while (p < s.length && isSpace(s.charCodeAt(p))) p++;
  const c = s.charCodeAt(p++);
  if (c === 71 /* G */) {
    if (s.charCodeAt(p++) !== 77 || s.charCodeAt(p++) !== 84) return -1;
    st[0] = 0;
    return p;
  }
  if (c === 85 /* U */) {
    if (s.charCodeAt(p++) !== 84) return -1;
    if (s.charCodeAt(p) === 67) p++;
    st[0] = 0;
    return p;
  }
  if (c === 90 /* Z */) {
    st[0] = 0;
    return p;
  }
  if (c === 43 /* + */ || c === 45 /* - */) {
    const h1 = s.charCodeAt(p);
    const h2 = s.charCodeAt(p + 1);
    if (!isDigit(h1) || !isDigit(h2)) return -1;
    let offs = ((h1 - 48) * 10 + (h2 - 48)) * 3600;
    p += 2;
    if (s.charCodeAt(p) === 58 /* : */) p++;
    const m1 = s.charCodeAt(p);
    if (isDigit(m1)) {
      const m2 = s.charCodeAt(p + 1);
      if (!isDigit(m2)) return -1;
      offs += ((m1 - 48) * 10 + (m2 - 48)) * 60;
      p += 2;
    }
    st[0] = c === 45 ? -offs : offs;
    return p;
  }
  p--;
  for (let i = 0; i < 4; i++) {
    if (matchWordCI(s, p, (RFC822_STD[i] as string).toLowerCase())) {
      st[0] = (-5 - i) * 3600;
      return p + 3;
    }
    if (matchWordCI(s, p, (RFC822_DST[i] as string).toLowerCase())) {
      st[0] = (-4 - i) * 3600;
      return p + 3;
    }
  }
  return -1;
}

function tzName(s: string, p: number, st: Float64Array): number {
  for (const [abbr, off] of TZ_NAMES) {
    if (!matchWordCI(s, p, abbr.toLowerCase())) continue;
    const next = s.charCodeAt(p + abbr.length) | 0x20;
    const alnum = (next >= 48 && next <= 57) || (next >= 97 && next <= 122);
    if (!alnum) {
      st[0] = off;
      return p + abbr.length;
    }
  }
  return -1;
}

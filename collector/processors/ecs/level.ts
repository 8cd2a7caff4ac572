/** ECS `log.level` values Tributary normalises to. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/* Synonyms from pino/bunyan, winston, Python logging, log4j/JUL, syslog, zap, klog/glog letters. */
const SYNONYMS = new Map<string, LogLevel>([
  ['trace', 'trace'],
  ['trc', 'trace'],
  ['verbose', 'trace'],
  ['finest', 'trace'],
  ['finer', 'trace'],
  ['t', 'trace'],
  ['debug', 'debug'],
  ['dbg', 'debug'],
  ['fine', 'debug'],
  ['config', 'debug'],
  ['d', 'debug'],
  ['info', 'info'],
  ['inf', 'info'],
  ['information', 'info'],
  ['informational', 'info'],
  ['notice', 'info'],
  ['i', 'info'],
  ['warn', 'warn'],
  ['warning', 'warn'],
  ['wrn', 'warn'],
  ['w', 'warn'],
  ['error', 'error'],
  ['err', 'error'],
  ['eror', 'error'],
  ['severe', 'error'],
  ['e', 'error'],
  ['fatal', 'fatal'],
  ['ftl', 'fatal'],
  ['critical', 'fatal'],
  ['crit', 'fatal'],
  ['alert', 'fatal'],
  ['emerg', 'fatal'],
  ['emergency', 'fatal'],
  ['panic', 'fatal'],
  ['dpanic', 'fatal'],
  ['f', 'fatal'],
]);

/** Unknown level strings longer than this are not a level but junk, and are not used. */
export const MAX_LEVEL_LENGTH = 32;

/**
 * Numeric levels: 10..60+ are pino/bunyan (10 trace, 20 debug, 30 info, 40 warn, 50 error,
 * 60 fatal; values in between round down, so a custom 35 is info); 0..7 are syslog
 * severities (RFC 5424: 0-2 fatal, 3 error, 4 warn, 5-6 info, 7 debug). Others: undefined.
 */
export function levelFromNumber(n: number): LogLevel | undefined {
  if (!Number.isInteger(n) || n < 0) return undefined;
  if (n >= 10) {
    if (n < 20) return 'trace';
    if (n < 30) return 'debug';
    if (n < 40) return 'info';
    if (n < 50) return 'warn';
    if (n < 60) return 'error';
    return 'fatal';
  }
  switch (n) {
    case 0:
    case 1:
    case 2:
      return 'fatal';
    case 3:
      return 'error';
    case 4:
      return 'warn';
    case 5:
    case 6:
      return 'info';
    case 7:
      return 'debug';
    default:
      return undefined;
  }
}

/**
 * `log.level` for a record's level value: a known synonym maps to its ECS name, another
 * short string is kept lower-cased (ECS keeps the original level), numbers map as
 * `levelFromNumber`. Undefined when the value is not usable as a level.
 */
export function normaliseLevel(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const hit = SYNONYMS.get(value);
    if (hit !== undefined) return hit;
    if (value.length === 0 || value.length > MAX_LEVEL_LENGTH) return undefined;
    const lower = value.trim().toLowerCase();
    const known = SYNONYMS.get(lower);
    if (known !== undefined) return known;
    const c = lower.charCodeAt(0);
    if (c >= 48 && c <= 57 && /^[0-9]+$/.test(lower)) return levelFromNumber(Number(lower));
    return lower === '' ? undefined : lower;
  }
  if (typeof value === 'number') return levelFromNumber(value);
  return undefined;
}

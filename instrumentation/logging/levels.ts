import type { LogLevel } from '../config.ts';

/** pino/bunyan numbers, which the collector also understands. */
export const LEVEL_VALUES: Readonly<Record<LogLevel, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};

// The components' own operational log: one JSON object per line on stderr, so that the agent's tail
// input (or any log shipper) can read it back without a parser of its own.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, string | number | boolean | undefined | null>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(bound: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function isLogLevel(value: string): value is LogLevel {
  return value in RANK;
}

export function createLogger(
  options: { level?: LogLevel; component?: string; write?: (line: string) => void } = {},
  bound: LogFields = {},
): Logger {
  const threshold = RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const base = options.component === undefined ? bound : { component: options.component, ...bound };
  const emit = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (RANK[level] < threshold) return;
    write(
      JSON.stringify({
        '@timestamp': new Date().toISOString(),
        'log.level': level,
        message,
        ...base,
        ...fields,
      }) + '\n',
    );
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    // `base` already carries the component; the child must not add it a second time.
    child: (more) =>
      createLogger({ ...(options.level ? { level: options.level } : {}), write }, { ...base, ...more }),
  };
}

/** For tests and benchmarks that must not print. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

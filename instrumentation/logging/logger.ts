// The structured logger: levels, child loggers with bound fields, errors with their stack. A call
// below the level costs one comparison; a call above builds one record and queues it (see sink.ts).
// Nothing here throws into the caller.
import type { SpanContext } from '@opentelemetry/api';
import type { LogLevel } from '../config.ts';
import type { RecordEmitter } from './emitter.ts';
import { errorFields } from './error-fields.ts';
import { LEVEL_VALUES } from './levels.ts';
import type { LogRecord } from './sink.ts';

/** Fields of a record. `err` or `error` holding an Error becomes ECS `error.type|message|stack_trace`. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  trace(message: string | Error, fields?: LogFields): void;
  debug(message: string | Error, fields?: LogFields): void;
  info(message: string | Error, fields?: LogFields): void;
  warn(message: string | Error, fields?: LogFields): void;
  error(message: string | Error, fields?: LogFields): void;
  fatal(message: string | Error, fields?: LogFields): void;
  /** A logger whose records all carry `bindings` (a request id, a tenant). */
  child(bindings: LogFields): Logger;
  isLevelEnabled(level: LogLevel): boolean;
}

/** What loggers share: where records go and the level below which calls are skipped. */
export interface LogCore {
  readonly emitter: RecordEmitter;
  minLevel: number;
}

/** Builds and emits one log record; the koa middleware uses it with the request's span. */
export function writeLog(
  emitter: RecordEmitter,
  level: LogLevel,
  messageOrError: string | Error,
  fields: LogFields | undefined,
  bindings: LogFields | undefined,
  span?: SpanContext,
): void {
  try {
    // message and level first, so stdout lines read naturally; set again last so fields cannot replace them.
    const record: LogRecord = { message: '', 'log.level': level };
    if (bindings !== undefined) Object.assign(record, bindings);
    let error: unknown = messageOrError instanceof Error ? messageOrError : undefined;
    if (fields !== undefined) {
      for (const key of Object.keys(fields)) {
        const value = fields[key];
        if ((key === 'err' || key === 'error') && value instanceof Error) error = value;
        else record[key] = value;
      }
    }
    // Plain JavaScript callers can pass anything.
    const m: unknown = messageOrError;
    record['message'] = typeof m === 'string' ? m : m instanceof Error ? m.message : String(m);
    record['log.level'] = level;
    if (error !== undefined) Object.assign(record, errorFields(error));
    emitter.emit('log', record, span);
  } catch {
    emitter.failures++;
  }
}

export class TributaryLogger implements Logger {
  readonly #core: () => LogCore;
  readonly #bindings: LogFields | undefined;

  /** `core` is looked up per call, so a logger made before init() ships through the instance init() makes. */
  constructor(core: () => LogCore, bindings?: LogFields) {
    this.#core = core;
    this.#bindings = bindings;
  }

  trace(message: string | Error, fields?: LogFields): void {
    this.#log('trace', message, fields);
  }

  debug(message: string | Error, fields?: LogFields): void {
    this.#log('debug', message, fields);
  }

  info(message: string | Error, fields?: LogFields): void {
    this.#log('info', message, fields);
  }

  warn(message: string | Error, fields?: LogFields): void {
    this.#log('warn', message, fields);
  }

  error(message: string | Error, fields?: LogFields): void {
    this.#log('error', message, fields);
  }

  fatal(message: string | Error, fields?: LogFields): void {
    this.#log('fatal', message, fields);
  }

  child(bindings: LogFields): Logger {
    return new TributaryLogger(this.#core, { ...this.#bindings, ...bindings });
  }

  isLevelEnabled(level: LogLevel): boolean {
    return LEVEL_VALUES[level] >= this.#core().minLevel;
  }

  #log(level: LogLevel, message: string | Error, fields: LogFields | undefined): void {
    const core = this.#core();
    if (LEVEL_VALUES[level] < core.minLevel) return;
    writeLog(core.emitter, level, message, fields, this.#bindings);
  }
}

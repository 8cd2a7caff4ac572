// Turns what the logger, audit() and the koa middleware emit into records: the service fields, a
// fresh `event.id`, the ids of the active span, and the time; then hands them to the sink.
import { context, trace, type SpanContext } from '@opentelemetry/api';
import type { LogTime } from './clock.ts';
import { nextEventId } from './event-id.ts';
import type { EventKind, LogRecord, LogSink } from './sink.ts';

export interface EmitterOptions {
  sink: LogSink;
  clock: () => LogTime;
  /** Fields every record carries: `service.name`, `service.version`, `kubernetes`. */
  base: LogRecord;
}

export class RecordEmitter {
  readonly sink: LogSink;
  readonly #clock: () => LogTime;
  readonly #base: LogRecord;
  /** Records that could not even be built (a throwing getter in the fields, say). */
  failures = 0;

  constructor(options: EmitterOptions) {
    this.sink = options.sink;
    this.#clock = options.clock;
    this.#base = options.base;
  }

  /**
   * Completes `record` (which the caller made and hands over) and queues it. `span` is the span
   * whose ids it carries; by default the active one. Never throws.
   */
  emit(kind: EventKind, record: LogRecord, span?: SpanContext): void {
    try {
      const ctx = span ?? trace.getSpanContext(context.active());
      for (const key in this.#base) if (!(key in record)) record[key] = this.#base[key];
      record['event.id'] = nextEventId();
      if (ctx !== undefined && ctx.traceId !== '00000000000000000000000000000000') {
        record['trace.id'] = ctx.traceId;
        record['span.id'] = ctx.spanId;
      }
      this.sink.write(kind, this.#clock(), record);
    } catch {
      this.failures++;
    }
  }
}

// A sink that keeps what it is given, for unit tests of the logger, audit() and the koa middleware.
import type { LogTime } from '../logging/clock.ts';
import { createClock } from '../logging/clock.ts';
import { RecordEmitter } from '../logging/emitter.ts';
import type { LogCore } from '../logging/logger.ts';
import { LEVEL_VALUES } from '../logging/levels.ts';
import type { EventKind, LogRecord, LogSink, SinkStats } from '../logging/sink.ts';
import type { LogLevel } from '../config.ts';

export class MemorySink implements LogSink {
  readonly events: { kind: EventKind; time: LogTime; record: LogRecord }[] = [];

  write(kind: EventKind, time: LogTime, record: LogRecord): void {
    this.events.push({ kind, time, record });
  }

  get records(): LogRecord[] {
    return this.events.map((e) => e.record);
  }

  flush(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<boolean> {
    return Promise.resolve(true);
  }

  stats(): SinkStats {
    return { written: this.events.length, delivered: this.events.length, dropped: 0, pending: 0 };
  }
}

export function memoryCore(level: LogLevel = 'trace', base: LogRecord = { 'service.name': 'test' }) {
  const sink = new MemorySink();
  const emitter = new RecordEmitter({ sink, clock: createClock(), base });
  const core: LogCore = { emitter, minLevel: LEVEL_VALUES[level] };
  return { sink, emitter, core };
}

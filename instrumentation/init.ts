// init() and the module-level API (logger, audit, koaMiddleware, shutdown). One instance per
// process, kept on globalThis so that two copies of this package (a bundled one, say) share it.
// Before init() the module-level logger and audit() write JSON lines to stdout: nothing is lost,
// and code that logs at import time works.
import type { Middleware } from 'koa';
import { Auditor, type AuditEvent, type AuditStats } from './audit/audit.ts';
import { resolveConfig, type InstrumentationOptions, type ResolvedConfig } from './config.ts';
import { createKoaMiddleware, type KoaMiddlewareOptions } from './koa/middleware.ts';
import { createClock } from './logging/clock.ts';
import { RecordEmitter } from './logging/emitter.ts';
import { ForwardSink, type ForwardSinkStats } from './logging/forward-sink.ts';
import { LEVEL_VALUES } from './logging/levels.ts';
import { TributaryLogger, type LogCore, type Logger } from './logging/logger.ts';
import { FanOutSink, NullSink, type LogRecord, type LogSink, type SinkStats } from './logging/sink.ts';
import { StdoutSink } from './logging/stdout-sink.ts';
import { installShutdownHandlers, within } from './shutdown.ts';
import { registerEsmHooks } from './tracing/esm-hooks.ts';
import { startTracing, type Tracing } from './tracing/tracing.ts';

export interface InstrumentationStats {
  logs: SinkStats;
  /** The Forward connection, when logs go to the agent. */
  forward: ForwardSinkStats | undefined;
  audit: AuditStats;
  /** Records that could not be built at all (a field with a throwing getter). */
  recordFailures: number;
  tracing: boolean;
}

export interface Instrumentation {
  readonly config: ResolvedConfig;
  readonly logger: Logger;
  audit(event: AuditEvent): void;
  koaMiddleware(options?: KoaMiddlewareOptions): Middleware;
  /** Exports finished spans and delivers buffered logs; true if all went out before the deadline. */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Flushes, then stops tracing and closes the log connection. Idempotent. */
  shutdown(timeoutMs?: number): Promise<boolean>;
  stats(): InstrumentationStats;
}

interface Parts {
  core: LogCore;
  auditor: Auditor;
}

class TributaryInstrumentation implements Instrumentation, Parts {
  readonly config: ResolvedConfig;
  readonly logger: Logger;
  readonly core: LogCore;
  readonly auditor: Auditor;
  readonly #sink: LogSink;
  readonly #forward: ForwardSink | undefined;
  readonly #tracing: Tracing | undefined;
  #stopping: Promise<boolean> | undefined;
  removeHandlers: () => void = () => undefined;

  constructor(config: ResolvedConfig) {
    this.config = config;
    // Tracing first: its instrumentations must hook module loading before anything else loads.
    if (config.tracing.enabled) registerEsmHooks();
    this.#tracing = config.tracing.enabled ? startTracing(config) : undefined;
    const output = config.logging.output;
    const usesForward = output === 'forward' || output === 'both';
    this.#forward = usesForward ? new ForwardSink(config.logging.forward) : undefined;
    this.#sink = createSink(output, this.#forward);
    const emitter = new RecordEmitter({
      sink: this.#sink,
      clock: createClock(),
      base: baseFields(config),
    });
    this.core = { emitter, minLevel: LEVEL_VALUES[config.logging.level] };
    this.auditor = new Auditor(() => emitter, config.environment);
    this.logger = new TributaryLogger(() => this.core);
  }

  audit(event: AuditEvent): void {
    this.auditor.audit(event);
  }

  koaMiddleware(options?: KoaMiddlewareOptions): Middleware {
    return createKoaMiddleware({ core: () => this.core, auditor: () => this.auditor }, options);
  }

  async flush(timeoutMs = this.config.shutdown.timeoutMs): Promise<boolean> {
    const [spans, logs] = await Promise.all([
      this.#tracing === undefined ? true : within(this.#tracing.forceFlush(), timeoutMs),
      this.#sink.flush(timeoutMs),
    ]);
    return spans && logs;
  }

  shutdown(timeoutMs = this.config.shutdown.timeoutMs): Promise<boolean> {
    this.#stopping ??= (async () => {
      this.removeHandlers();
      const [spans, logs] = await Promise.all([
        this.#tracing === undefined ? true : within(this.#tracing.shutdown(), timeoutMs),
        this.#sink.close(timeoutMs),
      ]);
      return spans && logs;
    })();
    return this.#stopping;
  }

  stats(): InstrumentationStats {
    return {
      logs: this.#sink.stats(),
      forward: this.#forward?.stats(),
      audit: { ...this.auditor.stats },
      recordFailures: this.core.emitter.failures,
      tracing: this.#tracing !== undefined,
    };
  }
}

function createSink(output: ResolvedConfig['logging']['output'], forward: ForwardSink | undefined): LogSink {
  switch (output) {
    case 'forward':
      return forward as ForwardSink;
    case 'both':
      return new FanOutSink([forward as ForwardSink, new StdoutSink()]);
    case 'stdout':
      return new StdoutSink();
    case 'none':
      return new NullSink();
  }
}

/** Fields on every record. `kubernetes` uses Fluent Bit's kubernetes-filter names, which the collector maps to ECS (the namespace picks the data stream). */
function baseFields(config: ResolvedConfig): LogRecord {
  const base: LogRecord = { 'service.name': config.serviceName };
  if (config.serviceVersion !== undefined) base['service.version'] = config.serviceVersion;
  const k = config.kubernetes;
  if (k.podName !== undefined || k.namespace !== undefined || k.nodeName !== undefined) {
    const kubernetes: Record<string, string> = {};
    if (k.podName !== undefined) kubernetes['pod_name'] = k.podName;
    if (k.namespace !== undefined) kubernetes['namespace_name'] = k.namespace;
    if (k.nodeName !== undefined) kubernetes['host'] = k.nodeName;
    base['kubernetes'] = kubernetes;
  }
  return base;
}

interface GlobalState {
  instance?: TributaryInstrumentation;
  fallback?: Parts;
}

const STATE = Symbol.for('tributary.instrumentation');

function state(): GlobalState {
  const g = globalThis as Record<symbol, GlobalState | undefined>;
  return (g[STATE] ??= {});
}

function fallback(): Parts {
  const s = state();
  if (s.fallback === undefined) {
    let config: ResolvedConfig;
    try {
      config = resolveConfig({ logging: { output: 'stdout' }, tracing: { enabled: false } });
    } catch {
      config = resolveConfig({ logging: { output: 'stdout' }, tracing: { enabled: false } }, {});
    }
    const emitter = new RecordEmitter({
      sink: new StdoutSink(),
      clock: createClock(),
      base: baseFields(config),
    });
    s.fallback = {
      core: { emitter, minLevel: LEVEL_VALUES[config.logging.level] },
      auditor: new Auditor(() => emitter, config.environment),
    };
  }
  return s.fallback;
}

function active(): Parts {
  return state().instance ?? fallback();
}

/**
 * Starts tracing and the logger. Call it once, before the modules it instruments are loaded (for ES
 * modules: use `node --import @tributary/instrumentation/register` instead, see the README).
 * A second call returns the first instance.
 */
export function init(options?: InstrumentationOptions): Instrumentation {
  const s = state();
  if (s.instance !== undefined) {
    process.emitWarning('init() was called again; the first instance stays in use', {
      code: 'TRIBUTARY_INIT_TWICE',
      type: 'TributaryWarning',
    });
    return s.instance;
  }
  const instance = new TributaryInstrumentation(resolveConfig(options));
  if (instance.config.shutdown.handleSignals) {
    instance.removeHandlers = installShutdownHandlers(instance, instance.config.shutdown.timeoutMs);
  }
  s.instance = instance;
  return instance;
}

/** The instance init() made, if any. */
export function getInstrumentation(): Instrumentation | undefined {
  return state().instance;
}

/** The process's logger: the instance's after init(), JSON lines on stdout before. */
export const logger: Logger = new TributaryLogger(() => active().core);

export function audit(event: AuditEvent): void {
  active().auditor.audit(event);
}

export function koaMiddleware(options?: KoaMiddlewareOptions): Middleware {
  return createKoaMiddleware({ core: () => active().core, auditor: () => active().auditor }, options);
}

export function shutdown(timeoutMs?: number): Promise<boolean> {
  return state().instance?.shutdown(timeoutMs) ?? Promise.resolve(true);
}

// @tributary/instrumentation: traces to Zipkin, structured logs over Forward, audit() and koa
// middleware. See README.md.
export { init, getInstrumentation, logger, audit, koaMiddleware, shutdown } from './init.ts';
export type { Instrumentation, InstrumentationStats } from './init.ts';
export { InstrumentationConfigError, resolveConfig } from './config.ts';
export type {
  BatchOptions,
  Environment,
  ForwardOptions,
  InstrumentationOptions,
  InstrumentationSwitches,
  LoggingOptions,
  LogLevel,
  LogOutput,
  PropagatorName,
  ResolvedConfig,
  SamplerName,
  ShutdownOptions,
  TracingOptions,
} from './config.ts';
export type { Logger, LogFields } from './logging/logger.ts';
export type { SinkStats } from './logging/sink.ts';
export type { ForwardSinkStats } from './logging/forward-sink.ts';
export { AuditValidationError } from './audit/audit.ts';
export type { AuditActor, AuditEvent, AuditOutcome, AuditResource, AuditStats } from './audit/audit.ts';
export type { KoaAuditOptions, KoaMiddlewareOptions } from './koa/middleware.ts';

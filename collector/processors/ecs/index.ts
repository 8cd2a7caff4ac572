export { normaliseLog, DEFAULT_LOG_OPTIONS, DEFAULT_SERVICE_LABEL_KEYS } from './normalise-log.ts';
export type { NormaliseLogOptions } from './normalise-log.ts';
export {
  normaliseSpan,
  zipkinSpanProblem,
  normaliseZipkinId,
  labelKey,
  InvalidSpanError,
  DEFAULT_SPAN_OPTIONS,
} from './normalise-span.ts';
export type { NormaliseSpanOptions } from './normalise-span.ts';
export { applyAudit, normaliseOutcome } from './audit.ts';
export { deriveEventId, usableEventId, MAX_EVENT_ID_BYTES } from './event-id.ts';
export type { EventOrigin } from './event-id.ts';
export { normaliseLevel, levelFromNumber } from './level.ts';
export type { LogLevel } from './level.ts';
export { formatEventTime, formatMicros } from './time.ts';
export * from './naming.ts';
export { ecsConfigSchema, ecsOptions } from './config.ts';
export type { EcsConfig } from './config.ts';
export type {
  LogEvent,
  ZipkinSpan,
  ZipkinEndpoint,
  ZipkinAnnotation,
  EcsDocument,
  DataStream,
} from './types.ts';

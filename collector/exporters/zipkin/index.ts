export { ZipkinSink, joinSpans, classifyStatus } from './sink.ts';
export type {
  ExporterLogger,
  ZipkinSinkDeps,
  ZipkinSendResult,
  ZipkinRejection,
  ZipkinSinkStats,
} from './sink.ts';
export { zipkinExporterConfigSchema } from './config.ts';
export type { ZipkinExporterConfig, ZipkinExporterConfigInput } from './config.ts';
export { backoffDelay } from '../retry.ts';

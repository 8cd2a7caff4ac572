export { ElasticsearchSink, classifyRequestError } from './sink.ts';
export type { ElasticsearchSinkDeps, ElasticsearchSinkStats, SinkLogger, SinkWriteResult } from './sink.ts';
export type { BulkDocument } from './bulk.ts';
export { encodeBulk, classifyStatus, BULK_FILTER_PATH, MAX_ID_BYTES } from './bulk.ts';
export {
  elasticsearchExporterConfigSchema,
  dataStreamNameProblem,
  DEFAULT_DEAD_LETTER_DATA_STREAM,
  DEFAULT_ENDPOINT,
  DEFAULT_TEMPLATE_PRIORITY,
} from './config.ts';
export type { ElasticsearchExporterConfig, ElasticsearchExporterConfigInput } from './config.ts';
export { buildTemplates, detectFeatures, deadLetterPattern, TEMPLATE_VERSION } from './templates.ts';
export type { DetectedFeatures, IndexTemplate } from './templates.ts';
export { deadLetterDocument, deadLetterId } from './dead-letter.ts';
export type { Rejection } from './dead-letter.ts';
export { SinkAbortedError, backoffDelay } from './backoff.ts';
